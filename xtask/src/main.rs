//! `cargo xtask`: repository chores.
//!
//! - `cargo xtask regen [--from <file-or-URL>]... [--check]`: refresh and merge the upstream
//!   OpenAPI documents, apply the overlays, normalise and lint, print the API diff, and write
//!   the compiled spec and the README's coverage table (`--check`: fail when either is stale).

mod api_diff;
mod coverage;
mod io;
mod lint;
mod merge;
mod normalize;
mod operations;
mod overlay;
mod text_diff;

use std::{
    fs,
    path::{Path, PathBuf},
    process::ExitCode,
};

use serde_json::Value;

/// Sinch's own documents, copied unchanged, merged in this order (the first is the base).
const UPSTREAMS: &[&str] = &[
    "spec/upstream/conversation.yaml",
    "spec/upstream/template-management.yaml",
];
/// What regen writes from the official documents, and what `build.rs` compiles.
const OUTPUT: &str = "spec/conversation.json";
const OVERLAYS: &str = "spec/overlays";
const README: &str = "README.md";
const USAGE: &str = "usage: cargo xtask regen [--from <file-or-URL>]... [--check]";

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
    /// New upstream documents; each replaces the upstream copy with the same `info.title`.
    from: Vec<String>,
    check: bool,
}

fn parse_regen(args: &[String]) -> Result<RegenOptions, String> {
    let mut options = RegenOptions::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => options.check = true,
            "--from" => options
                .from
                .push(args.next().ok_or("--from needs a file or URL")?.clone()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    if options.check && !options.from.is_empty() {
        return Err(
            "--check compares against the checked-in upstream copies; it takes no --from".into(),
        );
    }
    Ok(options)
}

/// An upstream document: where its copy lives, its text and its parsed value.
struct Upstream {
    path: &'static str,
    text: String,
    document: Value,
}

fn read_upstreams(root: &Path) -> Result<Vec<Upstream>, String> {
    UPSTREAMS
        .iter()
        .map(|path| {
            let file = root.join(path);
            let text = fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let document = io::parse_spec(&text, path)?;
            Ok(Upstream {
                path,
                text,
                document,
            })
        })
        .collect()
}

fn title(document: &Value) -> &str {
    document
        .pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// Puts the document fetched from `source` in place of the upstream with the same title.
fn replace_upstream(upstreams: &mut [Upstream], source: &str) -> Result<(), String> {
    let text = io::fetch_text(source)?;
    let document = io::parse_spec(&text, source)?;
    let titles: Vec<&str> = upstreams.iter().map(|u| title(&u.document)).collect();
    let Some(index) = titles.iter().position(|t| *t == title(&document)) else {
        return Err(format!(
            "{source} is titled {:?}, which is none of the upstream documents ({})",
            title(&document),
            titles.join(", ")
        ));
    };
    let upstream = &mut upstreams[index];
    upstream.text = text;
    upstream.document = document;
    Ok(())
}

/// The upstream documents merged, with the overlays over them, normalised and linted; returns
/// the canonical JSON text.
fn build_spec_from(root: &Path, upstreams: &[Upstream], report: bool) -> Result<String, String> {
    let mut spec = merged_upstream(root, upstreams, report)?;
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

fn build_spec(root: &Path, report: bool) -> Result<String, String> {
    build_spec_from(root, &read_upstreams(root)?, report)
}

/// The upstream documents merged, without the overlays.
fn merged_documents(upstreams: &[Upstream]) -> Result<Value, String> {
    merge::merge_documents(
        upstreams
            .iter()
            .map(|u| (u.path.to_owned(), u.document.clone()))
            .collect(),
    )
}

/// The upstream documents merged, with the overlays over them, before normalisation.
fn merged_upstream(root: &Path, upstreams: &[Upstream], report: bool) -> Result<Value, String> {
    let mut spec = merged_documents(upstreams)?;
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
    let readme =
        fs::read_to_string(root.join(README)).map_err(|e| format!("cannot read {README}: {e}"))?;
    if options.check {
        let expected = build_spec(root, false)?;
        if current.as_deref() != Some(expected.as_str()) {
            return Err(format!(
                "{OUTPUT} is not what `cargo xtask regen` produces; run it and commit the result\n{}",
                short_diff(current.as_deref().unwrap_or(""), &expected)
            ));
        }
        if readme_with_coverage(&readme, &expected)? != readme {
            return Err(format!(
                "the coverage table in {README} is stale; run `cargo xtask regen`"
            ));
        }
        println!("{OUTPUT} and the {README} coverage table are up to date");
        return Ok(());
    }
    let mut upstreams = read_upstreams(root)?;
    for source in &options.from {
        replace_upstream(&mut upstreams, source)?;
    }
    // New upstreams are written only once they have passed normalisation and lint, so a bad
    // document leaves the repository as it was.
    let text = build_spec_from(root, &upstreams, true)?;
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
        _ => println!("no previous spec: everything is new"),
    }
    let readme = readme_with_coverage(&readme, &text)?;
    for upstream in upstreams
        .iter()
        .filter(|u| fs::read_to_string(root.join(u.path)).ok().as_deref() != Some(u.text.as_str()))
    {
        fs::write(root.join(upstream.path), &upstream.text)
            .map_err(|e| format!("cannot write {}: {e}", upstream.path))?;
        println!("replaced {}", upstream.path);
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
                from: vec![],
                check: true
            }
        );
        assert_eq!(
            parse_regen(&args(&["--from", "x.yaml", "--from", "y.yaml"])).unwrap(),
            RegenOptions {
                from: vec!["x.yaml".into(), "y.yaml".into()],
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
        let root = workspace_root();
        let mut spec = merged_upstream(&root, &read_upstreams(&root).unwrap(), false).unwrap();
        normalize::normalize(&mut spec);
        let once = spec.clone();
        let changes = normalize::normalize(&mut spec);
        assert!(spec == once, "a second normalisation changed the spec");
        assert!(changes.iter().all(|(_, n)| *n == 0), "{changes:?}");
    }

    #[test]
    fn every_official_operation_and_schema_is_in_the_spec() {
        let root = workspace_root();
        let spec: Value = serde_json::from_str(&build_spec(&root, false).unwrap()).unwrap();
        let mut official = 0;
        for upstream in read_upstreams(&root).unwrap() {
            for operation in operations::operations(&upstream.document) {
                let Some(id) = operation.id else {
                    continue;
                };
                official += 1;
                let ours = &spec["paths"][operation.path][operation.method];
                assert_eq!(ours["x-sinch-operation-id"], id, "{}", operation.place());
            }
            for name in upstream.document["components"]["schemas"]
                .as_object()
                .unwrap()
                .keys()
            {
                assert!(
                    spec["components"]["schemas"].get(name).is_some(),
                    "{}: schema {name}",
                    upstream.path
                );
            }
        }
        assert_eq!(official, 45 + 6, "the two official documents");
        // Plus the two deprecated opt-in/opt-out registrations of the overlay.
        let all = operations::operations(&spec)
            .filter(|o| o.id.is_some())
            .count();
        assert_eq!(all, 45 + 6 + 2);
        for path in [
            "/v1/projects/{project_id}/optins:register",
            "/v1/projects/{project_id}/optouts:register",
        ] {
            assert_eq!(spec["paths"][path]["post"]["deprecated"], true, "{path}");
        }
        assert_eq!(
            spec["paths"]["/v2/projects/{project_id}/templates"]["get"]["x-sinch-host"],
            "template"
        );
    }

    /// A scratch copy of the files regen reads and writes.
    fn scratch_root(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let source = workspace_root();
        fs::create_dir_all(root.join(OVERLAYS)).unwrap();
        fs::create_dir_all(root.join(UPSTREAMS[0]).parent().unwrap()).unwrap();
        for file in UPSTREAMS.iter().chain(&[OUTPUT, README]) {
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
        let files: Vec<&str> = UPSTREAMS.iter().copied().chain([OUTPUT, README]).collect();
        let snapshot = || -> Vec<Vec<u8>> {
            files
                .iter()
                .map(|f| fs::read(root.join(f)).unwrap())
                .collect()
        };
        let before = snapshot();
        // Titled like the Conversation API document, but with a dangling $ref.
        let bad = root.join("bad.json");
        fs::write(
            &bad,
            r##"{"openapi": "3.0.3", "info": {"title": "Conversation API | Sinch", "version": "1"}, "paths": {"/a": {"get": {
                "operationId": "a", "responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Missing"}}}}}}}}}"##,
        )
        .unwrap();
        let options = RegenOptions {
            from: vec![bad.display().to_string()],
            check: false,
        };
        let error = regen(&root, &options).unwrap_err();
        assert!(error.contains("fails lint"), "{error}");
        assert!(snapshot() == before, "a file changed");
        // A document that is none of the upstreams is refused by its title.
        let stranger = root.join("stranger.json");
        fs::write(
            &stranger,
            r#"{"openapi": "3.0.3", "info": {"title": "Other", "version": "1"}, "paths": {}}"#,
        )
        .unwrap();
        let error = regen(
            &root,
            &RegenOptions {
                from: vec![stranger.display().to_string()],
                check: false,
            },
        )
        .unwrap_err();
        assert!(error.contains("none of the upstream documents"), "{error}");
        assert!(snapshot() == before, "a file changed");
        // Good documents are taken, one --from each, and regen --check agrees afterwards.
        let from = UPSTREAMS
            .iter()
            .map(|path| {
                let copy = root.join(Path::new(path).file_name().unwrap());
                fs::copy(root.join(path), &copy).unwrap();
                copy.display().to_string()
            })
            .collect();
        regen(&root, &RegenOptions { from, check: false }).unwrap();
        regen(
            &root,
            &RegenOptions {
                from: vec![],
                check: true,
            },
        )
        .unwrap();
        assert!(
            snapshot() == before,
            "the same documents give the same files"
        );
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

    /// The official documents merged, without overlays: what spec/README.md documents.
    fn merged_official() -> Value {
        merged_documents(&read_upstreams(&workspace_root()).unwrap()).unwrap()
    }

    #[test]
    fn spec_readme_lists_every_fix_in_order_with_its_changes() {
        let mut spec = merged_official();
        let actual: Vec<(String, String)> = normalize::normalize(&mut spec)
            .into_iter()
            .map(|(name, changes)| (name.to_owned(), changes.to_string()))
            .collect();
        assert!(
            actual.iter().all(|(name, n)| n != "0" || name.is_empty()),
            "a fix that changes nothing in the official documents is to be deleted: {actual:?}"
        );
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
        // The official documents alone: the overlay brings its own snake_case ids.
        let mut spec = merged_official();
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
