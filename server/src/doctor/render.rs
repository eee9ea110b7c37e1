//! The plain-text doctor report: sections of short lines, with colour (green for what works,
//! yellow for what is missing, red for problems) when writing to a terminal.

use std::fmt::Write;

use super::Report;

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
    fn ok(&self, s: &str) -> String {
        self.wrap("32", s)
    }
    fn warn(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    fn bad(&self, s: &str) -> String {
        self.wrap("31", s)
    }
    fn head(&self, s: &str) -> String {
        self.wrap("1", s)
    }
}

/// Human-readable size ("1.9 GB").
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GB", b as f64 / f64::from(1u32 << 30)),
        b if b >= 1 << 20 => format!("{} MB", b >> 20),
        b if b >= 1 << 10 => format!("{} KB", b >> 10),
        b => format!("{b} B"),
    }
}

/// The report as text.
pub fn text(r: &Report, colour: bool) -> String {
    let p = Paint(colour);
    let mut out = String::new();
    let _ = writeln!(out, "{}", p.head(&format!("margin {}", r.version)));
    let _ = writeln!(out, "\n{}", p.head("Models"));
    for m in &r.models {
        let task = m.task.label();
        match (&m.reference, &m.problem) {
            (Some(reference), _) => {
                let what = [m.params.clone(), m.quantization.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", ");
                let _ = writeln!(out, "  {task:<17} {} ({what})", p.ok(reference));
                let _ = writeln!(
                    out,
                    "  {:<17} from {}",
                    "",
                    m.from.as_deref().unwrap_or("?")
                );
                if let Some(path) = &m.path {
                    let _ = writeln!(out, "  {:<17} {}", "", path.display());
                }
            }
            (None, problem) => {
                let _ = writeln!(
                    out,
                    "  {task:<17} {}",
                    p.bad(problem.as_deref().unwrap_or("no model"))
                );
            }
        }
    }
    if let Some(note) = &r.default_note {
        let _ = writeln!(out, "  {}", p.warn(note));
    }
    let _ = writeln!(out, "\n{}", p.head("Engine"));
    let _ = writeln!(
        out,
        "  backend           {} ({})",
        r.backend.name, r.backend.build
    );
    let busy = r
        .threads
        .busy_elsewhere
        .map_or_else(|| "unknown".to_owned(), |b| format!("{b:.1}"));
    let how = match r.threads.configured {
        Some(n) => format!("{n} (setting `threads`)"),
        None => format!(
            "{} (automatic: physical cores minus those busy elsewhere)",
            r.threads.would_use
        ),
    };
    let _ = writeln!(
        out,
        "  threads           {how}; {} physical cores, {busy} busy elsewhere",
        r.threads.physical_cores
    );
    let total = r
        .memory
        .total_mb
        .map_or_else(String::new, |t| format!(" of {}", size(t << 20)));
    let _ = writeln!(
        out,
        "  model memory      {}{total}, {}",
        size(r.memory.limit_mb << 20),
        r.memory.source
    );
    let _ = writeln!(out, "\n{}", p.head("Model stores"));
    for s in &r.stores {
        let dirs = s
            .dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let count = match s.models {
            0 => p.warn("no models"),
            1 => p.ok("1 model"),
            n => p.ok(&format!("{n} models")),
        };
        let _ = writeln!(out, "  {:<17} {count} in {dirs}", s.label);
        for skip in &s.skipped {
            let _ = writeln!(
                out,
                "  {:<17} {} {}: {}",
                "",
                p.warn("skipped"),
                skip.path.display(),
                skip.reason
            );
        }
    }
    let _ = writeln!(out, "\n{}", p.head("Caches"));
    for c in &r.caches {
        let what = c.bytes.map_or_else(|| p.warn("not created yet"), size);
        let _ = writeln!(out, "  {:<17} {what:>8}  {}", c.name, c.path.display());
    }
    let _ = writeln!(out, "\n{}", p.head("Dictionaries"));
    let names: Vec<String> = r
        .dictionaries
        .iter()
        .map(|d| format!("{} ({})", d.name, d.source))
        .collect();
    let _ = writeln!(out, "  {}", names.join(", "));
    let _ = writeln!(out, "\n{}", p.head("Config files"));
    for f in &r.config_files {
        let state = match (f.exists, f.problems.is_empty()) {
            (false, _) => p.warn("not present"),
            (true, true) => p.ok("read"),
            (true, false) => p.bad(&format!(
                "{} problem(s), defaults used for those keys",
                f.problems.len()
            )),
        };
        let _ = writeln!(out, "  {} — {state}", f.path.display());
        for problem in &f.problems {
            let _ = writeln!(out, "      {problem}");
        }
    }
    let _ = writeln!(out, "\n{}", p.head("Editors"));
    for e in &r.editors {
        let state = if e.set_up {
            p.ok("set up")
        } else {
            p.warn("not set up")
        };
        let _ = writeln!(out, "  {:<17} {state}: {}", e.name, e.detail);
    }
    out
}
