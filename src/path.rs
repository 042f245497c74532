//! Path parameters: every id stays inside its own path segment.
//!
//! Ids often come from callbacks and user input. The URL parser turns `\` into `/` and resolves
//! `.` and `..` segments (also spelt `%2e`), so `conversation_id("..\\contacts\\victim")` would
//! otherwise send `DELETE /v1/projects/p/contacts/victim`. `build.rs` routes every path
//! parameter of every generated operation through one check, before the request is built.

use std::fmt::{self, Write as _};

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

/// `value` as one percent-encoded path segment, or why it cannot be one.
///
/// Nothing is allocated: `value` is formatted once to be checked, and once more, encoded, when
/// the URL is formatted. So the generated code passes any path parameter (a `String`, an enum)
/// without a `to_string()` copy.
pub(crate) fn segment<'a, T: fmt::Display + ?Sized>(
    value: &'a T,
    parameter: &'static str,
) -> Result<Segment<'a, T>, PathParameterError> {
    let mut probe = Probe::default();
    // A `Display` that fails leaves the probe as far as it got; the URL formatting fails then.
    let _ = write!(probe, "{value}");
    let problem = match (probe.len, probe.head) {
        (0, _) => PathProblem::Empty,
        (1, [b'.', _]) | (2, [b'.', b'.']) => PathProblem::DotSegment,
        _ => return Ok(Segment(value)),
    };
    Err(PathParameterError {
        parameter,
        value: value.to_string(),
        problem,
    })
}

/// A checked path parameter; formats as its percent-encoded segment.
#[derive(Debug)]
pub(crate) struct Segment<'a, T: ?Sized>(&'a T);

impl<T: fmt::Display + ?Sized> fmt::Display for Segment<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(Encoder(f), "{}", self.0)
    }
}

/// Percent-encodes what is written through it (byte by byte, so chunk borders do not matter).
struct Encoder<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl fmt::Write for Encoder<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for piece in utf8_percent_encode(s, SEGMENT) {
            self.0.write_str(piece)?;
        }
        Ok(())
    }
}

/// The length of what is written through it (up to 3) and its first two bytes.
#[derive(Default)]
struct Probe {
    len: usize,
    head: [u8; 2],
}

impl fmt::Write for Probe {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &byte in s.as_bytes().iter().take(3usize.saturating_sub(self.len)) {
            if let Some(slot) = self.head.get_mut(self.len) {
                *slot = byte;
            }
            self.len += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_stay_in_their_segment() {
        let encoded = |value| segment(value, "id").unwrap().to_string();
        assert_eq!(encoded("01HQ5Z"), "01HQ5Z");
        assert_eq!(encoded("+46700000001"), "+46700000001");
        assert_eq!(encoded("a/b?c d"), "a%2Fb%3Fc%20d");
        assert_eq!(encoded("..\\contacts\\victim"), "..%5Ccontacts%5Cvictim");
        // Spelt out dots are encoded (`%` is), so the parser sees no dot segment.
        assert_eq!(encoded("%2e%2e"), "%252e%252e");
        assert_eq!(encoded("..."), "...");
        assert_eq!(encoded(".a"), ".a");
        // Any `Display` works, written in pieces or not.
        assert_eq!(
            segment(&format_args!("{}{}", ".", "."), "id")
                .unwrap_err()
                .problem(),
            PathProblem::DotSegment
        );
        assert_eq!(
            segment(&format_args!("a{}", "/b"), "id")
                .unwrap()
                .to_string(),
            "a%2Fb"
        );
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
