//! A short unified diff, for `regen --check` to show how a checked-in file differs from what
//! regen produces.

use similar::TextDiff;

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// A unified diff of `old` and `new` (labelled `old_label`, `new_label`), cut after
/// `max_lines` lines below the `---`/`+++` header; empty when the texts are equal.
pub fn unified(old: &str, new: &str, old_label: &str, new_label: &str, max_lines: usize) -> String {
    if old == new {
        return String::new();
    }
    let text = TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(CONTEXT)
        .header(old_label, new_label)
        .to_string();
    let mut lines: Vec<&str> = text.lines().collect();
    if lines.len() > max_lines + 2 {
        lines.truncate(max_lines + 2);
        lines.push("... (diff cut short)");
    }
    lines.join("\n")
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
            "--- old\n+++ new\n@@ -0,0 +1,3 @@\n+a\n... (diff cut short)"
        );
    }
}
