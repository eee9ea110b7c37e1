//! The real test model (`MARGIN_TEST_MODEL`) with default settings, for the checking tests that
//! run the model; `None` without it (outside CI, where a missing model fails instead).

use margin_engine::Engine;

use crate::config::Settings;
use crate::model::ModelKey;

pub(super) fn engine() -> Option<(Engine, Settings)> {
    let model = margin_engine::test_support::real_model()?;
    let settings = Settings::default();
    let mut config = ModelKey::from_settings(&settings)
        .config(Some(&model))
        .unwrap();
    config.disable_kv_persistence = true;
    Some((Engine::start(config).unwrap(), settings))
}
