//! `margin eval proofread`: proofreading quality on public data, per model, in at most five
//! figures: the share of wrong learner sentences flagged, edit precision against the human
//! references, false flags per 100 clean paragraphs, median milliseconds per paragraph, and the
//! number of findings. `--calibrate` chooses the model's thresholds from the same data
//! (`margin_proofread::calibrate`), `--plot` draws precision against recall as the thresholds
//! move, `--dump` writes every scored candidate with its label (JSON lines).
//!
//! Every text goes through the same pipeline as `margin check` and the server (one text at a
//! time, so the milliseconds are those of one edited paragraph).

mod data;
mod plot;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use margin_engine::{Engine, EngineConfig};
use margin_proofread::calibrate::{calibrate, Labelled, Targets};
use margin_proofread::{Calibration, Dictionary};
use margin_syntax::Language;

use crate::checking::{admissible, prepare, CheckInput, Checker, Tuning};
use crate::config::{RewriteMode, Settings};

#[derive(clap::Subcommand, Debug)]
pub enum EvalCommand {
    /// Proofreading: learner sentences with references, and clean paragraphs.
    Proofread(ProofreadArgs),
}

#[derive(clap::Args, Debug)]
pub struct ProofreadArgs {
    /// JSON lines of `{"text": ..., "refs": [...]}` (e.g. JFLEG).
    #[arg(long, value_name = "FILE.jsonl", required_unless_present = "from_dump")]
    pub data: Option<PathBuf>,
    /// Clean Markdown: every finding on it is a false flag (may repeat).
    #[arg(long, value_name = "FILE.md")]
    pub clean: Vec<PathBuf>,
    /// Models to compare (model references: paths, `ollama:…`, `hf:…`, catalog names; default:
    /// the model `margin check` would use).
    #[arg(long, value_name = "REFERENCE")]
    pub model: Vec<PathBuf>,
    /// Use only the first N learner sentences and N clean paragraphs.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Choose the thresholds from this data and report with them (prints the calibration).
    #[arg(long)]
    pub calibrate: bool,
    /// Report with this calibration file instead of the model's own.
    #[arg(long, value_name = "FILE.json", conflicts_with = "calibrate")]
    pub calibration: Option<PathBuf>,
    /// With --calibrate: precision each kind must reach on the learner sentences.
    #[arg(long, value_name = "P", default_value_t = 0.65)]
    pub target_precision: f64,
    /// With --calibrate: the language of the data (other languages get only spelling
    /// corrections with the thresholds this calibration chooses).
    #[arg(long, default_value = "en")]
    pub language: String,
    /// With --calibrate: most false flags of a kind per 100 clean paragraphs (the goal is at
    /// most 2 over all kinds; the clean margin keeps each kind below its budget).
    #[arg(long, value_name = "N", default_value_t = 1.0)]
    pub max_clean_flags: f64,
    /// With --calibrate: nats kept between a threshold and the first clean-text candidate over
    /// the budget.
    #[arg(long, value_name = "NATS", default_value_t = 1.0)]
    pub clean_margin: f64,
    /// With --calibrate: also calibrate on every other text and report on the rest (both
    /// ways), an estimate of how the thresholds do on data they were not chosen on.
    #[arg(long, requires = "calibrate")]
    pub cross_validate: bool,
    /// With --calibrate: write each model's calibration to DIR/<fingerprint>.json.
    #[arg(long, value_name = "DIR", requires = "calibrate")]
    pub calibration_dir: Option<PathBuf>,
    /// Detection gate in nats (0: every word gets candidates; default: the shipped gate).
    #[arg(long, value_name = "NATS")]
    pub suspicion: Option<f32>,
    /// Draw precision against recall across thresholds, one line per model.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// Write every scored candidate with its label.
    #[arg(long, value_name = "FILE.jsonl")]
    pub dump: Option<PathBuf>,
    /// Read scored candidates from a --dump file instead of running models (recalibrate and
    /// report in seconds).
    #[arg(long, value_name = "FILE.jsonl", conflicts_with_all = ["model", "dump"])]
    pub from_dump: Option<PathBuf>,
    /// When the model's rewrite is a source of candidates (`always` gathers rewrite edits for
    /// calibration).
    #[arg(long, value_enum, default_value_t = RewriteArg::Auto)]
    pub rewrite: RewriteArg,
    /// llama.cpp threads (default: the load-aware policy).
    #[arg(long)]
    pub threads: Option<usize>,
    /// One JSON object per model instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also list every finding on the clean paragraphs (to read them: some may be real
    /// mistakes in the "clean" text).
    #[arg(long)]
    pub show_clean_flags: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum RewriteArg {
    Auto,
    Always,
    Never,
}

pub fn run(command: &EvalCommand) -> ExitCode {
    let EvalCommand::Proofread(args) = command;
    match proofread(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("margin eval: {e}");
            ExitCode::from(2)
        }
    }
}

/// One evaluated text: its labelled candidates and how long it took.
pub(crate) struct Evaluated {
    pub labelled: Labelled,
    pub wrong: bool,
    pub millis: f64,
}

fn proofread(args: &ProofreadArgs) -> Result<(), String> {
    if let Some(path) = &args.from_dump {
        let mut curves = Vec::new();
        for (name, evaluated) in report::load_dump(path)? {
            let calibration = conclude(args, &name, None, &evaluated)?;
            curves.push((name, report::curve(&evaluated, &calibration)));
        }
        if let Some(path) = &args.plot {
            plot::precision_recall(path, &curves)?;
        }
        return Ok(());
    }
    let mut items = data::learner(args.data.as_deref().ok_or("--data is required")?)?;
    let mut clean: Vec<String> = Vec::new();
    for path in &args.clean {
        clean.extend(data::clean(path)?);
    }
    if let Some(n) = args.limit {
        items.truncate(n);
        clean.truncate(n);
    }
    let models = if args.model.is_empty() {
        let settings = Settings::default();
        vec![
            crate::model::ModelKey::from_settings(&settings)
                .config(None)?
                .model_path,
        ]
    } else {
        // Each `--model` is a model reference (a path, `ollama:…`, `hf:…`, a catalog name…).
        let roots = margin_engine::models::Roots::from_env();
        let resolve = |m: &PathBuf| {
            margin_engine::models::resolve(&m.to_string_lossy(), &roots)
                .map(|r| r.path)
                .map_err(|e| e.to_string())
        };
        args.model
            .iter()
            .map(resolve)
            .collect::<Result<Vec<_>, _>>()?
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut curves = Vec::new();
    let mut dump = match &args.dump {
        Some(p) => Some(std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => None,
    };
    for model in &models {
        let mut cfg = EngineConfig::new(model);
        cfg.threads = args.threads;
        let engine = Engine::start(cfg).map_err(|e| e.to_string())?;
        let name = engine.model_info().name.clone();
        let suspicion = args
            .suspicion
            .unwrap_or(crate::checking::pipeline::SUSPICION_NATS);
        let checker = Checker::with_tuning(Tuning {
            cache: false,
            incremental: false,
            suspicion,
            all_kinds: args.calibrate,
        });
        let progress = indicatif::ProgressBar::new((items.len() + clean.len()) as u64);
        progress.set_style(
            indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        progress.set_message(name.clone());
        let mut evaluated = Vec::new();
        for item in &items {
            let (labelled, millis) = runtime.block_on(evaluate(
                &engine,
                &checker,
                args,
                &item.text,
                Language::PlainText,
                |r, rep| item.matches(r, rep),
            ))?;
            evaluated.push(Evaluated {
                labelled,
                wrong: item.wrong,
                millis,
            });
            progress.inc(1);
        }
        for paragraph in &clean {
            let (mut labelled, millis) = runtime.block_on(evaluate(
                &engine,
                &checker,
                args,
                paragraph,
                Language::Markdown,
                |_, _| false,
            ))?;
            labelled.clean = true;
            evaluated.push(Evaluated {
                labelled,
                wrong: false,
                millis,
            });
            progress.inc(1);
        }
        progress.finish_and_clear();
        if let Some(file) = dump.as_mut() {
            report::dump(file, &name, &evaluated).map_err(|e| e.to_string())?;
        }
        let shipped = checker.calibration(&engine).as_ref().clone();
        let fingerprint = engine.model_info().fingerprint.clone();
        let calibration = conclude(args, &name, Some((&fingerprint, shipped)), &evaluated)?;
        curves.push((name, report::curve(&evaluated, &calibration)));
    }
    if let Some(path) = &args.plot {
        plot::precision_recall(path, &curves)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// Calibrates (with `--calibrate`) or takes the model's calibration, prints the figures, and
/// returns the calibration used.
fn conclude(
    args: &ProofreadArgs,
    name: &str,
    model: Option<(&str, Calibration)>,
    evaluated: &[Evaluated],
) -> Result<Calibration, String> {
    let given = match &args.calibration {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            Some(
                serde_json::from_str::<Calibration>(&text)
                    .map_err(|e| format!("{}: {e}", path.display()))?,
            )
        }
        None => None,
    };
    let calibration = match model {
        _ if given.is_some() => given.expect("checked"),
        Some((_, shipped)) if !args.calibrate => shipped,
        None if !args.calibrate => Calibration::for_model(name).0,
        _ => {
            let labelled: Vec<Labelled> = evaluated.iter().map(|e| e.labelled.clone()).collect();
            let targets = Targets {
                precision: args.target_precision,
                clean_per_100: args.max_clean_flags,
                clean_margin: args.clean_margin,
                ..Targets::default()
            };
            let c = Calibration {
                languages: vec![args.language.clone()],
                ..calibrate(name, &labelled, &targets)
            };
            println!("{}", serde_json::to_string_pretty(&c).unwrap_or_default());
            if let (Some(dir), Some((fingerprint, _))) = (&args.calibration_dir, model) {
                let model = margin_proofread::verify::model_fingerprint(fingerprint);
                let path = dir.join(format!("{model}.json"));
                std::fs::write(
                    &path,
                    serde_json::to_string_pretty(&c).unwrap_or_default() + "\n",
                )
                .map_err(|e| e.to_string())?;
                eprintln!("wrote {}", path.display());
            }
            c
        }
    };
    let figures = report::figures(&evaluated.iter().collect::<Vec<_>>(), &calibration);
    report::print(name, evaluated, &figures, &calibration, args.json);
    if args.show_clean_flags {
        report::print_clean_flags(evaluated, &calibration);
    }
    if args.calibrate && args.cross_validate {
        let targets = Targets {
            precision: args.target_precision,
            clean_per_100: args.max_clean_flags,
            clean_margin: args.clean_margin,
            ..Targets::default()
        };
        for fold in 0..2 {
            let (train, test): (Vec<_>, Vec<_>) = evaluated
                .iter()
                .enumerate()
                .partition(|(i, _)| i % 2 == fold);
            let train: Vec<Labelled> = train.into_iter().map(|(_, e)| e.labelled.clone()).collect();
            let test: Vec<&Evaluated> = test.into_iter().map(|(_, e)| e).collect();
            let c = calibrate(name, &train, &targets);
            let f = report::figures(&test, &c);
            println!(
                "  held out (calibrated on half {fold}, measured on the other): flagged {:.1} %, precision {:.2}, false flags per 100 clean {:.1} ({:?})",
                100.0 * f.flagged,
                f.precision,
                f.false_flags_per_100,
                c.thresholds
            );
        }
    }
    Ok(calibration)
}

/// Scores one text through the pipeline; its admissible candidates labelled by `correct`.
async fn evaluate(
    engine: &Engine,
    checker: &Checker,
    args: &ProofreadArgs,
    text: &str,
    language: Language,
    correct: impl Fn(&std::ops::Range<usize>, &str) -> bool,
) -> Result<(Labelled, f64), String> {
    let rewrite = match args.rewrite {
        RewriteArg::Auto => RewriteMode::Auto,
        RewriteArg::Always => RewriteMode::Always,
        RewriteArg::Never => RewriteMode::Never,
    };
    let settings = Settings {
        language: "en".into(),
        rewrite,
        ..Settings::default()
    };
    let dictionary = Dictionary::default();
    let (regions, identifiers) = prepare(text, language, &settings)?;
    let input = CheckInput::new(text, language, &settings, &dictionary);
    let t0 = Instant::now();
    let scored = checker
        .score_document(engine, &input, &regions, &identifiers, |_, _, _| {})
        .await
        .map_err(|e| e.to_string())?;
    let millis = t0.elapsed().as_secs_f64() * 1e3;
    let mut labelled = Labelled {
        scored: Vec::new(),
        correct: Vec::new(),
        clean: false,
        technical: false,
    };
    for (region, pieces) in regions.iter().zip(scored) {
        for (range, scored) in pieces {
            let text = region.text[range.clone()].replace('\n', " ");
            labelled.technical |=
                crate::checking::is_technical(region, &range, &text, &identifiers);
            for mut s in admissible(region, range.clone(), &scored, &input, &identifiers) {
                // Document bytes, so findings compare with the references.
                let e = &mut s.candidate.edit;
                e.range =
                    region.doc_range_of(range.start + e.range.start..range.start + e.range.end);
                labelled.correct.push(correct(&e.range, &e.replacement));
                labelled.scored.push(s);
            }
        }
    }
    Ok((labelled, millis))
}
