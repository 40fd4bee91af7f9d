//! A topic's `model = …` (configuration stage): the relevance model file
//! read when the configuration is loaded. `builtin:NAME` names a model built
//! into the program (the shipped topics'); anything else is a file, relative
//! to the configuration file's folder.

use std::path::Path;
use std::sync::Arc;

use crate::model::relevance::ModelFile;

/// The models built into the program: name → file text.
pub const BUILTIN_MODELS: &[(&str, &str)] = &[(
    "peace-talks",
    include_str!("../../config/topics/peace-talks.model"),
)];

/// Load the model `value` names; the error says which file and why.
pub fn load(value: &str, config_file: &Path) -> Result<Arc<ModelFile>, String> {
    if let Some(name) = value.strip_prefix("builtin:") {
        let (_, text) = BUILTIN_MODELS
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| {
                let known: Vec<String> = BUILTIN_MODELS
                    .iter()
                    .map(|(n, _)| format!("builtin:{n}"))
                    .collect();
                format!("no built-in model {name:?}; built in: {}", known.join(", "))
            })?;
        return ModelFile::parse(text)
            .map(Arc::new)
            .map_err(|e| format!("built-in model {name:?}: {e}"));
    }
    let dir = config_file.parent().unwrap_or(Path::new("."));
    let path = dir.join(value);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read model file {}: {e}", path.display()))?;
    ModelFile::parse(&text)
        .map(Arc::new)
        .map_err(|e| format!("model file {}: {e}", path.display()))
}
