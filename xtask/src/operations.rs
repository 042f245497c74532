//! The one walk over a spec's operations, shared by lint, the API diff, the coverage table,
//! the overlays and the normalisation fixes, so each decides only what to do with one.

use serde_json::{Map, Value};

/// The keys of a path item that are operations, in the order they are walked (the coverage
/// table's); the others (`parameters`, `summary`, `servers`, ...) are not.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "patch", "delete", "head", "options", "trace",
];

/// One operation of a spec.
pub struct Operation<'a> {
    /// The path template (`/v1/projects/{project_id}/apps`).
    pub path: &'a str,
    /// Lower case, as the spec spells it (`get`).
    pub method: &'static str,
    /// The `operationId`, when it has one.
    pub id: Option<&'a str>,
    pub op: &'a Map<String, Value>,
    /// The parameters that apply to it, as written: the path item's first, then its own.
    pub params: Vec<&'a Value>,
}

impl Operation<'_> {
    /// `METHOD path`, how messages name an operation.
    pub fn place(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.path)
    }
}

/// Every operation of `spec`: paths in the spec's order, each path's in [`METHODS`] order.
pub fn operations(spec: &Value) -> impl Iterator<Item = Operation<'_>> {
    let paths = spec.get("paths").and_then(Value::as_object);
    paths.into_iter().flatten().flat_map(|(path, item)| {
        let shared = item.get("parameters").and_then(Value::as_array);
        METHODS.iter().filter_map(move |method| {
            let op = item.get(*method)?.as_object()?;
            let own = op.get("parameters").and_then(Value::as_array);
            Some(Operation {
                path,
                method,
                id: op.get("operationId").and_then(Value::as_str),
                op,
                params: shared.into_iter().chain(own).flatten().collect(),
            })
        })
    })
}

/// Calls `f(path, method, operation)` for every operation, in the order of [`operations`].
pub fn for_each_mut(spec: &mut Value, mut f: impl FnMut(&str, &str, &mut Map<String, Value>)) {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            if let Some(op) = item.get_mut(*method).and_then(Value::as_object_mut) {
                f(path, method, op);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Value {
        json!({"paths": {
            "/a/{id}": {
                "summary": "not an operation",
                "parameters": [{"name": "id", "in": "path"}],
                "x-extension": {"operationId": "not_an_operation"},
                "delete": {"operationId": "drop_a"},
                "patch": {"operationId": "change_a", "parameters": [{"name": "mask", "in": "query"}]},
                "get": {},
                "post": {"operationId": "make_a"}
            },
            "/b": {"trace": {"operationId": "trace_b"}, "put": {"operationId": "put_b"}}
        }})
    }

    #[test]
    fn walks_each_path_s_operations_in_method_order_and_nothing_else() {
        let spec = spec();
        let walked: Vec<(String, Option<&str>)> =
            operations(&spec).map(|o| (o.place(), o.id)).collect();
        assert_eq!(
            walked,
            [
                ("GET /a/{id}".to_owned(), None),
                ("POST /a/{id}".to_owned(), Some("make_a")),
                ("PATCH /a/{id}".to_owned(), Some("change_a")),
                ("DELETE /a/{id}".to_owned(), Some("drop_a")),
                ("PUT /b".to_owned(), Some("put_b")),
                ("TRACE /b".to_owned(), Some("trace_b")),
            ]
        );
    }

    #[test]
    fn path_level_parameters_come_first_for_every_operation_of_the_path() {
        let spec = spec();
        let params = |id: &str| -> Vec<Value> {
            let operation = operations(&spec).find(|o| o.id == Some(id)).unwrap();
            operation.params.into_iter().cloned().collect()
        };
        assert_eq!(
            params("change_a"),
            [
                json!({"name": "id", "in": "path"}),
                json!({"name": "mask", "in": "query"})
            ]
        );
        assert_eq!(params("drop_a"), [json!({"name": "id", "in": "path"})]);
        assert!(params("put_b").is_empty());
    }

    #[test]
    fn the_mutable_walk_visits_the_same_operations_in_the_same_order() {
        let mut spec = spec();
        let expected: Vec<(String, String)> = operations(&spec)
            .map(|o| (o.path.to_owned(), o.method.to_owned()))
            .collect();
        let mut visited = Vec::new();
        for_each_mut(&mut spec, |path, method, op| {
            visited.push((path.to_owned(), method.to_owned()));
            op.insert("x-seen".into(), json!(true));
        });
        assert_eq!(visited, expected);
        assert_eq!(spec["paths"]["/a/{id}"]["get"]["x-seen"], true);
        assert!(
            spec["paths"]["/a/{id}"]["x-extension"]
                .get("x-seen")
                .is_none()
        );
    }

    #[test]
    fn a_spec_without_paths_has_no_operations() {
        assert_eq!(operations(&json!({"openapi": "3.0.3"})).count(), 0);
        for_each_mut(&mut json!({"paths": []}), |_, _, _| {
            panic!("not an operation")
        });
    }
}
