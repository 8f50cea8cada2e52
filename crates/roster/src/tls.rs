//! TLS for `roster serve --tls-cert FILE --tls-key FILE`: reads the PEM
//! certificate chain and private key once at start-up and builds the rustls
//! server configuration (the `ring` provider; HTTP/2 and HTTP/1.1 offered by
//! ALPN). Every failure names the file and what is wrong with it, so a bad
//! deployment stops at start with a message an operator can act on.

use crate::config::TlsFiles;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Protocols offered by ALPN, most preferred first.
pub const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// Why the certificate or key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the TLS {what} file {}: {source}", path.display())]
    Read {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the TLS {what} file {} is not valid PEM: {source}", path.display())]
    Pem {
        what: &'static str,
        path: PathBuf,
        source: pem::Error,
    },
    #[error(
        "the TLS certificate file {} holds no certificate \
         (expected a PEM '-----BEGIN CERTIFICATE-----' block)",
        path.display()
    )]
    NoCertificate { path: PathBuf },
    #[error(
        "the TLS key file {} holds no private key \
         (expected a PEM 'PRIVATE KEY', 'RSA PRIVATE KEY' or 'EC PRIVATE KEY' block)",
        path.display()
    )]
    NoKey { path: PathBuf },
    #[error(
        "the TLS key file {} does not belong to the certificate in {}",
        key.display(),
        cert.display()
    )]
    KeyMismatch { cert: PathBuf, key: PathBuf },
    #[error(
        "the TLS certificate {} and key {} cannot be used together: {source}",
        cert.display(),
        key.display()
    )]
    Unusable {
        cert: PathBuf,
        key: PathBuf,
        source: rustls::Error,
    },
}

/// Load the certificate chain and key and build the server configuration.
pub fn load(files: &TlsFiles) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let chain = certificates(&files.cert)?;
    let key = private_key(&files.key)?;
    let (cert, key_path) = (files.cert.clone(), files.key.clone());
    server_config(chain, key).map_err(|source| match source {
        rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => {
            TlsError::KeyMismatch {
                cert,
                key: key_path,
            }
        }
        source => TlsError::Unusable {
            cert,
            key: key_path,
            source,
        },
    })
}

/// A rustls configuration for one certificate chain, with the `ring`
/// provider and ALPN `h2`, `http/1.1`.
pub fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = ALPN.iter().map(|p| p.to_vec()).collect();
    Ok(Arc::new(config))
}

/// Every certificate in a PEM file, leaf first.
pub fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let what = "certificate";
    let bytes = read(what, path)?;
    let chain = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| TlsError::Pem {
            what,
            path: path.to_owned(),
            source,
        })?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate {
            path: path.to_owned(),
        });
    }
    Ok(chain)
}

/// The first private key (PKCS#8, PKCS#1 or SEC1) in a PEM file.
pub fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let what = "key";
    let bytes = read(what, path)?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|source| match source {
        pem::Error::NoItemsFound => TlsError::NoKey {
            path: path.to_owned(),
        },
        source => TlsError::Pem {
            what,
            path: path.to_owned(),
            source,
        },
    })
}

fn read(what: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        what,
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path, cert: &str, key: &str) -> TlsFiles {
        let cert_path = dir.join("cert.pem");
        let key_path = dir.join("key.pem");
        std::fs::write(&cert_path, cert).unwrap();
        std::fs::write(&key_path, key).unwrap();
        TlsFiles {
            cert: cert_path,
            key: key_path,
        }
    }

    fn message(files: &TlsFiles) -> String {
        load(files).expect_err("must fail").to_string()
    }

    #[test]
    fn a_missing_certificate_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let files = TlsFiles {
            cert: dir.path().join("nope.pem"),
            key: dir.path().join("key.pem"),
        };
        let text = message(&files);
        assert!(
            text.starts_with(&format!(
                "cannot read the TLS certificate file {}: ",
                files.cert.display()
            )),
            "{text}"
        );
    }

    #[test]
    fn a_file_without_a_certificate_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let files = files(dir.path(), "hello\n", "");
        assert_eq!(
            message(&files),
            format!(
                "the TLS certificate file {} holds no certificate \
                 (expected a PEM '-----BEGIN CERTIFICATE-----' block)",
                files.cert.display()
            )
        );
    }

    #[test]
    fn broken_pem_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let files = files(
            dir.path(),
            "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
            "",
        );
        let text = message(&files);
        assert!(
            text.starts_with(&format!(
                "the TLS certificate file {} is not valid PEM: ",
                files.cert.display()
            )),
            "{text}"
        );
    }

    #[test]
    fn a_key_file_without_a_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        // Any base64 passes the PEM layer; the key file is checked next.
        let files = files(
            dir.path(),
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        );
        assert_eq!(
            message(&files),
            format!(
                "the TLS key file {} holds no private key \
                 (expected a PEM 'PRIVATE KEY', 'RSA PRIVATE KEY' or 'EC PRIVATE KEY' block)",
                files.key.display()
            )
        );
    }

    #[test]
    fn a_missing_key_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let files = files(
            dir.path(),
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "",
        );
        let missing = TlsFiles {
            cert: files.cert.clone(),
            key: dir.path().join("missing-key.pem"),
        };
        let text = message(&missing);
        assert!(
            text.starts_with(&format!(
                "cannot read the TLS key file {}: ",
                missing.key.display()
            )),
            "{text}"
        );
    }

    #[test]
    fn garbage_key_material_is_unusable() {
        let dir = tempfile::tempdir().unwrap();
        let files = files(
            dir.path(),
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        );
        let text = message(&files);
        assert!(
            text.starts_with(&format!(
                "the TLS certificate {} and key {} cannot be used together: ",
                files.cert.display(),
                files.key.display()
            )),
            "{text}"
        );
    }
}
