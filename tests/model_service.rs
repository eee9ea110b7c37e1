//! A model per task in the server's model service, with tiny real models (llama.cpp loads
//! them in milliseconds): tasks naming the same file share one engine, each task falls back to
//! `model`, a model that cannot do its task is refused with a message saying what to set, and
//! when the next model would pass `maxModelMemoryMb` the least recently used one is unloaded.

use std::path::{Path, PathBuf};

use margin::config::{Options, Settings};
use margin::model::{ModelService, ModelState};
use margin_engine::models::{Roots, Task};
use margin_engine::test_support::{write_tiny_model, TinyModelSpec};
use serde_json::json;

fn tiny(dir: &Path, name: &str, spec: TinyModelSpec) -> String {
    let path = dir.join(name);
    write_tiny_model(&path, &spec).unwrap();
    path.display().to_string()
}

fn settings(options: serde_json::Value) -> Settings {
    let (o, problems) = Options::from_json(&options, "test");
    assert!(problems.is_empty(), "{problems:?}");
    o.resolve()
}

fn service(dir: &Path) -> ModelService {
    // No stores: only what the settings name.
    std::env::set_var(
        "MARGIN_CACHE_DIR",
        std::env::temp_dir().join(format!("margin-model-service-{}", std::process::id())),
    );
    std::env::remove_var("MARGIN_MODEL");
    ModelService::with_roots(Roots {
        margin: dir.join("none"),
        ..Roots::default()
    })
}

fn loaded(s: &ModelService) -> Vec<PathBuf> {
    s.loaded().into_iter().map(|(p, _)| p).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_share_files_and_the_least_recently_used_model_is_unloaded() {
    let dir = tempfile::tempdir().unwrap();
    let a = tiny(dir.path(), "a.gguf", TinyModelSpec::default());
    let b = tiny(
        dir.path(),
        "b.gguf",
        TinyModelSpec {
            seed: 2,
            ..Default::default()
        },
    );
    let c = tiny(
        dir.path(),
        "c.gguf",
        TinyModelSpec {
            seed: 3,
            ..Default::default()
        },
    );
    let s = service(dir.path());
    // Each tiny model is estimated at ~161 MB (file, KV cache, compute buffers): two fit in 400.
    let base = json!({"threads": 1, "contextTokens": 256, "maxModelMemoryMb": 400, "model": b, "models": {"proofread": a, "translate": a}});
    let one = settings(base.clone());
    let proofread = s.engine(&one, Task::Proofread).await.unwrap();
    let translate = s.engine(&one, Task::Translate).await.unwrap();
    assert_eq!(proofread.model_info().path, translate.model_info().path);
    assert_eq!(loaded(&s), [PathBuf::from(&a)], "one engine for two tasks");
    let suggest = s.engine(&one, Task::Suggest).await.unwrap();
    assert_eq!(
        suggest.model_info().path,
        PathBuf::from(&b),
        "suggest falls back to `model`"
    );
    assert_eq!(loaded(&s), [PathBuf::from(&a), PathBuf::from(&b)]);
    drop((proofread, translate, suggest));
    // Translation moves to a third model: `a` was used last (proofreading), so `b` goes.
    let mut moved = base.clone();
    moved["models"]["translate"] = json!(c);
    let two = settings(moved);
    s.engine(&two, Task::Proofread).await.unwrap();
    s.engine(&two, Task::Translate).await.unwrap();
    assert_eq!(loaded(&s), [PathBuf::from(&a), PathBuf::from(&c)]);
    assert_eq!(s.state(Task::Suggest), ModelState::Idle, "unloaded");
    assert_eq!(s.state(Task::Proofread), ModelState::Ready);
    // Using suggestions again brings `b` back in place of the least recently used (`a`).
    s.engine(&two, Task::Suggest).await.unwrap();
    assert_eq!(loaded(&s), [PathBuf::from(&c), PathBuf::from(&b)]);
    // Without a limit that small, all three stay.
    let mut roomy = base;
    roomy["maxModelMemoryMb"] = json!(4096);
    roomy["models"]["translate"] = json!(c);
    let three = settings(roomy);
    for task in Task::ALL {
        s.engine(&three, task).await.unwrap();
    }
    assert_eq!(loaded(&s).len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_that_cannot_do_its_task_is_refused_with_what_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let base = tiny(
        dir.path(),
        "base.gguf",
        TinyModelSpec {
            chat_template: None,
            fim: false,
            ..Default::default()
        },
    );
    let s = service(dir.path());
    let set = settings(json!({"threads": 1, "contextTokens": 256, "model": base}));
    assert!(
        s.engine(&set, Task::Proofread).await.is_ok(),
        "plain likelihood needs no template"
    );
    let err = s.engine(&set, Task::Translate).await.unwrap_err();
    assert!(
        err.contains("is a base model (no chat template): it can proofread but not translate"),
        "{err}"
    );
    assert!(err.contains("Set `models.translate`"), "{err}");
    let err = s.engine(&set, Task::Suggest).await.unwrap_err();
    assert!(
        err.contains("neither fill-in-the-middle tokens nor a chat template")
            && err.contains("models.suggest"),
        "{err}"
    );
    assert!(matches!(s.state(Task::Translate), ModelState::Failed(_)));
    // A chat template from the settings makes translation possible.
    let with_template = settings(
        json!({"threads": 1, "contextTokens": 256, "model": base, "chatTemplate": "chatml"}),
    );
    assert!(s.engine(&with_template, Task::Translate).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_set_and_nothing_found_names_every_place_looked() {
    let dir = tempfile::tempdir().unwrap();
    let s = service(dir.path());
    let err = s
        .engine(&Settings::default(), Task::Proofread)
        .await
        .unwrap_err();
    for place in [
        "--model",
        "models.proofread",
        "$MARGIN_MODEL",
        "margin models list",
        "margin models pull smollm2-135m",
    ] {
        assert!(err.contains(place), "{place} in {err}");
    }
}
