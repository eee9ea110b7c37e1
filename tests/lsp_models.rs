//! A model per task through the protocol with both real models (`MARGIN_TEST_MODEL`,
//! SmolLM2-135M-Instruct, and `MARGIN_TEST_GEMMA`, Gemma 3 270M, a base model without a chat
//! template; required under CI): Gemma proofreads by plain likelihood while SmolLM2 (the `model`
//! setting) serves the other tasks, `margin/status` names each task's model and where it came
//! from, a translate action on the base model says why it cannot translate, and
//! `{"doctor": true}` adds the doctor report.

mod support;

use serde_json::{json, Value};
use support::{start_resolving_client, test_model};

fn gemma() -> Option<String> {
    margin_engine::test_support::real_gemma().map(|p| p.display().to_string())
}

fn task<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["models"].as_array().unwrap().iter().find(|m| m["task"] == name).unwrap()
}

#[tokio::test]
async fn each_task_runs_on_its_own_model_and_a_base_model_cannot_translate() {
    let (Some(smollm), Some(gemma)) = (test_model(), gemma()) else { return };
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
    assert_eq!((proofread["state"].as_str(), proofread["from"].as_str()), (Some("ready"), Some("setting `models.proofread`")), "{status}");
    assert_eq!(proofread["path"], gemma.as_str());
    assert_eq!(status["model"]["name"], "Gemma 3 270m", "the proofreading model, for older clients");
    let suggest = task(&status, "suggest");
    assert_eq!((suggest["path"].as_str(), suggest["from"].as_str()), (Some(smollm.as_str()), Some("setting `model`")));
    assert_eq!(suggest["state"], "idle", "loaded only when suggestions are asked for");
    // Translating with the base model: the action explains itself instead of editing.
    let range = json!({"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 20}});
    let actions = client
        .request("textDocument/codeAction", json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": []}}))
        .await
        .unwrap();
    let action = actions.as_array().unwrap().iter().find(|a| a["title"] == "Translate to German").cloned().expect("offered");
    let resolved = client.request("codeAction/resolve", action).await.unwrap();
    assert!(resolved["edit"].is_null(), "{resolved}");
    let reason = resolved["disabled"]["reason"].as_str().unwrap();
    assert!(reason.contains("is a base model (no chat template): it can proofread but not translate") && reason.contains("models.translate"), "{reason}");
    let errors: Vec<Value> = client.received("window/showMessage").into_iter().filter(|m| m["params"]["type"] == 1).collect();
    assert_eq!(errors.len(), 1, "shown once: {errors:?}");
    // The doctor report, on request, says the same.
    let status = client.request("margin/status", json!({"doctor": true})).await.unwrap();
    let doctor = &status["doctor"];
    assert_eq!(doctor["models"][0]["from"], "setting `models.proofread`");
    assert!(doctor["models"][1]["problem"].as_str().unwrap().contains("can proofread but not translate"));
    assert!(doctor["caches"].is_array() && doctor["editors"].is_array() && doctor["threads"]["physicalCores"].is_number());
    client.shutdown_and_exit().await;
}
