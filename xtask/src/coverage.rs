//! The README's coverage table: every operation of the generated client, written between
//! markers by `regen` and verified by `regen --check`.

use serde_json::Value;

use crate::operations::operations;

/// Start marker of the generated table in README.md.
pub const START: &str = "<!-- coverage:start (written by `cargo xtask regen`) -->";
/// End marker.
pub const END: &str = "<!-- coverage:end -->";

/// A Markdown table: method name, HTTP method, path, host, origin; sorted by path, then in the
/// walk's method order.
pub fn table(spec: &Value) -> String {
    let mut rows: Vec<(&str, String)> = operations(spec)
        .map(|o| {
            let host =
                o.op.get("x-sinch-host")
                    .and_then(Value::as_str)
                    .unwrap_or("conversation");
            let origin = match o.op.get("x-sinch-source").and_then(Value::as_str) {
                Some(source) => format!("overlay `{source}`"),
                None => "upstream".to_owned(),
            };
            let row = format!(
                "| `{}` | {} | `{}` | {host} | {origin} |",
                o.id.unwrap_or("?"),
                o.method.to_uppercase(),
                o.path
            );
            (o.path, row)
        })
        .collect();
    // Stable: a path's operations keep the walk's order.
    rows.sort_by_key(|(path, _)| *path);
    let mut out = format!(
        "{} operations.\n\n| method | HTTP | path | host | from |\n| --- | --- | --- | --- | --- |\n",
        rows.len()
    );
    for (_, row) in rows {
        out.push_str(&row);
        out.push('\n');
    }
    out
}

/// `readme` with the text between the markers replaced by `table`; `None` if a marker is missing.
pub fn splice(readme: &str, table: &str) -> Option<String> {
    let start = readme.find(START)? + START.len();
    let end = readme[start..].find(END)? + start;
    Some(format!("{}\n{}{}", &readme[..start], table, &readme[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_each_operation_with_its_host_and_origin() {
        let spec = json!({"paths": {
            "/b": {"get": {"operationId": "get_b"}},
            "/a": {"post": {"operationId": "make_a", "x-sinch-source": "x.json", "x-sinch-host": "template"},
                   "get": {"operationId": "get_a"}}
        }});
        assert_eq!(
            table(&spec),
            "3 operations.\n\n| method | HTTP | path | host | from |\n| --- | --- | --- | --- | --- |\n\
             | `get_a` | GET | `/a` | conversation | upstream |\n\
             | `make_a` | POST | `/a` | template | overlay `x.json` |\n\
             | `get_b` | GET | `/b` | conversation | upstream |\n"
        );
    }

    #[test]
    fn splices_between_the_markers_only() {
        let readme = format!("intro\n{START}\nold\n{END}\nrest\n");
        assert_eq!(
            splice(&readme, "new\n").unwrap(),
            format!("intro\n{START}\nnew\n{END}\nrest\n")
        );
        assert_eq!(splice("no markers", "x"), None);
    }
}
