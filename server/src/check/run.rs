//! One pass of `margin check` over its files: prepared files (read, compared with the base,
//! parsed on the pool of [`super::files`]) go to the model one at a time, through the one
//! `proofread()` the server uses too. What cannot be checked is said once on stderr, naming
//! the file, and the pass goes on. On a terminal, bars follow the files and the current
//! file's regions.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use margin_engine::{Engine, Priority};
use margin_syntax::Language;

use super::changed::Base;
use super::files::{prepare_all, Ready};
use crate::checking::{proofread, Checker, DocumentInput, Finding, UserChoices};
use crate::cli_input::FileProblem;
use crate::config::Settings;
use crate::region_limit::MAX_REGION_BYTES;
use crate::stores::Stores;

/// A checked file with findings.
pub struct FileFindings {
    pub path: PathBuf,
    pub text: String,
    pub findings: Vec<Finding>,
}

/// What a pass found and what it could not check.
#[derive(Default)]
pub struct Report {
    /// Files with findings, by path.
    pub files: Vec<FileFindings>,
    /// Files not checked, or not fully, and why ("skipped: …"), by path.
    pub not_checked: Vec<(PathBuf, String)>,
    /// Files given to the pass.
    pub file_count: usize,
    /// Files whose text was checked (fully or not), or found unchanged since the base.
    pub checked_files: usize,
    /// Of those, files identical to their base version (`--changed-since`).
    pub unchanged_files: usize,
}

impl Report {
    pub fn finding_count(&self) -> usize {
        self.files.iter().map(|f| f.findings.len()).sum()
    }
}

/// What a pass needs besides its files.
pub struct Pass<'a> {
    pub engine: &'a Engine,
    pub checker: &'a Checker,
    pub settings: &'a Settings,
    pub stores: &'a Stores,
    pub base: Option<Arc<Base>>,
    /// Threads that read and parse files.
    pub threads: usize,
    /// Draw progress bars (on a terminal).
    pub progress: bool,
}

impl Pass<'_> {
    pub async fn run(&self, files: Vec<(PathBuf, Language)>) -> Report {
        let mut report = Report {
            file_count: files.len(),
            ..Report::default()
        };
        let bars = MultiProgress::with_draw_target(if self.progress {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        });
        let style = |t: &str| {
            ProgressStyle::with_template(t).unwrap_or_else(|_| ProgressStyle::default_bar())
        };
        let file_bar = bars.add(ProgressBar::new(files.len() as u64));
        file_bar.set_style(style("{pos}/{len} files {wide_msg}"));
        let region_bar = bars.add(ProgressBar::new(0));
        region_bar.set_style(style("  {bar:30} {pos}/{len} regions {elapsed}"));
        let say = |message: String| bars.suspend(|| eprintln!("margin: {message}"));
        let mut prepared = prepare_all(files, self.settings, self.base.clone(), self.threads);
        while let Some(file) = prepared.recv().await {
            file_bar.set_message(file.path.display().to_string());
            region_bar.reset();
            let on_region = |done: usize, total: usize, _: &[Finding]| {
                region_bar.set_length(total as u64);
                region_bar.set_position(done as u64);
            };
            let outcome = match file.outcome {
                Ok(ready) => {
                    self.check(&file.path, file.language, ready, on_region)
                        .await
                }
                Err(problem) => Err(problem),
            };
            match outcome {
                Ok(Checked::Unchanged) => {
                    report.checked_files += 1;
                    report.unchanged_files += 1;
                }
                Ok(Checked::Text {
                    findings,
                    text,
                    unchecked,
                }) => {
                    report.checked_files += 1;
                    if unchecked > 0 {
                        let why = format!("skipped: {unchecked} bytes of over-long prose regions (only the first {MAX_REGION_BYTES} bytes of each are checked)");
                        say(format!("{}: {why}", file.path.display()));
                        report.not_checked.push((file.path.clone(), why));
                    }
                    if !findings.is_empty() {
                        report.files.push(FileFindings {
                            path: file.path,
                            text,
                            findings,
                        });
                    }
                }
                Err(FileProblem::Skipped(why)) => {
                    say(format!("{}: skipped: {why}", file.path.display()));
                    report
                        .not_checked
                        .push((file.path, format!("skipped: {why}")));
                }
                Err(FileProblem::Failed(e)) => {
                    say(format!("{}: {e}", file.path.display()));
                    report.not_checked.push((file.path, e));
                }
            }
            for problem in self.checker.take_problems() {
                say(problem);
            }
            file_bar.inc(1);
        }
        region_bar.finish_and_clear();
        file_bar.finish_and_clear();
        report.files.sort_by(|a, b| a.path.cmp(&b.path));
        report.not_checked.sort();
        report
    }

    async fn check(
        &self,
        path: &std::path::Path,
        language: Language,
        ready: Ready,
        on_region: impl FnMut(usize, usize, &[Finding]),
    ) -> Result<Checked, FileProblem> {
        if ready.same_as_base {
            return Ok(Checked::Unchanged);
        }
        let key = self.stores.file_key(path);
        let ignored = |k: &margin_proofread::FindingKey| self.stores.ignores.is_ignored(&key, k);
        let choices = UserChoices {
            disabled: self.stores.ignores.is_disabled(&key),
            dictionary: &self.stores.dictionary,
            ignored: &ignored,
        };
        let doc = DocumentInput {
            text: ready.text.clone(),
            language,
            tree: ready.tree,
            focus: None,
            priority: Priority::Interactive,
            cancel: Arc::new(AtomicBool::new(false)),
            unchanged: ready.unchanged,
        };
        let checked = proofread(
            self.engine,
            self.checker,
            doc,
            self.settings,
            &choices,
            on_region,
        )
        .await
        .map_err(|e| FileProblem::Failed(e.to_string()))?;
        let unchecked = checked.unchecked.iter().map(|r| r.len()).sum();
        Ok(Checked::Text {
            findings: checked.findings,
            text: ready.text,
            unchecked,
        })
    }
}

enum Checked {
    /// Identical to the base version: nothing to check.
    Unchanged,
    /// Findings in `text`, and the bytes left out by the per-region bound.
    Text {
        findings: Vec<Finding>,
        text: String,
        unchecked: usize,
    },
}
