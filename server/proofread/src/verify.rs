//! Verification: which scored candidates become findings.
//!
//! A candidate's *gain* is how much more likely the model finds the text with the edit than
//! without it, as a plain language model, from the edit to the end of its sentence (natural
//! log). A candidate is shown only when its gain passes the threshold of its [`EditKind`] in
//! the model's [`Calibration`]; kinds the calibration leaves out are never shown for that
//! model. Where candidates overlap (alternatives for one word), the one with the largest
//! margin over its threshold is the only one considered.
//!
//! Calibrations are measured with `margin eval proofread --calibrate` on public data and
//! shipped in `calibration/<model fingerprint>.json`; a model without one gets
//! [`Calibration::conservative`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::candidates::{Candidate, EditKind};

/// Per-model thresholds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// The model it was measured on (for people reading the file).
    pub model: String,
    /// Minimum gain (nats) per kind; a kind missing here is not shown on this model.
    pub thresholds: BTreeMap<EditKind, f64>,
    /// Per kind, for technical text (prose with inline code or links, code comments and
    /// strings), where unknown words are mostly names: a higher threshold, or "off". A kind
    /// missing here uses its threshold above.
    #[serde(default)]
    pub technical: BTreeMap<EditKind, Threshold>,
    /// Per kind: subtracted from the gain per token the variant has more than the original
    /// over the compared stretch (a shorter text is more likely for free; a longer one pays).
    #[serde(default)]
    pub per_extra_token: BTreeMap<EditKind, f64>,
    /// Per kind: subtracted from the gain when the edit changes the word's first letter.
    /// People seldom get a word's first letter wrong, while the nearest dictionary word to a
    /// name often differs there (`ureq` → `freq`, `aho` → `rho`).
    #[serde(default)]
    pub first_letter: BTreeMap<EditKind, f64>,
    /// Per kind: how far the best alternative for a word must lead the second best (nats).
    /// When the model hesitates between two corrections ("wark": war or ware?), neither is
    /// shown.
    #[serde(default)]
    pub leads: BTreeMap<EditKind, f64>,
    /// The languages the thresholds were measured on. In any other language only spelling
    /// corrections (to a word of that language's dictionary) are shown: the gains of the other
    /// kinds are not comparable across languages. Empty: every language.
    #[serde(default)]
    pub languages: Vec<String>,
    /// How it was measured (data, precision reached), for `margin eval` and people.
    #[serde(default)]
    pub note: String,
}

/// Shipped calibrations: (model fingerprint, JSON), made by `margin eval proofread --calibrate
/// --calibration-dir server/proofread/calibration` on `../shared/eval`.
const SHIPPED: &[(&str, &str)] = &[
    // SmolLM2-135M-Instruct Q4_1 (`margin models pull smollm2-135m`).
    (
        "8a293e3f326aff95",
        include_str!("../calibration/8a293e3f326aff95.json"),
    ),
];

/// The model file's part of an engine fingerprint (see [`Calibration::shipped`]).
pub fn model_fingerprint(fingerprint: &str) -> &str {
    fingerprint.split('+').next().unwrap_or(fingerprint)
}

impl Calibration {
    /// For a model without a calibration: only spelling corrections with a large gain.
    pub fn conservative() -> Calibration {
        Calibration {
            model: "uncalibrated".into(),
            thresholds: [(EditKind::Spelling, 6.0)].into_iter().collect(),
            technical: [(EditKind::Spelling, Threshold::Nats(12.0))]
                .into_iter()
                .collect(),
            per_extra_token: [(EditKind::Spelling, 1.0)].into_iter().collect(),
            first_letter: [(EditKind::Spelling, 4.0)].into_iter().collect(),
            leads: [(EditKind::Spelling, 3.0)].into_iter().collect(),
            languages: Vec::new(),
            note: "no calibration for this model: only confident spelling corrections are shown"
                .into(),
        }
    }

    /// The shipped calibration of the model with `fingerprint`, if there is one. A tag after
    /// `+` names how the engine runs the model's weights (an F16 copy for scoring: the same
    /// values up to rounding), not another model, so it does not change the calibration.
    pub fn shipped(fingerprint: &str) -> Option<Calibration> {
        let model = model_fingerprint(fingerprint);
        SHIPPED
            .iter()
            .find(|(f, _)| *f == model)
            .and_then(|(_, json)| serde_json::from_str(json).ok())
    }

    /// The calibration for `fingerprint`: shipped, else conservative (and `false`).
    pub fn for_model(fingerprint: &str) -> (Calibration, bool) {
        match Calibration::shipped(fingerprint) {
            Some(c) => (c, true),
            None => (Calibration::conservative(), false),
        }
    }

    /// Whether `kind` can be shown in text of `language` (see [`Calibration::languages`]).
    pub fn covers(&self, kind: EditKind, language: Option<&str>) -> bool {
        kind == EditKind::Spelling
            || self.languages.is_empty()
            || language.is_some_and(|l| self.languages.iter().any(|m| m == l))
    }

    /// The threshold of `kind`, after user overrides (`None` = not shown).
    pub fn threshold(&self, kind: EditKind, overrides: &Overrides) -> Option<f64> {
        match overrides.get(&kind) {
            Some(Threshold::Off) => None,
            Some(Threshold::Nats(n)) => Some(*n),
            None => self.thresholds.get(&kind).copied(),
        }
    }

    /// The threshold of `kind` in technical text or not, after user overrides (which apply to
    /// both).
    pub fn threshold_in(
        &self,
        kind: EditKind,
        technical: bool,
        overrides: &Overrides,
    ) -> Option<f64> {
        if overrides.contains_key(&kind) || !technical {
            return self.threshold(kind, overrides);
        }
        match self.technical.get(&kind) {
            Some(Threshold::Off) => None,
            Some(Threshold::Nats(n)) => Some(*n),
            None => self.threshold(kind, overrides),
        }
    }
}

/// A user's per-kind setting.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Threshold {
    /// Minimum gain in nats.
    Nats(f64),
    /// Never show this kind.
    #[serde(with = "off")]
    Off,
}

mod off {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("off")
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<(), D::Error> {
        match String::deserialize(d)?.as_str() {
            "off" => Ok(()),
            other => Err(serde::de::Error::custom(format!(
                "expected a number or \"off\", found \"{other}\""
            ))),
        }
    }
}

/// Per-kind overrides from settings.
pub type Overrides = BTreeMap<EditKind, Threshold>;

/// A candidate with the model's verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub candidate: Candidate,
    /// Log-likelihood gain of the edit (see the module docs).
    pub gain: f64,
    pub original_tokens: u32,
    pub variant_tokens: u32,
    /// How much the model was surprised at the edited word (top log-probability minus the
    /// word's, nats; see the detection pass).
    #[serde(default)]
    pub surprise: f32,
    /// The text is technical (see [`Calibration::technical`]); set when deciding, not cached.
    #[serde(default)]
    pub technical: bool,
}

impl Scored {
    /// The gain with the length effect and the first-letter penalty of `cal` taken out.
    pub fn adjusted_gain(&self, cal: &Calibration) -> f64 {
        let kind = self.candidate.kind;
        let of = |m: &BTreeMap<EditKind, f64>| m.get(&kind).copied().unwrap_or(0.0);
        self.gain_with(of(&cal.per_extra_token), of(&cal.first_letter))
    }

    /// The gain less `per_extra_token` per token the variant has more than the original, and
    /// less `first_letter` when the edit changes the word's first letter.
    pub fn gain_with(&self, per_extra_token: f64, first_letter: f64) -> f64 {
        let extra = self.variant_tokens as f64 - self.original_tokens as f64;
        let first = if self.candidate.changes_first_letter() {
            first_letter
        } else {
            0.0
        };
        self.gain - per_extra_token * extra - first
    }
}

/// A shown finding: the candidate and a confidence in 0..1 (0.5 at the threshold).
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub candidate: Candidate,
    pub confidence: f32,
}

fn sigmoid(x: f64) -> f32 {
    (1.0 / (1.0 + (-x).exp())) as f32
}

/// How far `s` leads the best other alternative for the same range (or the original text).
fn lead(s: &Scored, all: &[Scored], cal: &Calibration) -> f64 {
    let gain = s.adjusted_gain(cal);
    let second = all
        .iter()
        .filter(|o| o.candidate.edit.range == s.candidate.edit.range && o.candidate != s.candidate)
        .map(|o| o.adjusted_gain(cal))
        .fold(0.0, f64::max);
    gain - second
}

/// The findings among `scored`: each candidate's margin over its kind's threshold must reach
/// `logit(min_confidence)` (0 at the default 0.5) and it must lead the other alternatives for
/// its words by its kind's lead; of overlapping candidates only the best margin counts.
pub fn decide(
    scored: &[Scored],
    cal: &Calibration,
    overrides: &Overrides,
    min_confidence: f32,
) -> Vec<Verdict> {
    let p = min_confidence.clamp(0.001, 0.999) as f64;
    let need = (p / (1.0 - p)).ln();
    let mut ranked: Vec<(f64, &Scored)> = scored
        .iter()
        .filter_map(|s| {
            let t = cal.threshold_in(s.candidate.kind, s.technical, overrides)?;
            let margin = s.adjusted_gain(cal) - t;
            let short =
                cal.leads.get(&s.candidate.kind).copied().unwrap_or(0.0) - lead(s, scored, cal);
            // A hesitant best alternative still blocks the others (it stays in the ranking).
            Some((
                if short > 0.0 {
                    margin.min(need - short)
                } else {
                    margin
                },
                s,
            ))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut taken: Vec<&Scored> = Vec::new();
    let mut out = Vec::new();
    for (margin, s) in ranked {
        let r = &s.candidate.edit.range;
        let overlaps = |o: &&Scored| {
            let q = &o.candidate.edit.range;
            (r.start < q.end && q.start < r.end)
                || r == q
                || (r.is_empty() && q.start <= r.start && r.start <= q.end)
        };
        if taken.iter().any(overlaps) {
            continue;
        }
        taken.push(s);
        if margin >= need {
            out.push(Verdict {
                candidate: s.candidate.clone(),
                confidence: sigmoid(margin),
            });
        }
    }
    out.sort_by_key(|v| v.candidate.edit.range.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored(text: &str, word: &str, to: &str, kind: EditKind, gain: f64) -> Scored {
        let start = text.find(word).unwrap();
        Scored {
            candidate: Candidate::new(text, start..start + word.len(), to, kind),
            gain,
            original_tokens: 2,
            variant_tokens: 2,
            surprise: 0.0,
            technical: false,
        }
    }

    fn cal() -> Calibration {
        Calibration {
            model: "test".into(),
            thresholds: [(EditKind::Spelling, 2.0), (EditKind::Agreement, 5.0)]
                .into_iter()
                .collect(),
            technical: [(EditKind::Agreement, Threshold::Off)]
                .into_iter()
                .collect(),
            per_extra_token: [(EditKind::Spelling, 0.5)].into_iter().collect(),
            first_letter: BTreeMap::new(),
            leads: BTreeMap::new(),
            languages: Vec::new(),
            note: String::new(),
        }
    }

    #[test]
    fn thresholds_depend_on_the_kind_and_uncalibrated_kinds_are_never_shown() {
        let t = "She eat siences every day.";
        let s = [
            scored(t, "eat", "eats", EditKind::Agreement, 4.0),
            scored(t, "siences", "sciences", EditKind::Spelling, 3.0),
            scored(t, "every", "each", EditKind::Confusable, 50.0),
        ];
        let v = decide(&s, &cal(), &Overrides::new(), 0.5);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].candidate.edit.replacement, "sciences");
        assert!(v[0].confidence > 0.5);
        // A user override turns a kind on, or off.
        let on: Overrides = [
            (EditKind::Confusable, Threshold::Nats(10.0)),
            (EditKind::Spelling, Threshold::Off),
        ]
        .into();
        let v = decide(&s, &cal(), &on, 0.5);
        assert_eq!(
            v.iter()
                .map(|v| v.candidate.edit.replacement.as_str())
                .collect::<Vec<_>>(),
            ["each"]
        );
        // A higher minConfidence asks for a larger margin.
        assert!(decide(&s, &cal(), &Overrides::new(), 0.9).is_empty());
    }

    #[test]
    fn of_alternatives_for_one_word_only_the_best_counts() {
        let t = "They siences it.";
        let s = [
            scored(t, "siences", "sciences", EditKind::Spelling, 3.0),
            scored(t, "siences", "science", EditKind::Spelling, 9.0),
        ];
        let v = decide(&s, &cal(), &Overrides::new(), 0.5);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].candidate.edit.replacement, "science");
    }

    #[test]
    fn technical_text_has_its_own_thresholds() {
        let t = "She eat siences every day.";
        let mut s = [
            scored(t, "eat", "eats", EditKind::Agreement, 6.0),
            scored(t, "siences", "sciences", EditKind::Spelling, 3.0),
        ];
        assert_eq!(decide(&s, &cal(), &Overrides::new(), 0.5).len(), 2);
        s.iter_mut().for_each(|s| s.technical = true);
        let v = decide(&s, &cal(), &Overrides::new(), 0.5);
        assert_eq!(
            v.iter().map(|v| v.candidate.kind).collect::<Vec<_>>(),
            [EditKind::Spelling],
            "agreement is off in technical text"
        );
        // A user override applies everywhere.
        let on: Overrides = [(EditKind::Agreement, Threshold::Nats(5.0))].into();
        assert_eq!(decide(&s, &cal(), &on, 0.5).len(), 2);
    }

    #[test]
    fn a_correction_that_barely_beats_another_is_not_shown() {
        let t = "Go to wark now.";
        let s = [
            scored(t, "wark", "war", EditKind::Spelling, 9.2),
            scored(t, "wark", "ware", EditKind::Spelling, 8.2),
        ];
        let mut c = cal();
        assert_eq!(decide(&s, &c, &Overrides::new(), 0.5).len(), 1);
        c.leads.insert(EditKind::Spelling, 2.0);
        assert!(
            decide(&s, &c, &Overrides::new(), 0.5).is_empty(),
            "war leads ware by 1 nat only"
        );
        let clear = [
            scored(t, "wark", "work", EditKind::Spelling, 12.0),
            s[0].clone(),
        ];
        assert_eq!(
            decide(&clear, &c, &Overrides::new(), 0.5)[0]
                .candidate
                .edit
                .replacement,
            "work"
        );
    }

    #[test]
    fn longer_variants_pay_for_their_extra_tokens() {
        let t = "It is alot.";
        let mut s = scored(t, "alot", "a lot", EditKind::Spelling, 2.4);
        s.variant_tokens = 3;
        s.original_tokens = 2;
        assert!(decide(&[s.clone()], &cal(), &Overrides::new(), 0.5).is_empty());
        s.gain = 2.6;
        assert_eq!(decide(&[s], &cal(), &Overrides::new(), 0.5).len(), 1);
    }

    #[test]
    fn shipped_calibrations_parse_and_show_spelling() {
        for (fingerprint, json) in SHIPPED {
            let c: Calibration =
                serde_json::from_str(json).unwrap_or_else(|e| panic!("{fingerprint}: {e}"));
            assert!(
                c.thresholds.contains_key(&EditKind::Spelling),
                "{fingerprint}: {c:?}"
            );
            assert_eq!(Calibration::for_model(fingerprint), (c.clone(), true));
            // The engine's tag for scoring on an F16 copy keeps the model's calibration.
            let tagged = format!("{fingerprint}+f16");
            assert_eq!(Calibration::for_model(&tagged), (c, true));
        }
    }

    #[test]
    fn overrides_read_numbers_and_off() {
        let o: Overrides =
            serde_json::from_str(r#"{"spelling": 3.5, "rewording": "off"}"#).unwrap();
        assert_eq!(o[&EditKind::Spelling], Threshold::Nats(3.5));
        assert_eq!(o[&EditKind::Rewording], Threshold::Off);
        assert!(serde_json::from_str::<Overrides>(r#"{"spelling": "loud"}"#).is_err());
        assert!(!Calibration::for_model("no such model").1);
    }
}
