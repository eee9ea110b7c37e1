//! LM Studio's models directory: `<publisher>/<model>/<file>.gguf`, named
//! `lmstudio:<publisher>/<file>.gguf`.

use super::{entries, gguf_name, name_of, Candidate, Discovery, Store};
use std::path::Path;

/// Lists `root/<publisher>/<model>/*.gguf`.
pub(super) fn scan(root: &Path, found: &mut Discovery) {
    for publisher in entries(root, found) {
        if !publisher.is_dir() || name_of(&publisher).starts_with('.') {
            continue;
        }
        for model in entries(&publisher, found) {
            if !model.is_dir() {
                continue;
            }
            for file in entries(&model, found) {
                if !gguf_name(&file, found) {
                    continue;
                }
                let reference = format!("lmstudio:{}/{}", name_of(&publisher), name_of(&file));
                let candidate = Candidate {
                    short: reference.clone(),
                    reference,
                    location: file.clone(),
                    file,
                };
                found.add(Store::LmStudio, candidate);
            }
        }
    }
}
