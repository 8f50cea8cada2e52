//! TLS to PostgreSQL with rustls (issue 13): a managed PostgreSQL is
//! usually reached over a network.
//!
//! libpq's `sslmode` is honoured, in the URL (`?sslmode=verify-full`) or a
//! key=value string (`sslmode=verify-full`), with `sslrootcert=FILE`:
//!
//! | `sslmode` | encrypted | certificate checked |
//! |---|---|---|
//! | `disable` | no | - |
//! | `prefer` (default) | if the server offers it | no (as `require`) |
//! | `require` | yes, or the connection fails | no; with `sslrootcert`, as `verify-ca` |
//! | `verify-ca` | yes | chain to a trusted root |
//! | `verify-full` | yes | chain, and the host name |
//!
//! Trusted roots are the `sslrootcert` file's certificates (PEM), or else
//! the Mozilla roots built in (`webpki-roots`): nothing is read at run time
//! but the named file. The driver knows only `disable`, `prefer` and
//! `require`, so `verify-*` and `sslrootcert` are taken out of the string
//! here and passed to it as `require` with the matching verifier.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};

use crate::{Error, Result};

/// How much of the server's certificate is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Verify {
    /// Encrypted only (`prefer`, `require`).
    Nothing,
    /// The chain (`verify-ca`, or `require` with `sslrootcert`).
    Chain,
    /// The chain and the host name (`verify-full`).
    Full,
}

/// What the connection string said about TLS that the driver cannot parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct TlsWish {
    pub(super) verify: Verify,
    pub(super) root_cert: Option<String>,
}

/// Take `sslmode=verify-*` and `sslrootcert` out of a URL or key=value
/// string: the string for the driver, and what to check.
pub(super) fn split(url: &str) -> (String, TlsWish) {
    let mut wish = TlsWish {
        verify: Verify::Nothing,
        root_cert: None,
    };
    let mut keep = |key: &str, value: &str| -> Option<String> {
        match (key, value) {
            ("sslmode", "verify-full") => {
                wish.verify = Verify::Full;
                Some("require".into())
            }
            ("sslmode", "verify-ca") => {
                wish.verify = Verify::Chain;
                Some("require".into())
            }
            ("sslrootcert", file) => {
                wish.root_cert = Some(file.to_owned());
                None
            }
            (_, value) => Some(value.to_owned()),
        }
    };
    let rewritten = if crate::is_key_value(url) {
        let mut parts = Vec::new();
        for part in url.split_whitespace() {
            match part.split_once('=') {
                Some((key, value)) => {
                    if let Some(value) = keep(key, value) {
                        parts.push(format!("{key}={value}"));
                    }
                }
                None => parts.push(part.to_owned()),
            }
        }
        parts.join(" ")
    } else if let Some((base, query)) = url.split_once('?') {
        let params: Vec<String> = query
            .split('&')
            .filter_map(|pair| match pair.split_once('=') {
                Some((key, value)) => {
                    let decoded = percent_decode(value);
                    keep(key, &decoded).map(|kept| {
                        if kept == decoded {
                            pair.to_owned()
                        } else {
                            format!("{key}={kept}")
                        }
                    })
                }
                None => Some(pair.to_owned()),
            })
            .collect();
        if params.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", params.join("&"))
        }
    } else {
        url.to_owned()
    };
    if wish.root_cert.is_some() && wish.verify == Verify::Nothing {
        wish.verify = Verify::Chain; // libpq: require with a root file checks the chain
    }
    (rewritten, wish)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The connector for a node's connections.
pub(super) fn connector(wish: &TlsWish) -> Result<RustlsConnect> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = Arc::new(roots(wish)?);
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Backend(format!("postgres: TLS set-up: {e}")))?;
    let config = match wish.verify {
        Verify::Full => builder.with_root_certificates(roots).with_no_client_auth(),
        Verify::Chain | Verify::Nothing => {
            let chain = match wish.verify {
                Verify::Chain => Some(
                    WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                        .build()
                        .map_err(|e| Error::Backend(format!("postgres: TLS roots: {e}")))?,
                ),
                _ => None,
            };
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Lenient { chain, provider }))
                .with_no_client_auth()
        }
    };
    Ok(RustlsConnect(Arc::new(config)))
}

fn roots(wish: &TlsWish) -> Result<RootCertStore> {
    let mut roots = RootCertStore::empty();
    match &wish.root_cert {
        Some(file) => {
            let unreadable = |e: &dyn std::fmt::Display| {
                Error::Backend(format!("postgres: sslrootcert {file}: {e}"))
            };
            for cert in CertificateDer::pem_file_iter(file).map_err(|e| unreadable(&e))? {
                let cert = cert.map_err(|e| unreadable(&e))?;
                roots.add(cert).map_err(|e| unreadable(&e))?;
            }
            if roots.is_empty() {
                return Err(unreadable(&"no certificate in the file"));
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    Ok(roots)
}

/// `require` and `verify-ca`: the handshake's signatures are checked, the
/// chain only for `verify-ca`, the host name never.
#[derive(Debug)]
struct Lenient {
    chain: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The driver's TLS hook over `tokio-rustls`.
#[derive(Clone)]
pub struct RustlsConnect(Arc<ClientConfig>);

impl<S> MakeTlsConnect<S> for RustlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type TlsConnect = RustlsConnector;
    type Error = rustls::pki_types::InvalidDnsNameError;

    fn make_tls_connect(
        &mut self,
        domain: &str,
    ) -> std::result::Result<RustlsConnector, Self::Error> {
        Ok(RustlsConnector {
            config: self.0.clone(),
            name: ServerName::try_from(domain.to_owned())?,
        })
    }
}

/// One connection's handshake.
pub struct RustlsConnector {
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
}

impl<S> TlsConnect<S> for RustlsConnector
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<RustlsStream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            let connector = tokio_rustls::TlsConnector::from(self.config);
            Ok(RustlsStream(connector.connect(self.name, stream).await?))
        })
    }
}

/// An encrypted connection to the server.
pub struct RustlsStream<S>(tokio_rustls::client::TlsStream<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for RustlsStream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for RustlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for RustlsStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_modes_become_require_for_the_driver() {
        let (url, wish) =
            split("postgres://u@db.example/roster?sslmode=verify-full&connect_timeout=3");
        assert_eq!(
            url,
            "postgres://u@db.example/roster?sslmode=require&connect_timeout=3"
        );
        assert_eq!(wish.verify, Verify::Full);
        let (url, wish) = split("host=db dbname=r sslmode=verify-ca sslrootcert=/etc/ca.pem");
        assert_eq!(url, "host=db dbname=r sslmode=require");
        assert_eq!(wish.verify, Verify::Chain);
        assert_eq!(wish.root_cert.as_deref(), Some("/etc/ca.pem"));
        let (url, wish) = split("postgres://u@db/r?sslmode=require&sslrootcert=%2Fca.pem");
        assert_eq!(url, "postgres://u@db/r?sslmode=require");
        assert_eq!(
            wish.verify,
            Verify::Chain,
            "require with a root file checks the chain"
        );
        assert_eq!(wish.root_cert.as_deref(), Some("/ca.pem"));
        let (url, wish) = split("postgres://u@db/r");
        assert_eq!(
            (url.as_str(), wish.verify),
            ("postgres://u@db/r", Verify::Nothing)
        );
    }

    #[test]
    fn a_missing_root_file_is_a_clear_error() {
        let wish = TlsWish {
            verify: Verify::Full,
            root_cert: Some("/nonexistent/ca.pem".into()),
        };
        match connector(&wish) {
            Err(Error::Backend(message)) => assert!(message.contains("sslrootcert"), "{message}"),
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("a connector without roots"),
        }
    }
}
