//! A small line diff in unified style (`@@ -a,b +c,d @@` hunks with context), for
//! `regen --check` to show how a checked-in file differs from what regen produces.

/// One step of an edit script: `(tag, old line index, new line index)`, where `' '` keeps a
/// line, `'-'` removes old line `i`, `'+'` adds new line `j`.
type Step = (char, usize, usize);

/// Above this many cells, the changed middle is shown as a plain replacement rather than
/// aligned line by line (the alignment table would take too much memory).
const MAX_TABLE_CELLS: usize = 4_000_000;

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// The edit script from `old` to `new`: common prefix and suffix, and a longest common
/// subsequence alignment of what lies between.
fn edit_script(old: &[&str], new: &[&str]) -> Vec<Step> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (a, b) = (
        &old[prefix..old.len() - suffix],
        &new[prefix..new.len() - suffix],
    );
    let mut steps: Vec<Step> = (0..prefix).map(|i| (' ', i, i)).collect();
    if a.len().saturating_mul(b.len()) > MAX_TABLE_CELLS {
        steps.extend((0..a.len()).map(|i| ('-', prefix + i, prefix)));
        steps.extend((0..b.len()).map(|j| ('+', prefix + a.len(), prefix + j)));
    } else {
        // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
        let width = b.len() + 1;
        let mut lcs = vec![0u32; (a.len() + 1) * width];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                lcs[i * width + j] = if a[i] == b[j] {
                    lcs[(i + 1) * width + j + 1] + 1
                } else {
                    lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            if i < a.len() && j < b.len() && a[i] == b[j] {
                steps.push((' ', prefix + i, prefix + j));
                (i, j) = (i + 1, j + 1);
            } else if j == b.len()
                || (i < a.len() && lcs[(i + 1) * width + j] >= lcs[i * width + j + 1])
            {
                steps.push(('-', prefix + i, prefix + j));
                i += 1;
            } else {
                steps.push(('+', prefix + i, prefix + j));
                j += 1;
            }
        }
    }
    let (old_end, new_end) = (old.len() - suffix, new.len() - suffix);
    steps.extend((0..suffix).map(|k| (' ', old_end + k, new_end + k)));
    steps
}

/// A unified-style diff of `old` and `new` (labelled `old_label`, `new_label`), cut after
/// `max_lines` lines of hunks; empty when the texts have the same lines.
pub fn unified(old: &str, new: &str, old_label: &str, new_label: &str, max_lines: usize) -> String {
    let (old_lines, new_lines): (Vec<&str>, Vec<&str>) =
        (old.lines().collect(), new.lines().collect());
    let steps = edit_script(&old_lines, &new_lines);
    let changes: Vec<usize> = (0..steps.len()).filter(|&k| steps[k].0 != ' ').collect();
    let Some(&first) = changes.first() else {
        return String::new();
    };
    // Group changes whose contexts touch into hunks of step ranges.
    let mut hunks: Vec<(usize, usize)> = Vec::new();
    let mut start = first.saturating_sub(CONTEXT);
    let mut last = first;
    for &k in &changes[1..] {
        if k - last > 2 * CONTEXT {
            hunks.push((start, (last + CONTEXT + 1).min(steps.len())));
            start = k - CONTEXT;
        }
        last = k;
    }
    hunks.push((start, (last + CONTEXT + 1).min(steps.len())));

    let mut out = vec![format!("--- {old_label}"), format!("+++ {new_label}")];
    let mut body = 0;
    'hunks: for (from, to) in hunks {
        let hunk = &steps[from..to];
        let old_count = hunk.iter().filter(|s| s.0 != '+').count();
        let new_count = hunk.iter().filter(|s| s.0 != '-').count();
        // Unified diffs number lines from 1, and name the line before an empty range.
        let old_start = hunk[0].1 + usize::from(old_count > 0);
        let new_start = hunk[0].2 + usize::from(new_count > 0);
        out.push(format!(
            "@@ -{old_start},{old_count} +{new_start},{new_count} @@"
        ));
        for &(tag, i, j) in hunk {
            if body == max_lines {
                out.push("... (diff cut short)".into());
                break 'hunks;
            }
            let line = if tag == '+' {
                new_lines[j]
            } else {
                old_lines[i]
            };
            out.push(format!("{tag}{line}"));
            body += 1;
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("a\nb\n", "a\nb\n", "old", "new", 40), "");
    }

    #[test]
    fn an_insertion_is_one_added_line_with_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n";
        let new = "1\n2\n3\n4\nnew\n5\n6\n7\n8\n";
        assert_eq!(
            unified(old, new, "old", "new", 40),
            "--- old\n+++ new\n@@ -2,6 +2,7 @@\n 2\n 3\n 4\n+new\n 5\n 6\n 7"
        );
    }

    #[test]
    fn distant_changes_make_separate_hunks() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new = old
            .replace("\n2\n", "\ntwo\n")
            .replace("\n18\n", "\neighteen\n");
        assert_eq!(
            unified(&old, &new, "a", "b", 40),
            "--- a\n+++ b\n\
             @@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n\
             @@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+eighteen\n 19\n 20"
        );
    }

    #[test]
    fn a_missing_file_diffs_against_nothing_and_long_diffs_are_cut() {
        assert_eq!(
            unified("", "a\nb\nc\n", "old", "new", 2),
            "--- old\n+++ new\n@@ -0,0 +1,3 @@\n+a\n+b\n... (diff cut short)"
        );
    }
}
