//! Choosing a model's thresholds from labelled data (`margin eval proofread --calibrate`).
//!
//! Each candidate that passed the filters comes with a label: on learner text, whether a human
//! corrector made the same edit; on clean text, never. For each kind of edit the threshold is
//! the lowest gain at which the findings of that kind reach the target precision (with enough
//! of them to tell) and stay under the clean-text false-flag budget; a kind that cannot is
//! left out, so it is never shown on that model. Per kind, the lead the best alternative for a
//! word must have over the runner-up and the length penalty are picked from small grids as the
//! ones that find the most correct edits (ties: the smaller penalty and lead).

use std::collections::BTreeMap;

use crate::candidates::EditKind;
use crate::verify::{Calibration, Scored, Threshold};

/// The candidates of one evaluated text.
#[derive(Clone, Debug)]
pub struct Labelled {
    pub scored: Vec<Scored>,
    /// Per candidate: a reference makes this edit.
    pub correct: Vec<bool>,
    /// Clean text (every finding is false).
    pub clean: bool,
    /// Technical text (see [`Calibration::technical`]).
    pub technical: bool,
}

/// What the thresholds must reach.
#[derive(Clone, Copy, Debug)]
pub struct Targets {
    /// Precision of each kind's findings on learner text.
    pub precision: f64,
    /// Fewest findings of a kind (on learner text) to trust its precision.
    pub min_findings: usize,
    /// Most false flags of a kind per 100 clean texts.
    pub clean_per_100: f64,
    /// Distance (nats) kept between a threshold and the first clean-text candidate it would
    /// let through: clean text of the same kind but not in the data has candidates just
    /// above the highest seen.
    pub clean_margin: f64,
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            precision: 0.65,
            min_findings: 8,
            clean_per_100: 1.0,
            clean_margin: 1.0,
        }
    }
}

/// A word's alternatives of one kind: the best one's gain, its lead over the runner-up (or the
/// original text), and whether it is correct.
struct Site {
    gain: f64,
    lead: f64,
    correct: bool,
}

/// What is taken off a candidate's gain before it meets a threshold (see
/// [`Scored::gain_with`]).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Penalties {
    per_token: f64,
    first_letter: f64,
}

/// The sites of a kind in one text (overlapping candidates compete; the best gain stands).
fn sites(item: &Labelled, kind: EditKind, p: Penalties) -> Vec<Site> {
    // (range, best gain, second gain, correct)
    let mut best: Vec<(std::ops::Range<usize>, f64, f64, bool)> = Vec::new();
    for (s, &ok) in item
        .scored
        .iter()
        .zip(&item.correct)
        .filter(|(s, _)| s.candidate.kind == kind)
    {
        let gain = s.gain_with(p.per_token, p.first_letter);
        let r = &s.candidate.edit.range;
        match best
            .iter_mut()
            .find(|(q, ..)| q.start < r.end.max(r.start + 1) && r.start < q.end.max(q.start + 1))
        {
            Some(site) if site.1 < gain => (site.1, site.2, site.3) = (gain, site.1, ok),
            Some(site) => site.2 = site.2.max(gain),
            None => best.push((r.clone(), gain, 0.0, ok)),
        }
    }
    best.into_iter()
        .map(|(_, gain, second, correct)| Site {
            gain,
            lead: gain - second.max(0.0),
            correct,
        })
        .collect()
}

/// Leads tried per kind.
const LEADS: [f64; 6] = [0.0, 1.0, 2.0, 3.0, 4.0, 6.0];

/// Lowest threshold for one kind at a given lead, with the correct findings it keeps, if the
/// kind can make it.
fn threshold(
    items: &[&Labelled],
    kind: EditKind,
    p: Penalties,
    lead: f64,
    t: &Targets,
) -> Option<(f64, usize)> {
    let clean_texts = items.iter().filter(|i| i.clean).count();
    // (gain, correct, clean)
    let mut all: Vec<(f64, bool, bool)> = items
        .iter()
        .flat_map(|i| {
            sites(i, kind, p)
                .into_iter()
                .filter(|s| s.lead >= lead)
                .map(move |s| (s.gain, s.correct, i.clean))
        })
        .collect();
    all.sort_by(|a, b| b.0.total_cmp(&a.0));
    // The gain of the first clean candidate over the budget: thresholds stay `clean_margin`
    // above it.
    let allowed = (t.clean_per_100 * clean_texts as f64 / 100.0).floor() as usize;
    let floor = all
        .iter()
        .filter(|x| x.2)
        .nth(allowed)
        .map_or(f64::NEG_INFINITY, |x| x.0 + t.clean_margin);
    let (mut good, mut found, mut clean_flags) = (0usize, 0usize, 0usize);
    let mut best = None;
    for (n, &(gain, ok, clean)) in all.iter().enumerate() {
        if clean {
            clean_flags += 1;
        } else {
            found += 1;
            good += usize::from(ok);
        }
        // Only between distinct gains: a threshold keeps all candidates with equal gain.
        if all.get(n + 1).is_some_and(|next| next.0 == gain) {
            continue;
        }
        let precision = good as f64 / found.max(1) as f64;
        let clean_rate = 100.0 * clean_flags as f64 / clean_texts.max(1) as f64;
        if gain < floor {
            break;
        }
        if found >= t.min_findings && precision >= t.precision && clean_rate <= t.clean_per_100 {
            best = Some((gain, good));
        }
    }
    best
}

/// The threshold of a kind in technical text: at least `prose`, and `clean_margin` above the
/// first technical clean-text candidate over the false-flag budget (or off when that is beyond
/// any gain a correction reaches). `None`: the prose threshold does.
fn technical_threshold(
    clean: &[&Labelled],
    kind: EditKind,
    p: Penalties,
    lead: f64,
    prose: f64,
    t: &Targets,
) -> Option<Threshold> {
    let mut gains: Vec<f64> = clean
        .iter()
        .flat_map(|i| sites(i, kind, p))
        .filter(|s| s.lead >= lead)
        .map(|s| s.gain)
        .collect();
    gains.sort_by(|a, b| b.total_cmp(a));
    let allowed = (t.clean_per_100 * clean.len() as f64 / 100.0).floor() as usize;
    let needed = gains.get(allowed)? + t.clean_margin;
    if needed <= prose {
        None
    } else if needed > MAX_TECHNICAL {
        Some(Threshold::Off)
    } else {
        Some(Threshold::Nats((needed * 100.0).ceil() / 100.0))
    }
}

/// A technical-text threshold above this is as good as off.
const MAX_TECHNICAL: f64 = 30.0;

/// Length penalties tried per kind.
const PER_TOKEN: [f64; 4] = [0.0, 0.5, 1.0, 2.0];

/// First-letter penalties tried per kind.
const FIRST_LETTER: [f64; 4] = [0.0, 2.0, 4.0, 8.0];

/// Thresholds for `model` from `items`: per kind, the length penalty, lead and threshold that
/// keep the most correct findings within the targets.
pub fn calibrate(model: &str, items: &[Labelled], targets: &Targets) -> Calibration {
    let mut cal = Calibration {
        model: model.to_string(),
        thresholds: BTreeMap::new(),
        technical: BTreeMap::new(),
        per_extra_token: BTreeMap::new(),
        first_letter: BTreeMap::new(),
        leads: BTreeMap::new(),
        languages: Vec::new(),
        note: format!(
            "per kind: lowest gain reaching precision {:.2} with at least {} findings and at most {:.1} false flags per 100 clean texts; in technical text also {:.1} nats above the clean-text candidates over that budget",
            targets.precision, targets.min_findings, targets.clean_per_100, targets.clean_margin
        ),
    };
    let prose: Vec<&Labelled> = items.iter().filter(|i| !i.technical).collect();
    let technical: Vec<&Labelled> = items.iter().filter(|i| i.technical && i.clean).collect();
    let tried: Vec<(Penalties, f64)> = PER_TOKEN
        .iter()
        .flat_map(|&per_token| {
            FIRST_LETTER
                .iter()
                .map(move |&first_letter| (per_token, first_letter))
        })
        .flat_map(|(per_token, first_letter)| {
            LEADS.iter().map(move |&l| {
                (
                    Penalties {
                        per_token,
                        first_letter,
                    },
                    l,
                )
            })
        })
        .collect();
    for kind in EditKind::ALL {
        // The most correct findings; on a tie, the smallest penalties and lead.
        let best = tried
            .iter()
            .filter_map(|&(p, l)| threshold(&prose, kind, p, l, targets).map(|(t, g)| (p, l, t, g)))
            .max_by(|a, b| {
                a.3.cmp(&b.3)
                    .then(b.0.per_token.total_cmp(&a.0.per_token))
                    .then(b.0.first_letter.total_cmp(&a.0.first_letter))
                    .then(b.1.total_cmp(&a.1))
            });
        if let Some((p, lead, t, _)) = best {
            cal.thresholds.insert(kind, (t * 100.0).floor() / 100.0);
            if let Some(tech) = technical_threshold(&technical, kind, p, lead, t, targets) {
                cal.technical.insert(kind, tech);
            }
            if p.per_token != 0.0 {
                cal.per_extra_token.insert(kind, p.per_token);
            }
            if p.first_letter != 0.0 {
                cal.first_letter.insert(kind, p.first_letter);
            }
            if lead > 0.0 {
                cal.leads.insert(kind, lead);
            }
        }
    }
    cal
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::candidates::Candidate;

    fn item(text: &str, cands: &[(&str, &str, EditKind, f64, bool)], clean: bool) -> Labelled {
        let scored = cands
            .iter()
            .map(|(w, to, kind, gain, _)| {
                let start = text.find(w).unwrap();
                Scored {
                    candidate: Candidate::new(text, start..start + w.len(), *to, *kind),
                    gain: *gain,
                    original_tokens: 1,
                    variant_tokens: 1,
                    surprise: 0.0,
                    technical: false,
                }
            })
            .collect();
        Labelled {
            scored,
            correct: cands.iter().map(|c| c.4).collect(),
            clean,
            technical: false,
        }
    }

    #[test]
    fn thresholds_reach_the_precision_and_hopeless_kinds_are_left_out() {
        let mut items = Vec::new();
        // Spelling: correct at high gains, wrong at low ones.
        for i in 0..20 {
            let gain = i as f64;
            items.push(item(
                "They siences it.",
                &[("siences", "sciences", EditKind::Spelling, gain, i >= 8)],
                false,
            ));
        }
        // Confusables: never right.
        for i in 0..20 {
            items.push(item(
                "Go their now.",
                &[("their", "there", EditKind::Confusable, i as f64, false)],
                false,
            ));
        }
        let cal = calibrate(
            "m",
            &items,
            &Targets {
                precision: 0.9,
                min_findings: 5,
                clean_per_100: 100.0,
                clean_margin: 0.0,
            },
        );
        let t = cal.thresholds[&EditKind::Spelling];
        assert!((7.0..=8.0).contains(&t), "{cal:?}");
        assert!(
            !cal.thresholds.contains_key(&EditKind::Confusable),
            "{cal:?}"
        );
    }

    /// Twenty learner sentences whose correct spelling fix gains 10 to 29 nats.
    fn learner_corrections() -> Vec<Labelled> {
        (0..20)
            .map(|i| {
                let fix = (
                    "siences",
                    "sciences",
                    EditKind::Spelling,
                    10.0 + i as f64,
                    true,
                );
                item("They siences it.", &[fix], false)
            })
            .collect()
    }

    /// Calibrated on [`learner_corrections`], `flagged` and 99 clean texts of its kind (prose or
    /// technical) without candidates: the budget of 0.5 per 100 allows no clean false flag.
    fn with_one_clean_flag(flagged: Labelled) -> Calibration {
        let mut items = learner_corrections();
        for _ in 0..99 {
            let mut clean = item("A fine text.", &[], true);
            clean.technical = flagged.technical;
            items.push(clean);
        }
        items.push(flagged);
        calibrate(
            "m",
            &items,
            &Targets {
                precision: 0.5,
                min_findings: 5,
                clean_per_100: 0.5,
                clean_margin: 1.0,
            },
        )
    }

    #[test]
    fn clean_text_false_flags_raise_the_threshold() {
        let cal = with_one_clean_flag(item(
            "A fine text.",
            &[("fine", "find", EditKind::Spelling, 15.5, false)],
            true,
        ));
        assert!(
            cal.thresholds[&EditKind::Spelling] >= 16.5,
            "a margin above the clean false flag: {cal:?}"
        );
        assert!(cal.thresholds[&EditKind::Spelling] > 15.5, "{cal:?}");
    }

    #[test]
    fn technical_clean_text_raises_only_the_technical_threshold() {
        let mut flagged = item(
            "Use semver here.",
            &[("semver", "server", EditKind::Spelling, 15.5, false)],
            true,
        );
        flagged.technical = true;
        let cal = with_one_clean_flag(flagged);
        assert!(cal.thresholds[&EditKind::Spelling] <= 10.0, "{cal:?}");
        assert_eq!(
            cal.technical[&EditKind::Spelling],
            Threshold::Nats(16.5),
            "{cal:?}"
        );
    }

    #[test]
    fn a_clean_false_flag_that_changes_the_first_letter_is_priced_not_the_corrections() {
        // The learner corrections keep their first letter ("siences" → "sciences"); the clean
        // text's name does not ("ureq" → "freq"). A first-letter penalty lets the threshold
        // drop below it and keep more corrections.
        let cal = with_one_clean_flag(item(
            "Use ureq here.",
            &[("ureq", "freq", EditKind::Spelling, 25.0, false)],
            true,
        ));
        assert_eq!(
            cal.first_letter.get(&EditKind::Spelling),
            Some(&8.0),
            "{cal:?}"
        );
        assert!(cal.thresholds[&EditKind::Spelling] <= 18.0, "{cal:?}");
    }
}
