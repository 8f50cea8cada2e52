//! `roster export`: every user, community and membership (or one
//! community's) as JSON Lines, the import's own format, streamed from one
//! snapshot straight to the output, so memory stays constant whatever the
//! number of rows. Password hashes only with `--with-password-hashes`.

use std::io::{BufWriter, Write};
use std::sync::Arc;

use anyhow::Context as _;
use roster_store::{BulkProgress, Error, ExportQuery, ExportRow};

use super::format::{export_line, write_line};
use super::progress::Reporter;
use super::ExportArgs;
use crate::app::AppState;

pub async fn run(state: &AppState, args: ExportArgs) -> anyhow::Result<()> {
    let out: Box<dyn Write + Send> = match args.file.as_deref() {
        None => Box::new(std::io::stdout()),
        Some(path) if path.as_os_str() == "-" => Box::new(std::io::stdout()),
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        ),
    };
    let query = ExportQuery {
        community: args.community.as_deref().map(crate::cli::community_key),
    };
    let with_hashes = args.with_password_hashes;
    let progress = Arc::new(BulkProgress::default());
    let ctrl_c = super::stop_on_ctrl_c(&progress);
    let reporter = Reporter::start("export", None, 0, Arc::clone(&progress));
    let counter = Arc::clone(&progress);
    let result = state
        .run(move |store| {
            let mut out = BufWriter::with_capacity(1 << 16, out);
            let mut sink = |row: ExportRow| -> roster_store::Result<()> {
                let line =
                    export_line(&row, with_hashes).map_err(|e| Error::Backend(e.to_string()))?;
                write_line(&mut out, line.as_bytes())
                    .map_err(|e| Error::Backend(format!("writing: {e}")))?;
                counter.add(1);
                counter.check()
            };
            store.export(&query, &mut sink)?;
            out.flush()
                .map_err(|e| Error::Backend(format!("writing: {e}")))?;
            Ok(())
        })
        .await;
    reporter.finish();
    ctrl_c.abort();
    result.map_err(|e| anyhow::anyhow!("export failed: {e}"))?;
    eprintln!("export: {} rows", progress.rows());
    Ok(())
}
