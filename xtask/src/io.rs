//! Reading specs (YAML or JSON, from a file or a URL) and writing them deterministically.

use std::{fs, path::Path};

use serde_json::Value;

/// Parses a spec given as JSON or YAML text (JSON first: it is the stricter format).
pub fn parse_spec(text: &str, origin: &str) -> Result<Value, String> {
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        return Ok(value);
    }
    serde_norway::from_str::<Value>(text)
        .map_err(|e| format!("{origin} is neither JSON nor YAML: {e}"))
}

/// Reads a spec file.
pub fn read_spec(path: &Path) -> Result<Value, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_spec(&text, &path.display().to_string())
}

/// Fetches the text of `source`: an `http(s)://` URL or a file path.
pub fn fetch_text(source: &str) -> Result<String, String> {
    if source.starts_with("http://") || source.starts_with("https://") {
        let mut response = ureq::get(source)
            .call()
            .map_err(|e| format!("cannot fetch {source}: {e}"))?;
        response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| format!("cannot read the body of {source}: {e}"))
    } else {
        fs::read_to_string(source).map_err(|e| format!("cannot read {source}: {e}"))
    }
}

/// The canonical text of a spec: keys sorted (serde_json's default map), two-space indent, final newline.
pub fn to_canonical_json(spec: &Value) -> String {
    let mut text = serde_json::to_string_pretty(spec).expect("a JSON value always serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_yaml_and_json_alike() {
        let yaml = parse_spec("openapi: 3.0.0\npaths: {}\n", "t").unwrap();
        let json = parse_spec(r#"{"paths": {}, "openapi": "3.0.0"}"#, "t").unwrap();
        assert_eq!(yaml, json);
        assert!(
            parse_spec(": : :\n\t- [", "bad")
                .unwrap_err()
                .contains("bad")
        );
    }

    #[test]
    fn canonical_json_is_sorted_and_ends_with_a_newline() {
        let text = to_canonical_json(&json!({"b": 1, "a": {"d": 2, "c": 3}}));
        assert_eq!(
            text,
            "{\n  \"a\": {\n    \"c\": 3,\n    \"d\": 2\n  },\n  \"b\": 1\n}\n"
        );
    }
}
