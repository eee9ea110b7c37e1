//! margin: an offline editor assistant. The language server (`lsp`) is a thin
//! layer over features that work on byte spans and plain structs; `text` owns
//! documents and positions, `config` the settings.

pub mod bench;
pub mod check;
pub mod checking;
pub mod cli;
pub mod cli_input;
pub mod config;
pub mod doctor;
pub mod eval;
pub mod logging;
pub mod lsp;
pub mod memory;
pub mod model;
pub mod models_cmd;
pub mod region_limit;
pub mod regions_cmd;
pub mod stores;
pub mod suggesting;
pub mod text;
pub mod translate_cmd;
pub mod translating;
