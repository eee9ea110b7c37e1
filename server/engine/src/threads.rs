//! Thread policy for llama.cpp.
//!
//! llama.cpp's compute threads synchronise after every graph op by spinning. When there are
//! more of them than free cores, the spinner that lost its core stalls everyone: measured
//! 4.5x slower prefill with two threads while one of two cores was busy, and 5-100x with
//! OpenMP's spin-wait policy; a single thread was unaffected. So:
//!
//! * margin builds llama.cpp **without OpenMP** (`llama-cpp-2` default feature `openmp` is off);
//! * the default thread count is `physical cores - cores busy with other processes`, where
//!   "busy" is measured from `/proc/stat` minus margin's own CPU time (`/proc/self/stat`),
//!   sampled every 250 ms by a tiny background thread and averaged over about a second (the
//!   1-minute `/proc/loadavg` stands in before the first sample); a core counts as taken when
//!   others use more than a quarter of it; the result is clamped to `1..=8` and re-evaluated
//!   before every job, so a compiler holding a core drops margin to fewer threads instead of
//!   thrashing;
//! * `EngineConfig::threads` overrides the policy with a fixed count.
//!
//! Measured with `engine_bench --thread-matrix` (SmolLM2-135M Q4_1, AVX2 build, 2 cores, one
//! core kept busy by another process), ms per token:
//!
//! | threads | prefill idle | prefill busy | decode idle | decode busy |
//! |---------|--------------|--------------|-------------|-------------|
//! | 1       | 3.96         | 3.91         | 7.33        | 7.18        |
//! | 2       | 2.02         | 4.87         | 6.34        | 27.31       |
//!
//! Two threads with a busy core: 3.8x slower decode than one thread; one thread: unaffected.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// Physical cores available to this process (`core id` x `physical id` pairs from
/// `/proc/cpuinfo`, capped by the affinity-aware `available_parallelism`).
pub fn physical_cores() -> usize {
    let logical = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let physical = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|s| {
        let mut pairs = std::collections::HashSet::new();
        let (mut phys, mut core) = (None, None);
        for line in s.lines() {
            let mut kv = line.splitn(2, ':').map(str::trim);
            match (kv.next(), kv.next()) {
                (Some("physical id"), Some(v)) => phys = Some(v.to_owned()),
                (Some("core id"), Some(v)) => core = Some(v.to_owned()),
                (Some(""), _) | (None, _) => {
                    if let (Some(p), Some(c)) = (phys.take(), core.take()) {
                        pairs.insert((p, c));
                    }
                }
                _ => {}
            }
        }
        if let (Some(p), Some(c)) = (phys, core) {
            pairs.insert((p, c));
        }
        (!pairs.is_empty()).then_some(pairs.len())
    });
    physical.unwrap_or(logical).min(logical).max(1)
}

/// Jiffies: (busy, total) over all CPUs from `/proc/stat`.
fn proc_stat() -> Option<(u64, u64)> {
    let s = std::fs::read_to_string("/proc/stat").ok()?;
    let line = s.lines().next()?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    if v.len() < 5 {
        return None;
    }
    let total: u64 = v.iter().take(8).sum();
    let idle = v[3] + v[4];
    Some((total - idle, total))
}

/// Jiffies of CPU used by this process (utime + stime).
fn self_jiffies() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

fn loadavg1() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Cores busy with other processes over the next `window` (sampled twice; blocks for
/// `window`), if `/proc` can be read.
pub fn busy_elsewhere_over(window: Duration) -> Option<f64> {
    let first = read()?;
    std::thread::sleep(window);
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1) as f64;
    others_between(first, read()?, cpus)
}

/// Pure policy: threads to use given physical cores and cores busy with other work.
pub fn threads_for(physical: usize, busy_elsewhere: f64) -> usize {
    // A core counts as taken when someone else uses more than a quarter of it.
    let taken = (busy_elsewhere - 0.25).max(0.0).ceil() as usize;
    physical.saturating_sub(taken).clamp(1, 8)
}

/// How often the load sampler looks at `/proc/stat`.
const SAMPLE_EVERY: Duration = Duration::from_millis(250);

/// One reading of the counters.
#[derive(Clone, Copy)]
struct Reading {
    busy: u64,
    total: u64,
    own: u64,
}

fn read() -> Option<Reading> {
    let (busy, total) = proc_stat()?;
    Some(Reading {
        busy,
        total,
        own: self_jiffies()?,
    })
}

/// Cores used by other processes between two readings.
fn others_between(a: Reading, b: Reading, cpus: f64) -> Option<f64> {
    let dt = b.total.checked_sub(a.total)?;
    if dt == 0 {
        return None;
    }
    let others = b
        .busy
        .saturating_sub(a.busy)
        .saturating_sub(b.own.saturating_sub(a.own)) as f64;
    Some((others / dt as f64 * cpus).max(0.0))
}

/// Load-aware thread count. A small background thread (plain std, no llama.cpp) samples
/// `/proc/stat` every 250 ms and keeps a short moving average of the cores other processes
/// use, so the count reacts within about a second when a compiler starts or stops.
#[derive(Debug)]
pub struct ThreadPolicy {
    fixed: Option<usize>,
    physical: usize,
    /// f64 bits of the averaged busy-elsewhere cores; NaN until the first interval.
    busy: Arc<AtomicU64>,
}

impl ThreadPolicy {
    /// `fixed` = configured thread count (policy and sampler disabled).
    pub fn new(fixed: Option<usize>) -> Self {
        let busy = Arc::new(AtomicU64::new(f64::NAN.to_bits()));
        if fixed.is_none() {
            if let Some(first) = read() {
                let weak: Weak<AtomicU64> = Arc::downgrade(&busy);
                let cpus = std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1) as f64;
                let _ = std::thread::Builder::new()
                    .name("margin-load".into())
                    .spawn(move || {
                        let mut prev = first;
                        let mut avg: Option<f64> = None;
                        loop {
                            std::thread::sleep(SAMPLE_EVERY);
                            let Some(cell) = weak.upgrade() else { return };
                            let Some(now) = read() else { return };
                            if let Some(x) = others_between(prev, now, cpus) {
                                let v = avg.map_or(x, |a| 0.5 * a + 0.5 * x);
                                avg = Some(v);
                                cell.store(v.to_bits(), Ordering::Relaxed);
                            }
                            prev = now;
                        }
                    });
            }
        }
        Self {
            fixed: fixed.map(|n| n.max(1)),
            physical: physical_cores(),
            busy,
        }
    }

    /// Cores currently busy with other processes (averaged), if known.
    pub fn busy_elsewhere(&self) -> Option<f64> {
        let v = f64::from_bits(self.busy.load(Ordering::Relaxed));
        (!v.is_nan()).then_some(v)
    }

    /// Threads to use for the next job.
    pub fn threads(&mut self) -> usize {
        if let Some(n) = self.fixed {
            return n;
        }
        // Before the first interval: the 1-minute load average (which may include us) as a hint.
        let busy = self
            .busy_elsewhere()
            .or_else(|| loadavg1().map(|l| (l - 1.0).max(0.0)));
        threads_for(self.physical, busy.unwrap_or(0.0))
    }

    /// Physical cores seen at start-up.
    pub fn physical(&self) -> usize {
        self.physical
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_leaves_busy_cores_alone() {
        assert_eq!(threads_for(2, 0.0), 2);
        assert_eq!(threads_for(2, 0.2), 2);
        assert_eq!(threads_for(2, 0.9), 1);
        assert_eq!(threads_for(2, 1.0), 1);
        assert_eq!(threads_for(2, 3.0), 1);
        assert_eq!(threads_for(16, 0.0), 8);
        assert_eq!(threads_for(4, 1.3), 2);
    }

    #[test]
    fn physical_cores_is_sane() {
        let n = physical_cores();
        assert!(n >= 1 && n <= std::thread::available_parallelism().unwrap().get());
    }

    #[test]
    fn sampler_sees_another_process_spinning() {
        let mut p = ThreadPolicy::new(None);
        let mut child = std::process::Command::new("sh")
            .args(["-c", "while :; do :; done"])
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(1600));
        let busy = p.busy_elsewhere();
        let n = p.threads();
        child.kill().unwrap();
        let _ = child.wait();
        let busy = busy.expect("sampled");
        assert!(
            busy >= 0.7,
            "a spinning process should count as ~1 busy core, got {busy}"
        );
        assert!(
            n < p.physical() || p.physical() == 1,
            "threads {n} with {busy} busy cores"
        );
    }

    #[test]
    fn fixed_threads_win() {
        assert_eq!(ThreadPolicy::new(Some(3)).threads(), 3);
        let mut p = ThreadPolicy::new(None);
        let n = p.threads();
        assert!((1..=8).contains(&n));
    }
}
