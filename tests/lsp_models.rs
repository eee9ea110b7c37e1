//! A model per task through the protocol with both real models (`MARGIN_TEST_MODEL`,
//! SmolLM2-135M-Instruct, and `MARGIN_TEST_GEMMA`, Gemma 3 270M, a base model without a chat
//! template; required under CI): Gemma proofreads by plain likelihood while SmolLM2 (the `model`
//! setting) serves the other tasks, `margin/status` names each task's model and where it came
//! from, a translate action on the base model says why it cannot translate, and
//! `{"doctor": true}` adds the doctor report. The same with tiny generated models runs
//! everywhere (no real model needed).

mod support;

use margin_engine::test_support::{write_tiny_model, TinyModelSpec};
use serde_json::{json, Value};
use support::{start_resolving_client, test_model};

fn gemma() -> Option<String> {
    margin_engine::test_support::real_gemma().map(|p| p.display().to_string())
}

fn task<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["task"] == name)
        .unwrap()
}

#[tokio::test]
async fn each_task_runs_on_its_own_model_and_a_base_model_cannot_translate() {
    let (Some(smollm), Some(gemma)) = (test_model(), gemma()) else {
        return;
    };
    let options = json!({"model": smollm, "models": {"proofread": gemma, "translate": gemma}, "threads": 1, "debounceMs": 0, "translateTargets": ["de", "en"]});
    let mut client = start_resolving_client(options).await;
    let uri = "file:///w/notes.md";
    let doc = "# Notes\n\nShe dont like apples, but she eat them anyway.\n";
    client.open(uri, "markdown", doc).await;
    // Proofreading with the base model: the check completes (plain likelihood needs no template).
    let diagnostics = client.checked_diagnostics(uri, Some(1)).await;
    eprintln!("Gemma 3 270M findings: {diagnostics:?}");
    let status = client.request("margin/status", json!({})).await.unwrap();
    let proofread = task(&status, "proofread");
    assert_eq!(
        (proofread["state"].as_str(), proofread["from"].as_str()),
        (Some("ready"), Some("setting `models.proofread`")),
        "{status}"
    );
    assert_eq!(proofread["path"], gemma.as_str());
    assert_eq!(
        status["model"]["name"], "Gemma 3 270m",
        "the proofreading model, for older clients"
    );
    let suggest = task(&status, "suggest");
    assert_eq!(
        (suggest["path"].as_str(), suggest["from"].as_str()),
        (Some(smollm.as_str()), Some("setting `model`"))
    );
    assert_eq!(
        suggest["state"], "idle",
        "loaded only when suggestions are asked for"
    );
    // Translating with the base model: the action explains itself instead of editing.
    let range = json!({"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 20}});
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": []}}),
        )
        .await
        .unwrap();
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Translate to German")
        .cloned()
        .expect("offered");
    let resolved = client.request("codeAction/resolve", action).await.unwrap();
    assert!(resolved["edit"].is_null(), "{resolved}");
    let reason = resolved["disabled"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("is a base model (no chat template): it can proofread but not translate")
            && reason.contains("models.translate"),
        "{reason}"
    );
    let errors: Vec<Value> = client
        .received("window/showMessage")
        .into_iter()
        .filter(|m| m["params"]["type"] == 1)
        .collect();
    assert_eq!(errors.len(), 1, "shown once: {errors:?}");
    // The doctor report, on request, says the same.
    let status = client
        .request("margin/status", json!({"doctor": true}))
        .await
        .unwrap();
    let doctor = &status["doctor"];
    assert_eq!(doctor["models"][0]["from"], "setting `models.proofread`");
    assert!(doctor["models"][1]["problem"]
        .as_str()
        .unwrap()
        .contains("can proofread but not translate"));
    assert!(
        doctor["caches"].is_array()
            && doctor["editors"].is_array()
            && doctor["threads"]["physicalCores"].is_number()
    );
    client.shutdown_and_exit().await;
}

#[tokio::test]
async fn status_names_each_tasks_model_and_the_doctor_report_says_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let (chat, base) = (dir.path().join("chat.gguf"), dir.path().join("base.gguf"));
    write_tiny_model(
        &chat,
        &TinyModelSpec {
            fim: false,
            ..Default::default()
        },
    )
    .unwrap();
    write_tiny_model(
        &base,
        &TinyModelSpec {
            seed: 3,
            chat_template: None,
            fim: false,
            ..Default::default()
        },
    )
    .unwrap();
    let options =
        json!({"model": chat, "models": {"translate": base}, "threads": 1, "debounceMs": 0});
    let mut client = start_resolving_client(options).await;
    let status = client.request("margin/status", json!({})).await.unwrap();
    assert!(
        status.get("doctor").is_none() && status.get("doctorText").is_none(),
        "only when asked: {status}"
    );
    let proofread = task(&status, "proofread");
    assert_eq!(
        (proofread["path"].as_str(), proofread["from"].as_str()),
        (chat.to_str(), Some("setting `model`")),
        "{status}"
    );
    assert_eq!(
        proofread["state"], "idle",
        "nothing loaded before a task needs it"
    );
    let translate = task(&status, "translate");
    assert_eq!(translate["state"], "failed");
    assert!(
        translate["problem"]
            .as_str()
            .unwrap()
            .contains("is a base model (no chat template)"),
        "{translate}"
    );
    assert_eq!(
        task(&status, "suggest")["from"],
        "setting `model`",
        "a chat model can suggest"
    );
    let status = client
        .request("margin/status", json!({"doctor": true}))
        .await
        .unwrap();
    let doctor = &status["doctor"];
    assert_eq!(doctor["models"][0]["path"], chat.to_str().unwrap());
    assert!(
        doctor["defaultNote"].is_null(),
        "every model was set: {}",
        doctor["defaultNote"]
    );
    let text = status["doctorText"].as_str().unwrap();
    for words in [
        "Models",
        "from setting `model`",
        "is a base model (no chat template)",
        "Caches",
        "Config files",
    ] {
        assert!(text.contains(words), "{words} in:\n{text}");
    }
    assert!(!text.contains('\x1b'), "no colour codes for editors");
    client.shutdown_and_exit().await;
}
