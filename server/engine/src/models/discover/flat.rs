//! Plain directories of `.gguf` files: margin's own models directory (where the PyPI-hosted
//! catalog models are pulled to; they are named by their catalog name) and llama.cpp's
//! download cache (`$LLAMA_CACHE`, files named `<org>_<repo>_<file>.gguf`).

use super::{entries, gguf_name, name_of, Candidate, Discovery, Store};
use crate::models::catalog;
use std::path::Path;

/// Lists the `.gguf` files directly in `dir`.
pub(super) fn scan(dir: &Path, store: Store, found: &mut Discovery) {
    for path in entries(dir, found) {
        if !gguf_name(&path, found) {
            continue;
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let cataloged = (store == Store::Margin)
            .then(|| {
                catalog::entries()
                    .iter()
                    .find(|e| e.pypi_file() == Some(name_of(&path)))
            })
            .flatten();
        let (reference, short) = match cataloged {
            Some(entry) => (entry.name.clone(), entry.name.clone()),
            None => (path.display().to_string(), stem),
        };
        found.add(
            store,
            Candidate {
                reference,
                short,
                location: path.clone(),
                file: path,
            },
        );
    }
}
