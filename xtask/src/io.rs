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
    fn fetches_files_and_names_what_failed() {
        let path = std::env::temp_dir().join(format!("xtask-fetch-{}.yaml", std::process::id()));
        fs::write(&path, "openapi: 3.0.0\n").unwrap();
        assert_eq!(
            fetch_text(path.to_str().unwrap()).unwrap(),
            "openapi: 3.0.0\n"
        );
        fs::remove_file(&path).unwrap();
        assert!(
            fetch_text("/no/such/spec.yaml")
                .unwrap_err()
                .starts_with("cannot read /no/such/spec.yaml")
        );
        // A port nobody listens on: the connection is refused.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/spec.yaml");
        assert!(
            fetch_text(&url)
                .unwrap_err()
                .starts_with(&format!("cannot fetch {url}"))
        );
    }

    /// Serves one HTTP response with `status` and `body` on a local port; returns the URL.
    fn serve_once(status: &'static str, body: &'static str) -> String {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/spec.yaml", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let response = format!(
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(response.as_bytes()).unwrap();
        });
        url
    }

    #[test]
    fn fetches_urls_and_fails_on_error_statuses() {
        assert_eq!(
            fetch_text(&serve_once("200 OK", "openapi: 3.0.0\n")).unwrap(),
            "openapi: 3.0.0\n"
        );
        let url = serve_once("404 Not Found", "gone");
        let error = fetch_text(&url).unwrap_err();
        assert!(
            error.starts_with(&format!("cannot fetch {url}")) && error.contains("404"),
            "{error}"
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
