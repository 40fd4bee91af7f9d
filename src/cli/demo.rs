//! `demo`: the main job offline (`crate::demo`), with the folder's refusals
//! as usage errors.

use std::path::Path;

use super::{Cli, CliError, CliResult};
use crate::demo::FolderError;

pub fn demo(cli: &Cli, dir: &Path) -> CliResult {
    if cli.config.is_some() || cli.db.is_some() {
        return Err(CliError::usage(anyhow::anyhow!(
            "demo writes its own configuration and database into --dir; --config and --db do not apply"
        )));
    }
    let mut out = std::io::stdout().lock();
    crate::demo::run(dir, &mut out).map_err(|e| {
        if e.downcast_ref::<FolderError>()
            .is_some_and(FolderError::is_usage)
        {
            CliError::usage(e)
        } else {
            CliError::from(e)
        }
    })
}
