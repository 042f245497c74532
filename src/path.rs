//! Path parameters: every id stays inside its own path segment.
//!
//! Ids often come from callbacks and user input. The URL parser turns `\` into `/` and resolves
//! `.` and `..` segments (also spelt `%2e`), so `conversation_id("..\\contacts\\victim")` would
//! otherwise send `DELETE /v1/projects/p/contacts/victim`. `build.rs` routes every path
//! parameter of every generated operation through one check, before the request is built.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// What a path segment encodes: progenitor's set (controls, space, `"#<>?`{}/%`) plus `\`,
/// which the URL parser reads as `/`, and the other characters that are not safe in a path.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'\\')
    .add(b'[')
    .add(b']')
    .add(b'^')
    .add(b'|');

/// Why a path parameter was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PathProblem {
    /// The value is empty: the request would reach the collection instead of one resource.
    Empty,
    /// The value is `.` or `..`, which the URL parser resolves away.
    DotSegment,
}

/// A path parameter whose value would leave its path segment; raised before any request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("path parameter `{parameter}` is {value:?}: {}", match .problem {
    PathProblem::Empty => "an empty id would address the collection, not one resource",
    PathProblem::DotSegment => "a dot segment would address another path",
})]
pub struct PathParameterError {
    parameter: &'static str,
    value: String,
    problem: PathProblem,
}

impl PathParameterError {
    /// The parameter's name, as in the operation's path template (`conversation_id`).
    pub fn parameter(&self) -> &'static str {
        self.parameter
    }

    /// The refused value.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Why it was refused.
    pub fn problem(&self) -> PathProblem {
        self.problem
    }
}

/// `value` percent-encoded as one path segment, or why it cannot be one.
pub(crate) fn segment(value: &str, parameter: &'static str) -> Result<String, PathParameterError> {
    let problem = match value {
        "" => PathProblem::Empty,
        "." | ".." => PathProblem::DotSegment,
        _ => return Ok(utf8_percent_encode(value, SEGMENT).to_string()),
    };
    Err(PathParameterError {
        parameter,
        value: value.to_owned(),
        problem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_stay_in_their_segment() {
        assert_eq!(segment("01HQ5Z", "id").unwrap(), "01HQ5Z");
        assert_eq!(segment("+46700000001", "id").unwrap(), "+46700000001");
        assert_eq!(segment("a/b?c d", "id").unwrap(), "a%2Fb%3Fc%20d");
        assert_eq!(
            segment("..\\contacts\\victim", "id").unwrap(),
            "..%5Ccontacts%5Cvictim"
        );
        // Spelt out dots are encoded (`%` is), so the parser sees no dot segment.
        assert_eq!(segment("%2e%2e", "id").unwrap(), "%252e%252e");
        assert_eq!(segment("...", "id").unwrap(), "...");
        for (value, problem) in [
            ("", PathProblem::Empty),
            (".", PathProblem::DotSegment),
            ("..", PathProblem::DotSegment),
        ] {
            let error = segment(value, "contact_id").unwrap_err();
            assert_eq!(error.problem(), problem);
            assert_eq!(error.parameter(), "contact_id");
            assert_eq!(error.value(), value);
        }
    }
}
