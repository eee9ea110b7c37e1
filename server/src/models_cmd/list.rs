//! `margin models list [--json]`: every model found, one row each: the short name to use, the
//! store, size, parameters, quantization, training context, chat template and FIM tokens
//! yes/no, the tasks it suits, and where the file lives.

use std::process::ExitCode;

use margin_engine::models::{self, task, Found, Roots, Store, Task};
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    name: String,
    reference: String,
    store: Store,
    location: String,
    file: String,
    size_bytes: u64,
    architecture: String,
    params: u64,
    quantization: Option<String>,
    context: Option<u64>,
    chat_template: bool,
    fim: bool,
    suits: Vec<Task>,
}

impl Row {
    fn new(m: &Found) -> Self {
        Row {
            name: m.short.clone(),
            reference: m.reference.clone(),
            store: m.store,
            location: m.location.display().to_string(),
            file: m.file.display().to_string(),
            size_bytes: m.facts.file_size,
            architecture: m.facts.architecture.clone(),
            params: m.facts.n_params,
            quantization: m.facts.quantization.clone(),
            context: m.facts.context_length,
            chat_template: m.facts.has_chat_template,
            fim: m.facts.fim,
            suits: task::suits(&m.facts),
        }
    }
}

pub fn run(json: bool) -> ExitCode {
    let found = models::discover(&Roots::from_env());
    let rows: Vec<Row> = found.models.iter().map(Row::new).collect();
    if json {
        match serde_json::to_string_pretty(&rows) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("margin: {e}");
                return ExitCode::from(2);
            }
        }
    } else if rows.is_empty() {
        println!("No models found. `margin models pull qwen2.5-3b` (prose) or `margin models pull qwen2.5-coder-1.5b` (code) downloads one; `margin doctor` shows where margin looked.");
    } else {
        print!("{}", table(&rows));
    }
    if !found.skipped.is_empty() {
        eprintln!(
            "margin: {} file(s) skipped (`margin doctor` says which and why)",
            found.skipped.len()
        );
    }
    ExitCode::SUCCESS
}

fn table(rows: &[Row]) -> String {
    let yes = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let header = [
        "NAME", "STORE", "SIZE", "PARAMS", "QUANT", "CONTEXT", "CHAT", "FIM", "SUITS", "FILE",
    ]
    .map(str::to_owned);
    let cells: Vec<[String; 10]> = rows
        .iter()
        .map(|r| {
            let suits: Vec<&str> = r.suits.iter().map(|t| t.name()).collect();
            [
                r.name.clone(),
                r.store.label().to_owned(),
                crate::doctor::size(r.size_bytes),
                task::params_label(r.params),
                r.quantization.clone().unwrap_or_else(|| "?".into()),
                r.context.map_or_else(|| "?".into(), |c| c.to_string()),
                yes(r.chat_template),
                yes(r.fim),
                if suits.is_empty() {
                    "-".into()
                } else {
                    suits.join(",")
                },
                r.location.clone(),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..10)
        .map(|i| {
            cells
                .iter()
                .map(|c| c[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |c: &[String; 10]| {
        let mut s: String = c
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{v:<w$}  "))
            .collect();
        s.truncate(s.trim_end().len());
        s + "\n"
    };
    std::iter::once(line(&header))
        .chain(cells.iter().map(line))
        .collect()
}
