//! Draft tracking for speculative rewrite decoding: follows where in the source token sequence
//! the output currently is, proposes the next K source tokens as the draft, and re-syncs after
//! divergences by searching the last few generated tokens in the source. Pure logic; the
//! verification (one batch, greedy check, KV rollback) lives in the generation loop.

use llama_cpp_2::token::LlamaToken;

/// Longest suffix of the output searched in the source when re-syncing.
const RESYNC_MAX: usize = 4;

/// Position tracker over a draft source.
#[derive(Debug, Clone)]
pub struct DraftTracker {
    source: Vec<LlamaToken>,
    /// Index of the source token expected next; `None` while lost.
    pos: Option<usize>,
    /// Where we were before getting lost (to prefer nearby re-sync points).
    last_pos: usize,
}

impl DraftTracker {
    /// Starts at the beginning of `source`.
    pub fn new(source: Vec<LlamaToken>) -> Self {
        Self {
            source,
            pos: Some(0),
            last_pos: 0,
        }
    }

    /// Up to `k` drafted tokens (empty while lost or at the end of the source).
    pub fn propose(&self, k: usize) -> &[LlamaToken] {
        match self.pos {
            Some(p) if p < self.source.len() => &self.source[p..(p + k).min(self.source.len())],
            _ => &[],
        }
    }

    /// Records one emitted token; `output` is the whole output so far, ending with `token`.
    pub fn advance(&mut self, token: LlamaToken, output: &[LlamaToken]) {
        if let Some(p) = self.pos {
            if self.source.get(p) == Some(&token) {
                self.pos = Some(p + 1);
                self.last_pos = p + 1;
                return;
            }
        }
        self.pos = self.resync(output);
        if let Some(p) = self.pos {
            self.last_pos = p;
        }
    }

    fn resync(&self, output: &[LlamaToken]) -> Option<usize> {
        for n in (1..=RESYNC_MAX.min(output.len())).rev() {
            let needle = &output[output.len() - n..];
            let best = self
                .source
                .windows(n)
                .enumerate()
                .filter(|(_, w)| *w == needle)
                .map(|(i, _)| i + n)
                .min_by_key(|&end| end.abs_diff(self.last_pos));
            if best.is_some() {
                return best;
            }
        }
        None
    }

    /// Current source position (for tests/metrics).
    pub fn position(&self) -> Option<usize> {
        self.pos
    }
}

/// Largest verification batch the controller keeps statistics for.
const MAX_BATCH: usize = 33;

/// Chooses how many tokens to draft per step from measured decode costs per batch size (an
/// exponential moving average per size; sizes never seen are interpolated between measured
/// neighbours, or extrapolated proportionally) and the observed per-token draft acceptance `a`.
/// It maximises the expected tokens per second `(1 - a^(k+1)) / (1 - a) / t(1 + k)`. When
/// decoding is compute-bound (cost linear in the batch size, typical for tiny models on few
/// CPU cores) drafting cannot pay and `k = 0`; when per-call overhead or memory bandwidth
/// dominates, long drafts win. Every 16th step drafts the maximum anyway to keep the large-batch
/// costs measured.
#[derive(Debug, Clone)]
pub struct SpecController {
    cost: [Option<f64>; MAX_BATCH + 1],
    accepted: f64,
    proposed: f64,
    steps: u64,
}

impl Default for SpecController {
    fn default() -> Self {
        // Prior: optimistic acceptance, so the first steps draft and produce cost samples.
        Self {
            cost: [None; MAX_BATCH + 1],
            accepted: 4.0,
            proposed: 5.0,
            steps: 0,
        }
    }
}

impl SpecController {
    /// Records a decode call of `batch` tokens (all with logits) that took `secs`.
    pub fn observe_decode(&mut self, batch: usize, secs: f64) {
        self.steps += 1;
        if let Some(c) = self.cost.get_mut(batch) {
            *c = Some(c.map_or(secs, |old| 0.7 * old + 0.3 * secs));
        }
    }

    /// Records a verification: `accepted` of `proposed` draft tokens.
    pub fn observe_acceptance(&mut self, proposed: usize, accepted: usize) {
        self.proposed = self.proposed * 0.9 + proposed as f64;
        self.accepted = self.accepted * 0.9 + accepted as f64;
    }

    /// Estimated seconds for a decode of `b` tokens, if anything has been measured.
    pub fn cost(&self, b: usize) -> Option<f64> {
        let b = b.min(MAX_BATCH);
        if let Some(c) = self.cost[b] {
            return Some(c);
        }
        let below = (1..b).rev().find_map(|i| self.cost[i].map(|c| (i, c)));
        let above = (b + 1..=MAX_BATCH).find_map(|i| self.cost[i].map(|c| (i, c)));
        match (below, above) {
            (Some((i, ci)), Some((j, cj))) => {
                Some(ci + (cj - ci) * (b - i) as f64 / (j - i) as f64)
            }
            (Some((i, ci)), None) => Some(ci * b as f64 / i as f64),
            (None, Some((j, cj))) => Some(cj * b as f64 / j as f64),
            (None, None) => None,
        }
    }

    /// Draft length for the next step, `0..=max_k`.
    pub fn draft_len(&self, max_k: usize) -> usize {
        let max_k = max_k.min(MAX_BATCH - 1);
        if max_k == 0 {
            return 0;
        }
        // Measure what is missing: the full draft size, then the single-token baseline.
        if self.cost[1 + max_k].is_none() || self.steps % 16 == 15 {
            return max_k;
        }
        if self.cost[1].is_none() {
            return 0;
        }
        let a = (self.accepted / self.proposed.max(1e-9)).clamp(0.0, 0.999);
        let rate = |k: usize| {
            let t = self.cost(1 + k).unwrap_or(f64::INFINITY).max(1e-9);
            (1.0 - a.powi(k as i32 + 1)) / (1.0 - a) / t
        };
        (0..=max_k)
            .max_by(|&x, &y| rate(x).total_cmp(&rate(y)))
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod controller_tests {
    use super::SpecController;

    fn feed(c: &mut SpecController, cost: impl Fn(usize) -> f64) {
        for b in [1usize, 9, 1, 5, 1, 9, 3, 1] {
            c.observe_decode(b, cost(b));
        }
    }

    #[test]
    fn controller_drafts_only_when_it_pays() {
        // Compute-bound: t(b) = 10ms * b -> never draft.
        let mut c = SpecController::default();
        feed(&mut c, |b| 0.010 * b as f64);
        c.observe_acceptance(8, 7);
        assert_eq!(c.draft_len(8), 0);
        // Overhead-bound: t(b) = 10ms + 1ms * b -> long drafts with high acceptance.
        let mut c = SpecController::default();
        feed(&mut c, |b| 0.010 + 0.001 * b as f64);
        assert!((c.cost(7).unwrap() - 0.017).abs() < 1e-9, "interpolated");
        c.observe_acceptance(8, 8);
        assert!(c.draft_len(8) >= 6, "{}", c.draft_len(8));
        // ... but short ones when drafts keep failing.
        for _ in 0..40 {
            c.observe_acceptance(8, 0);
        }
        assert!(c.draft_len(8) <= 1);
    }

    #[test]
    fn unmeasured_controller_explores() {
        assert_eq!(SpecController::default().draft_len(8), 8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[i32]) -> Vec<LlamaToken> {
        v.iter().map(|&x| LlamaToken::new(x)).collect()
    }

    fn feed(tr: &mut DraftTracker, out: &mut Vec<LlamaToken>, tok: i32) {
        out.push(LlamaToken::new(tok));
        tr.advance(LlamaToken::new(tok), out);
    }

    #[test]
    fn follows_identical_output() {
        let mut tr = DraftTracker::new(t(&[1, 2, 3, 4, 5]));
        let mut out = vec![];
        assert_eq!(tr.propose(3), t(&[1, 2, 3]).as_slice());
        feed(&mut tr, &mut out, 1);
        feed(&mut tr, &mut out, 2);
        assert_eq!(tr.propose(8), t(&[3, 4, 5]).as_slice());
    }

    #[test]
    fn resyncs_after_insertion_and_deletion() {
        let mut tr = DraftTracker::new(t(&[10, 11, 12, 13, 14, 15, 16]));
        let mut out = vec![];
        feed(&mut tr, &mut out, 10);
        feed(&mut tr, &mut out, 99); // inserted token: lost
        assert_eq!(tr.position(), None);
        assert!(tr.propose(4).is_empty());
        feed(&mut tr, &mut out, 11); // back on track
        assert_eq!(tr.propose(2), t(&[12, 13]).as_slice());
        feed(&mut tr, &mut out, 14); // deleted 12, 13
        assert_eq!(tr.propose(2), t(&[15, 16]).as_slice());
    }

    #[test]
    fn prefers_nearby_match() {
        let mut tr = DraftTracker::new(t(&[5, 1, 2, 3, 5, 6, 7, 5, 8]));
        let mut out = vec![];
        for x in [5, 1, 2, 3] {
            feed(&mut tr, &mut out, x);
        }
        feed(&mut tr, &mut out, 42);
        feed(&mut tr, &mut out, 5); // nearest 5 is at index 4 -> next 6
        assert_eq!(tr.propose(1), t(&[6]).as_slice());
    }
}
