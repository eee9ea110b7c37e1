//! The figures of `margin eval proofread`, the precision/recall curve and the candidate dump.

use std::io::Write;

use margin_proofread::{decide, Calibration, Overrides};
use serde_json::json;

use super::Evaluated;

/// At most five figures, as the evaluation literature advises.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Figures {
    /// Share of wrong learner sentences with at least one finding.
    pub flagged: f64,
    /// Findings on learner sentences that equal a reference edit, over all of them.
    pub precision: f64,
    /// Findings on clean paragraphs per 100 of them.
    pub false_flags_per_100: f64,
    /// Median time to check one text (sentence or paragraph), milliseconds.
    pub median_ms: f64,
    /// All findings.
    pub findings: usize,
}

/// (findings, correct findings) of one text under `cal`.
fn judged(e: &Evaluated, cal: &Calibration) -> (usize, usize) {
    let verdicts = decide(&e.labelled.scored, cal, &Overrides::new(), 0.5);
    let correct = verdicts
        .iter()
        .filter(|v| {
            e.labelled
                .scored
                .iter()
                .zip(&e.labelled.correct)
                .any(|(s, &ok)| ok && s.candidate == v.candidate)
        })
        .count();
    (verdicts.len(), correct)
}

pub fn figures(all: &[&Evaluated], cal: &Calibration) -> Figures {
    let (mut wrong, mut flagged, mut learner_findings, mut correct, mut clean, mut clean_flags) =
        (0, 0, 0, 0, 0, 0);
    for e in all {
        let (n, ok) = judged(e, cal);
        if e.labelled.clean {
            clean += 1;
            clean_flags += n;
        } else {
            learner_findings += n;
            correct += ok;
            if e.wrong {
                wrong += 1;
                flagged += usize::from(n > 0);
            }
        }
    }
    let mut ms: Vec<f64> = all.iter().map(|e| e.millis).collect();
    ms.sort_by(f64::total_cmp);
    Figures {
        flagged: flagged as f64 / wrong.max(1) as f64,
        precision: correct as f64 / learner_findings.max(1) as f64,
        false_flags_per_100: 100.0 * clean_flags as f64 / clean.max(1) as f64,
        median_ms: ms.get(ms.len() / 2).copied().unwrap_or(0.0),
        findings: learner_findings + clean_flags,
    }
}

/// Every finding on a clean paragraph: the paragraph's number among the clean ones, the edit,
/// its kind and gain.
pub fn print_clean_flags(all: &[Evaluated], cal: &Calibration) {
    let clean = all.iter().filter(|e| e.labelled.clean);
    for (n, e) in clean.enumerate() {
        for v in decide(&e.labelled.scored, cal, &Overrides::new(), 0.5) {
            let edit = &v.candidate.edit;
            println!(
                "  clean paragraph {n}: '{}' → '{}' ({}, confidence {:.2})",
                edit.original,
                edit.replacement,
                v.candidate.kind.name(),
                v.confidence
            );
        }
    }
}

pub fn print(model: &str, all: &[Evaluated], f: &Figures, cal: &Calibration, json: bool) {
    let shown: Vec<String> = cal
        .thresholds
        .iter()
        .map(|(k, t)| format!("{} ≥ {t:.2}", k.name()))
        .collect();
    let tried = |k: &margin_proofread::EditKind| {
        all.iter()
            .any(|e| e.labelled.scored.iter().any(|s| s.candidate.kind == *k))
    };
    let kinds = margin_proofread::EditKind::ALL;
    let hidden: Vec<&str> = kinds
        .iter()
        .filter(|k| !cal.thresholds.contains_key(k) && tried(k))
        .map(|k| k.name())
        .collect();
    let untried: Vec<&str> = kinds
        .iter()
        .filter(|k| !cal.thresholds.contains_key(k) && !tried(k))
        .map(|k| k.name())
        .collect();
    if json {
        let v = json!({"model": model, "figures": f, "thresholds": cal.thresholds, "not_shown": hidden, "no_candidates": untried});
        println!("{v}");
        return;
    }
    println!("{model}");
    println!(
        "  wrong sentences flagged       {:>6.1} %",
        100.0 * f.flagged
    );
    println!("  edit precision                {:>6.2}", f.precision);
    println!(
        "  false flags per 100 clean     {:>6.1}",
        f.false_flags_per_100
    );
    println!("  median ms per text            {:>6.0}", f.median_ms);
    println!("  findings                      {:>6}", f.findings);
    println!("  shown: {}", shown.join(", "));
    if !hidden.is_empty() {
        println!(
            "  not shown on this model (cannot reach the precision goal): {}",
            hidden.join(", ")
        );
    }
    if !untried.is_empty() {
        println!(
            "  no candidates of these kinds in this run: {}",
            untried.join(", ")
        );
    }
}

/// (recall, precision) points as every threshold moves by the same offset; recall is the
/// share of wrong sentences with at least one correct finding.
pub fn curve(all: &[Evaluated], cal: &Calibration) -> Vec<(f64, f64)> {
    let mut points = Vec::new();
    for step in -12..=24 {
        let shift = step as f64 * 0.5;
        let mut moved = cal.clone();
        moved.thresholds.values_mut().for_each(|t| *t += shift);
        let (mut wrong, mut hit, mut found, mut correct) = (0, 0, 0, 0);
        for e in all.iter().filter(|e| !e.labelled.clean) {
            let (n, ok) = judged(e, &moved);
            found += n;
            correct += ok;
            if e.wrong {
                wrong += 1;
                hit += usize::from(ok > 0);
            }
        }
        if found > 0 {
            points.push((
                hit as f64 / wrong.max(1) as f64,
                correct as f64 / found as f64,
            ));
        }
    }
    points
}

/// One JSON line per admissible scored candidate.
pub fn dump(out: &mut impl Write, model: &str, all: &[Evaluated]) -> std::io::Result<()> {
    for (i, e) in all.iter().enumerate() {
        for (s, ok) in e.labelled.scored.iter().zip(&e.labelled.correct) {
            let c = &s.candidate;
            let line = json!({
                "model": model, "item": i, "clean": e.labelled.clean, "wrong": e.wrong, "millis": e.millis,
                "kind": c.kind, "start": c.edit.range.start, "end": c.edit.range.end,
                "original": c.edit.original, "replacement": c.edit.replacement,
                "gain": s.gain, "original_tokens": s.original_tokens, "variant_tokens": s.variant_tokens,
                "surprise": s.surprise, "correct": ok, "technical": s.technical,
            });
            writeln!(out, "{line}")?;
        }
        if e.labelled.scored.is_empty() {
            let line = json!({
                "model": model, "item": i, "clean": e.labelled.clean, "wrong": e.wrong, "millis": e.millis, "kind": null,
                "technical": e.labelled.technical,
            });
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

#[derive(serde::Deserialize)]
struct DumpLine {
    model: String,
    item: usize,
    clean: bool,
    wrong: bool,
    #[serde(default)]
    millis: f64,
    kind: Option<margin_proofread::EditKind>,
    #[serde(default)]
    start: usize,
    #[serde(default)]
    end: usize,
    #[serde(default)]
    original: String,
    #[serde(default)]
    replacement: String,
    #[serde(default)]
    gain: f64,
    #[serde(default)]
    original_tokens: u32,
    #[serde(default)]
    variant_tokens: u32,
    #[serde(default)]
    surprise: f32,
    #[serde(default)]
    correct: bool,
    #[serde(default)]
    technical: bool,
}

/// Evaluated texts per model from a `--dump` file (to recalibrate without the model).
pub fn load_dump(path: &std::path::Path) -> Result<Vec<(String, Vec<Evaluated>)>, String> {
    use margin_proofread::calibrate::Labelled;
    use margin_proofread::{Candidate, Category, Edit, Scored};
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut models: Vec<(String, Vec<Evaluated>)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let d: DumpLine =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        if models.last().is_none_or(|(m, _)| *m != d.model) {
            models.push((d.model.clone(), Vec::new()));
        }
        let items = &mut models.last_mut().expect("pushed").1;
        while items.len() <= d.item {
            let labelled = Labelled {
                scored: Vec::new(),
                correct: Vec::new(),
                clean: d.clean,
                technical: false,
            };
            items.push(Evaluated {
                labelled,
                wrong: d.wrong,
                millis: d.millis,
            });
        }
        items[d.item].labelled.technical |= d.technical;
        if let Some(kind) = d.kind {
            // The category only phrases messages; the eval does not read it.
            let edit = Edit {
                range: d.start..d.end,
                original: d.original,
                replacement: d.replacement,
                category: Category::Style,
            };
            let scored = Scored {
                candidate: Candidate { edit, kind },
                gain: d.gain,
                original_tokens: d.original_tokens,
                variant_tokens: d.variant_tokens,
                surprise: d.surprise,
                technical: d.technical,
            };

            items[d.item].labelled.scored.push(scored);
            items[d.item].labelled.correct.push(d.correct);
        }
    }
    Ok(models)
}
