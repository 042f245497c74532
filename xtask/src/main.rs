//! `cargo xtask`: repository chores.
//!
//! - `cargo xtask regen [--from <file-or-URL>] [--check]`: refresh, normalise and lint the
//!   OpenAPI spec, print the API diff, write `spec/conversation.json`.

mod api_diff;
mod coverage;
mod io;
mod lint;
mod normalize;
mod overlay;
mod text_diff;

use std::{
    fs,
    path::{Path, PathBuf},
    process::ExitCode,
};

use serde_json::Value;

const UPSTREAM: &str = "spec/upstream/sinch-conversation-openapi.yaml";
const OUTPUT: &str = "spec/conversation.json";
const OVERLAYS: &str = "spec/overlays";
const README: &str = "README.md";
const USAGE: &str = "usage: cargo xtask regen [--from <file-or-URL>] [--check]";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("regen") => parse_regen(&args[1..]).and_then(|opts| regen(&workspace_root(), &opts)),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Options of `regen`.
#[derive(Debug, Default, PartialEq)]
struct RegenOptions {
    from: Option<String>,
    check: bool,
}

fn parse_regen(args: &[String]) -> Result<RegenOptions, String> {
    let mut options = RegenOptions::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => options.check = true,
            "--from" => {
                options.from = Some(args.next().ok_or("--from needs a file or URL")?.clone())
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    if options.check && options.from.is_some() {
        return Err(
            "--check compares against the checked-in upstream copy; it takes no --from".into(),
        );
    }
    Ok(options)
}

/// Reads the upstream copy, normalises and lints it; returns the canonical JSON text.
fn build_spec(root: &Path, report: bool) -> Result<String, String> {
    build_spec_from(root, io::read_spec(&root.join(UPSTREAM))?, report)
}

/// Merges the overlays over `upstream`, normalises and lints; returns the canonical JSON text.
fn build_spec_from(root: &Path, upstream: Value, report: bool) -> Result<String, String> {
    let mut spec = merge_overlays(root, upstream, report)?;
    for (name, changes) in normalize::normalize(&mut spec) {
        if report {
            println!("fix {name}: {changes} change(s)");
        }
    }
    let problems = lint::lint(&spec);
    if !problems.is_empty() {
        return Err(format!("the spec fails lint:\n  {}", problems.join("\n  ")));
    }
    Ok(io::to_canonical_json(&spec))
}

/// The upstream copy with the overlays merged over it, before normalisation.
#[cfg(test)]
fn merged_upstream(root: &Path, report: bool) -> Result<Value, String> {
    merge_overlays(root, io::read_spec(&root.join(UPSTREAM))?, report)
}

/// `spec` with the overlays merged over it, before normalisation.
fn merge_overlays(root: &Path, mut spec: Value, report: bool) -> Result<Value, String> {
    // Overlays go in before normalisation, so every fix applies to our additions too.
    for overlay in overlay::read_overlays(&root.join(OVERLAYS))? {
        let before = report.then(|| spec.clone());
        let notes = overlay::apply(&mut spec, &overlay);
        if let Some(before) = before {
            let added = api_diff::api_diff(&before, &spec);
            println!("overlay {}: {} addition(s)", overlay.name, added.len());
            for line in added.iter().chain(&notes) {
                println!("  {line}");
            }
        }
    }
    Ok(spec)
}

fn regen(root: &Path, options: &RegenOptions) -> Result<(), String> {
    let output = root.join(OUTPUT);
    let current = fs::read_to_string(&output).ok();
    if options.check {
        let expected = build_spec(root, false)?;
        if current.as_deref() != Some(expected.as_str()) {
            return Err(format!(
                "{OUTPUT} is not what `cargo xtask regen` produces; run it and commit the result\n{}",
                short_diff(current.as_deref().unwrap_or(""), &expected)
            ));
        }
        let readme = fs::read_to_string(root.join(README))
            .map_err(|e| format!("cannot read {README}: {e}"))?;
        if readme_with_coverage(&readme, &expected)? != readme {
            return Err(format!(
                "the coverage table in {README} is stale; run `cargo xtask regen`"
            ));
        }
        println!("{OUTPUT} and the {README} coverage table are up to date");
        return Ok(());
    }
    // A new upstream is written only once it has passed normalisation and lint, so a bad
    // document leaves the repository as it was.
    let (text, new_upstream) = match &options.from {
        Some(source) => {
            let upstream_text = io::fetch_text(source)?;
            let upstream = io::parse_spec(&upstream_text, source)?;
            (
                build_spec_from(root, upstream, true)?,
                Some((source, upstream_text)),
            )
        }
        None => (build_spec(root, true)?, None),
    };
    let new: Value = serde_json::from_str(&text).expect("canonical JSON parses");
    match current.as_deref().map(serde_json::from_str::<Value>) {
        Some(Ok(old)) => {
            let changes = api_diff::api_diff(&old, &new);
            if changes.is_empty() {
                println!("no API changes");
            } else {
                println!("API changes:\n  {}", changes.join("\n  "));
            }
        }
        _ => println!("no previous {OUTPUT}: everything is new"),
    }
    let readme =
        fs::read_to_string(root.join(README)).map_err(|e| format!("cannot read {README}: {e}"))?;
    let readme = readme_with_coverage(&readme, &text)?;
    if let Some((source, upstream_text)) = new_upstream {
        fs::write(root.join(UPSTREAM), upstream_text)
            .map_err(|e| format!("cannot write {UPSTREAM}: {e}"))?;
        println!("replaced {UPSTREAM} with {source}");
    }
    fs::write(&output, text).map_err(|e| format!("cannot write {OUTPUT}: {e}"))?;
    fs::write(root.join(README), readme).map_err(|e| format!("cannot write {README}: {e}"))?;
    println!("wrote {OUTPUT} and the {README} coverage table");
    Ok(())
}

/// The README with its coverage table regenerated from the spec text.
fn readme_with_coverage(readme: &str, spec_text: &str) -> Result<String, String> {
    let spec: Value = serde_json::from_str(spec_text).map_err(|e| e.to_string())?;
    coverage::splice(readme, &coverage::table(&spec)).ok_or_else(|| {
        format!(
            "{README} lacks the coverage markers {} ... {}",
            coverage::START,
            coverage::END
        )
    })
}

/// A unified-style diff (first 40 lines) of the current file against what regen produces.
fn short_diff(current: &str, expected: &str) -> String {
    text_diff::unified(
        current,
        expected,
        &format!("{OUTPUT} (checked in)"),
        &format!("{OUTPUT} (regen)"),
        40,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_regen_options() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_regen(&args(&[])).unwrap(), RegenOptions::default());
        assert_eq!(
            parse_regen(&args(&["--check"])).unwrap(),
            RegenOptions {
                from: None,
                check: true
            }
        );
        assert_eq!(
            parse_regen(&args(&["--from", "x.yaml"])).unwrap(),
            RegenOptions {
                from: Some("x.yaml".into()),
                check: false
            }
        );
        assert!(parse_regen(&args(&["--from"])).is_err());
        assert!(parse_regen(&args(&["--bogus"])).is_err());
        assert!(parse_regen(&args(&["--check", "--from", "x"])).is_err());
    }

    #[test]
    fn the_checked_in_spec_is_what_regen_produces() {
        let root = workspace_root();
        let expected = build_spec(&root, false).unwrap();
        let checked_in = fs::read_to_string(root.join(OUTPUT)).unwrap();
        assert!(
            checked_in == expected,
            "{}",
            short_diff(&checked_in, &expected)
        );
    }

    #[test]
    fn normalising_upstream_and_overlays_twice_changes_nothing_the_second_time() {
        let mut spec = merged_upstream(&workspace_root(), false).unwrap();
        normalize::normalize(&mut spec);
        let once = spec.clone();
        let changes = normalize::normalize(&mut spec);
        assert!(spec == once, "a second normalisation changed the spec");
        assert!(changes.iter().all(|(_, n)| *n == 0), "{changes:?}");
    }

    /// A scratch copy of the files regen reads and writes.
    fn scratch_root(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let source = workspace_root();
        fs::create_dir_all(root.join(OVERLAYS)).unwrap();
        fs::create_dir_all(root.join(UPSTREAM).parent().unwrap()).unwrap();
        for file in [UPSTREAM, OUTPUT, README] {
            fs::copy(source.join(file), root.join(file)).unwrap();
        }
        for entry in fs::read_dir(source.join(OVERLAYS)).unwrap() {
            let path = entry.unwrap().path();
            fs::copy(&path, root.join(OVERLAYS).join(path.file_name().unwrap())).unwrap();
        }
        root
    }

    #[test]
    fn regen_from_a_bad_document_changes_no_file() {
        let root = scratch_root("bad-from");
        let bad = root.join("bad.json");
        fs::write(
            &bad,
            r##"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {
                "operationId": "a", "responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Missing"}}}}}}}}}"##,
        )
        .unwrap();
        let before: Vec<_> = [UPSTREAM, OUTPUT, README]
            .iter()
            .map(|f| fs::read(root.join(f)).unwrap())
            .collect();
        let options = RegenOptions {
            from: Some(bad.display().to_string()),
            check: false,
        };
        let error = regen(&root, &options).unwrap_err();
        assert!(error.contains("fails lint"), "{error}");
        for (file, before) in [UPSTREAM, OUTPUT, README].iter().zip(before) {
            assert!(
                fs::read(root.join(file)).unwrap() == before,
                "{file} changed"
            );
        }
        // A good document is taken, and regen --check agrees afterwards.
        let good = root.join("good.yaml");
        fs::copy(root.join(UPSTREAM), &good).unwrap();
        let options = RegenOptions {
            from: Some(good.display().to_string()),
            check: false,
        };
        regen(&root, &options).unwrap();
        let check = RegenOptions {
            from: None,
            check: true,
        };
        regen(&root, &check).unwrap();
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn regen_is_deterministic() {
        let root = workspace_root();
        assert_eq!(
            build_spec(&root, false).unwrap(),
            build_spec(&root, false).unwrap()
        );
    }

    /// The rows of the first Markdown table under `heading` in `text`, cells trimmed and
    /// unquoted, header and separator rows skipped.
    fn table_rows(text: &str, heading: &str) -> Vec<Vec<String>> {
        text.split(heading)
            .nth(1)
            .unwrap_or_else(|| panic!("no {heading:?}"))
            .lines()
            .skip_while(|line| !line.starts_with('|'))
            .take_while(|line| line.starts_with('|'))
            .skip(2)
            .map(|line| {
                line.trim_matches('|')
                    .split(" | ")
                    .map(|cell| cell.trim().trim_matches('`').to_owned())
                    .collect()
            })
            .collect()
    }

    fn spec_readme() -> String {
        fs::read_to_string(workspace_root().join("spec/README.md")).unwrap()
    }

    #[test]
    fn spec_readme_lists_every_fix_in_order_with_its_changes() {
        let root = workspace_root();
        // The upstream copy alone: what overlays add is theirs to document.
        let mut spec = io::read_spec(&root.join(UPSTREAM)).unwrap();
        let actual: Vec<(String, String)> = normalize::normalize(&mut spec)
            .into_iter()
            .map(|(name, changes)| (name.to_owned(), changes.to_string()))
            .collect();
        let documented: Vec<(String, String)> = table_rows(&spec_readme(), "## Normalisation")
            .into_iter()
            .map(|row| (row[0].clone(), row[1].clone()))
            .collect();
        assert_eq!(
            documented, actual,
            "spec/README.md: the Normalisation table must list (fix, changes) as regen runs them"
        );
    }

    #[test]
    fn spec_readme_lists_every_renamed_operation() {
        // The upstream copy alone: overlays bring their own snake_case ids, nothing renamed.
        let mut spec = io::read_spec(&workspace_root().join(UPSTREAM)).unwrap();
        normalize::normalize(&mut spec);
        let mut actual = std::collections::BTreeSet::new();
        for item in spec["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                if let (Some(original), Some(id)) = (
                    op.get("x-sinch-operation-id").and_then(Value::as_str),
                    op.get("operationId").and_then(Value::as_str),
                ) {
                    actual.insert(vec![original.to_owned(), id.to_owned()]);
                }
            }
        }
        let documented = table_rows(&spec_readme(), "## Operation names")
            .into_iter()
            .collect();
        assert_eq!(
            actual, documented,
            "spec/README.md: the Operation names table must list every renamed upstream operation"
        );
    }

    #[test]
    fn short_diff_shows_changed_lines() {
        assert_eq!(
            short_diff("a\nb\nc\n", "a\nB\nc\nd\n"),
            "--- spec/conversation.json (checked in)\n+++ spec/conversation.json (regen)\n\
             @@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d"
        );
    }
}
