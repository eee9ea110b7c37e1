//! The byte edits a document went through in its recent versions, so results
//! computed for an older version can be carried to the current text where the
//! text they describe was not touched (a finding in a paragraph nobody edited
//! since is still right; one in an edited paragraph is dropped). A full-text
//! change, or more than [`MAX_VERSIONS`] versions, ends what can be mapped.

use std::collections::VecDeque;
use std::ops::Range;

/// Versions kept; older results are not mapped (they are recomputed anyway).
pub const MAX_VERSIONS: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Edit {
    start: usize,
    old_end: usize,
    new_len: usize,
}

#[derive(Debug)]
pub struct EditLog {
    /// (version the edits produced, the edits in order).
    versions: VecDeque<(i32, Vec<Edit>)>,
    /// Edits of the batch being applied.
    batch: Vec<Edit>,
    /// The oldest version ranges can be mapped from.
    floor: i32,
}

impl EditLog {
    pub fn new(version: i32) -> Self {
        EditLog {
            versions: VecDeque::new(),
            batch: Vec::new(),
            floor: version,
        }
    }

    /// An edit of the batch in progress: `range` (bytes, in the text as it is now) replaced
    /// by `new_len` bytes.
    pub fn record(&mut self, range: Range<usize>, new_len: usize) {
        self.batch.push(Edit {
            start: range.start,
            old_end: range.end,
            new_len,
        });
    }

    /// The batch produced `version`.
    pub fn finish(&mut self, version: i32) {
        let edits = std::mem::take(&mut self.batch);
        self.versions.push_back((version, edits));
        while self.versions.len() > MAX_VERSIONS {
            if let Some((oldest, _)) = self.versions.pop_front() {
                self.floor = oldest;
            }
        }
    }

    /// The whole text was replaced: nothing before `version` can be mapped.
    pub fn reset(&mut self, version: i32) {
        self.versions.clear();
        self.batch.clear();
        self.floor = version;
    }

    /// Whether the log goes back to version `from`.
    pub fn reaches(&self, from: i32) -> bool {
        from >= self.floor
    }

    /// Where `range` of version `from` is now, if no edit since touched it (an edit that
    /// only borders it counts as touching: typing at a paragraph's end changes the paragraph).
    pub fn map(&self, from: i32, range: Range<usize>) -> Option<Range<usize>> {
        if !self.reaches(from) {
            return None;
        }
        let mut range = range;
        for (_, edits) in self.versions.iter().filter(|(v, _)| *v > from) {
            for e in edits {
                if e.old_end < range.start {
                    let shift = |x: usize| (x + e.new_len).checked_sub(e.old_end - e.start);
                    range = shift(range.start)?..shift(range.end)?;
                } else if e.start > range.end {
                    continue;
                } else {
                    return None;
                }
            }
        }
        Some(range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_move_with_edits_before_them_and_die_with_edits_in_them() {
        let mut log = EditLog::new(1);
        // "aaa bbb ccc": edit 'aaa' → 'a' in version 2.
        log.record(0..3, 1);
        log.finish(2);
        assert_eq!(log.map(1, 4..7), Some(2..5));
        assert_eq!(log.map(2, 4..7), Some(4..7));
        assert_eq!(log.map(1, 0..3), None);
        // Typing right at the end of a range touches it.
        log.record(5..5, 1);
        log.finish(3);
        assert_eq!(log.map(1, 2..3), None);
        assert_eq!(log.map(1, 8..11), Some(7..10));
        // A range after both edits moves by both; a full replace ends the history.
        log.reset(4);
        assert_eq!(log.map(3, 0..1), None);
        assert_eq!(log.map(4, 0..1), Some(0..1));
    }

    #[test]
    fn old_versions_fall_out_of_the_log() {
        let mut log = EditLog::new(0);
        for v in 1..=(MAX_VERSIONS as i32 + 10) {
            log.record(0..0, 1);
            log.finish(v);
        }
        assert_eq!(log.map(0, 5..6), None);
        assert_eq!(
            log.map(20, 5..6),
            Some(5 + MAX_VERSIONS - 10..6 + MAX_VERSIONS - 10)
        );
    }
}
