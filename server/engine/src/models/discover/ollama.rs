//! Ollama's store: `manifests/<host>/<namespace>/<model>/<tag>` are JSON manifests (schema
//! version 2) whose layer of media type `application/vnd.ollama.image.model` names the
//! weights, `blobs/sha256-<hex>`: a plain GGUF. Named `ollama:<model>:<tag>` for the default
//! registry's `library` namespace, `ollama:<namespace>/<model>:<tag>` for others and
//! `ollama:<host>/<namespace>/<model>:<tag>` for other registries.

use super::{entries, name_of, Candidate, Discovery, Store};
use std::path::{Path, PathBuf};

/// The registry Ollama pulls from by default.
pub(crate) const DEFAULT_HOST: &str = "registry.ollama.ai";
/// The namespace of Ollama's own library.
pub(crate) const DEFAULT_NAMESPACE: &str = "library";
const MODEL_MEDIA_TYPE: &str = "application/vnd.ollama.image.model";

/// Lists every manifest under `root/manifests`.
pub(super) fn scan(root: &Path, found: &mut Discovery) {
    for host in dirs_in(&root.join("manifests"), found) {
        for namespace in dirs_in(&host, found) {
            for model in dirs_in(&namespace, found) {
                for tag in entries(&model, found) {
                    if !tag.is_file() || name_of(&tag).starts_with('.') {
                        continue;
                    }
                    let name = reference(
                        name_of(&host),
                        name_of(&namespace),
                        name_of(&model),
                        name_of(&tag),
                    );
                    match blob(root, &tag) {
                        Ok(file) => {
                            let candidate = Candidate {
                                short: name.clone(),
                                reference: name,
                                location: tag.clone(),
                                file,
                            };
                            found.add(Store::Ollama, candidate);
                        }
                        Err(reason) => found.skip(&tag, reason),
                    }
                }
            }
        }
    }
}

fn dirs_in(dir: &Path, found: &mut Discovery) -> Vec<PathBuf> {
    entries(dir, found)
        .into_iter()
        .filter(|p| p.is_dir() && !name_of(p).starts_with('.'))
        .collect()
}

/// `ollama:<model>:<tag>` with the namespace and host spelled out only when not the defaults.
pub(crate) fn reference(host: &str, namespace: &str, model: &str, tag: &str) -> String {
    match (host == DEFAULT_HOST, namespace == DEFAULT_NAMESPACE) {
        (true, true) => format!("ollama:{model}:{tag}"),
        (true, false) => format!("ollama:{namespace}/{model}:{tag}"),
        _ => format!("ollama:{host}/{namespace}/{model}:{tag}"),
    }
}

/// The weights blob a manifest names, or why there is none.
pub(crate) fn blob(root: &Path, manifest: &Path) -> Result<PathBuf, String> {
    let text =
        std::fs::read_to_string(manifest).map_err(|e| format!("cannot read the manifest: {e}"))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("the manifest is not JSON: {e}"))?;
    match json
        .get("schemaVersion")
        .and_then(serde_json::Value::as_u64)
    {
        Some(2) => {}
        Some(v) => {
            return Err(format!(
                "manifest schema version {v} is unknown (margin reads version 2)"
            ))
        }
        None => return Err("the manifest has no schemaVersion".into()),
    }
    let layers = json
        .get("layers")
        .and_then(serde_json::Value::as_array)
        .ok_or("the manifest has no layers")?;
    let digest = layers
        .iter()
        .find(|l| l.get("mediaType").and_then(serde_json::Value::as_str) == Some(MODEL_MEDIA_TYPE))
        .and_then(|l| l.get("digest")?.as_str())
        .ok_or("the manifest has no model layer")?;
    let hex = digest
        .strip_prefix("sha256:")
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    let hex = hex.ok_or_else(|| format!("the model layer's digest `{digest}` is not a sha256"))?;
    let path = root.join("blobs").join(format!("sha256-{hex}"));
    match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => Ok(path),
        Ok(_) => Err(format!("blob {} is not a file", path.display())),
        Err(_) => Err(format!(
            "the manifest names blob {}, which is missing",
            path.display()
        )),
    }
}
