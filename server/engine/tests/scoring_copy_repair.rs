//! A damaged F16 scoring copy (see `margin_engine::scoring_weights`) is replaced at the next
//! start instead of being warned about at every start. Its own test binary: it points
//! `MARGIN_WEIGHTS_DIR` at a directory of its own before any engine starts.

mod common;

use common::init_logs;
use margin_engine::gguf::inspect;
use margin_engine::scoring_weights::{copy_path, FINGERPRINT_TAG};
use margin_engine::test_support::real_model;
use margin_engine::{Engine, EngineConfig};

#[test]
fn a_damaged_copy_is_written_again() {
    let Some(model) = real_model() else { return };
    init_logs();
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("MARGIN_WEIGHTS_DIR", dir.path());
    let start = || {
        let mut cfg = EngineConfig::new(model.clone());
        cfg.threads = Some(1);
        cfg.disable_kv_persistence = true;
        Engine::start(cfg).unwrap()
    };
    let first = start();
    let fingerprint = first.model_info().fingerprint.clone();
    drop(first);
    let base = fingerprint.trim_end_matches(FINGERPRINT_TAG);
    assert_ne!(base, fingerprint, "the first start scores on a copy");
    let path = copy_path(dir.path(), base);
    let whole = std::fs::metadata(&path).unwrap().len();
    // Cut short, as by a full disk.
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 3]).unwrap();

    let second = start();
    assert_eq!(second.model_info().fingerprint, fingerprint);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), whole);
    assert!(inspect(&path).is_ok());
}
