//! Prefix reuse bookkeeping: what each slot's KV sequence holds, and the plan for a new prompt
//! (keep the longest common prefix, drop the rest, decode only the tail). Pure logic; the
//! worker applies the plan to llama.cpp.

use llama_cpp_2::token::LlamaToken;

/// Tokens currently held by one slot's KV sequence, positions `0..tokens.len()`.
#[derive(Debug, Default, Clone)]
pub struct SlotState {
    /// Exactly the tokens in the KV cache for this slot, in position order.
    pub tokens: Vec<LlamaToken>,
}

/// How to turn the slot's cache into the new prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReusePlan {
    /// Tokens kept from the cache (positions `0..keep`).
    pub keep: usize,
    /// Tokens to decode (`prompt.len() - keep`, always >= 1 so the last prompt position has
    /// fresh logits).
    pub evaluate: usize,
}

/// Length of the longest common prefix.
pub fn common_prefix(a: &[LlamaToken], b: &[LlamaToken]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Plans reuse of `cached` for `prompt` (which must be non-empty).
pub fn plan(cached: &[LlamaToken], prompt: &[LlamaToken]) -> ReusePlan {
    debug_assert!(!prompt.is_empty());
    // The logits of the last prompt token are not cached, so it is always re-evaluated.
    let keep = common_prefix(cached, prompt).min(prompt.len().saturating_sub(1));
    ReusePlan {
        keep,
        evaluate: prompt.len() - keep,
    }
}

/// Removes tokens from the middle of `stable` so that `stable.len() + rest <= budget`, keeping
/// the first and last halves of what remains. Returns `None` if even an empty stable prefix
/// would not fit.
pub fn trim_middle(stable: &[LlamaToken], rest: usize, budget: usize) -> Option<Vec<LlamaToken>> {
    if rest > budget {
        return None;
    }
    let room = budget - rest;
    if stable.len() <= room {
        return Some(stable.to_vec());
    }
    let head = room / 2;
    let tail = room - head;
    let mut out = stable[..head].to_vec();
    out.extend_from_slice(&stable[stable.len() - tail..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[i32]) -> Vec<LlamaToken> {
        v.iter().map(|&x| LlamaToken::new(x)).collect()
    }

    #[test]
    fn plan_keeps_common_prefix_and_reevaluates_last() {
        assert_eq!(
            plan(&t(&[]), &t(&[1, 2, 3])),
            ReusePlan {
                keep: 0,
                evaluate: 3
            }
        );
        assert_eq!(
            plan(&t(&[1, 2, 9, 9]), &t(&[1, 2, 3])),
            ReusePlan {
                keep: 2,
                evaluate: 1
            }
        );
        assert_eq!(
            plan(&t(&[1, 2, 3]), &t(&[1, 2, 3])),
            ReusePlan {
                keep: 2,
                evaluate: 1
            }
        );
        assert_eq!(
            plan(&t(&[1, 2, 3, 4, 5]), &t(&[1, 2, 3])),
            ReusePlan {
                keep: 2,
                evaluate: 1
            }
        );
        assert_eq!(
            plan(&t(&[1, 2]), &t(&[1, 2, 3, 4])),
            ReusePlan {
                keep: 2,
                evaluate: 2
            }
        );
    }

    #[test]
    fn trim_middle_keeps_ends() {
        let s = t(&[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(trim_middle(&s, 2, 100).unwrap(), s);
        assert_eq!(trim_middle(&s, 4, 8).unwrap(), t(&[1, 2, 7, 8]));
        assert_eq!(trim_middle(&s, 5, 8).unwrap(), t(&[1, 7, 8]));
        assert!(trim_middle(&s, 9, 8).is_none());
    }
}
