//! The operations of the API and how a request is routed to one.

use std::{fmt, str::FromStr};

use axum::http::Method;
use sinch_conversation::operations;

macro_rules! operations {
    ($($variant:ident = $name:literal,)*) => {
        /// An operation of the emulated API, named like the client's method for it, plus the
        /// OAuth2 token endpoint ([`Operation::Token`]).
        ///
        /// One variant per entry of the client's table
        /// ([`sinch_conversation::operations::ALL`], in its order), so an operation a new spec
        /// adds is routed and counted without an edit here.
        ///
        /// Used to count requests ([`Emulator::stats`](crate::Emulator::stats)) and to target
        /// faults ([`Emulator::fail_next`](crate::Emulator::fail_next)).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Operation {
            $(
                #[doc = concat!("`", $name, "`.")]
                $variant,
            )*
        }

        impl Operation {
            /// Every operation, in a stable order.
            pub const ALL: &'static [Operation] = &[$(Operation::$variant,)*];

            /// The name: the client's method (`send_message`), or `token`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Operation::$variant => $name,)*
                }
            }
        }

        impl FromStr for Operation {
            type Err = UnknownOperation;

            /// Parses a name as returned by [`Operation::as_str`].
            fn from_str(name: &str) -> Result<Self, Self::Err> {
                match name {
                    $($name => Ok(Operation::$variant),)*
                    other => Err(UnknownOperation(other.to_owned())),
                }
            }
        }
    };
}

// One variant per operation of the client's table, plus the token endpoint (not in the spec).
macro_rules! spec_operations {
    ($($variant:ident = $name:literal,)*) => {
        operations! {
            $($variant = $name,)*
            Token = "token",
        }
    };
}

sinch_conversation::__for_each_operation!(spec_operations);

impl Operation {
    /// The client's table entry (method, path template, host), or `None` for
    /// [`Operation::Token`].
    pub fn info(self) -> Option<&'static operations::OperationInfo> {
        operations::ALL.get(self.index())
    }

    /// Position in [`Operation::ALL`], for counters.
    pub(crate) fn index(self) -> usize {
        Operation::ALL
            .iter()
            .position(|op| *op == self)
            .unwrap_or_default()
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not an [`Operation`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOperation(pub String);

impl fmt::Display for UnknownOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown operation {:?}", self.0)
    }
}

impl std::error::Error for UnknownOperation {}

/// Where the OAuth2 token endpoint is served.
pub(crate) const TOKEN_PATH: &str = "/oauth2/token";

/// A request matched to an API operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    pub(crate) op: Operation,
    /// The `{project_id}` of the path (empty for the token endpoint).
    pub(crate) project: String,
    /// The resource id of the path, when it has one.
    pub(crate) id: String,
    /// A second path parameter (`{identity}` or `{list_type}` of the consent lists).
    pub(crate) id2: String,
}

fn decode(segment: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .ok()?
        .into_owned();
    (!decoded.is_empty()).then_some(decoded)
}

/// Matches one request path segment against one template segment (`apps`, `{app_id}`,
/// `{destination_id}:merge`, `messages:send`), pushing the raw values of its parameters.
///
/// Ids are percent-encoded, so a raw `:` can only be a custom method's separator: a parameter
/// never takes one.
fn match_segment<'p>(template: &str, mut segment: &'p str, params: &mut Vec<&'p str>) -> bool {
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('{') {
            let Some(end) = after.find('}') else {
                return false;
            };
            rest = &after[end + 1..];
            // The parameter runs up to the literal that follows it, or to the segment's end.
            let literal = &rest[..rest.find('{').unwrap_or(rest.len())];
            let taken = if literal.is_empty() {
                segment.len()
            } else {
                match segment.find(literal) {
                    Some(at) => at,
                    None => return false,
                }
            };
            let value = &segment[..taken];
            if value.contains(':') {
                return false;
            }
            params.push(value);
            segment = &segment[taken..];
        } else {
            let literal = &rest[..rest.find('{').unwrap_or(rest.len())];
            let Some(after) = segment.strip_prefix(literal) else {
                return false;
            };
            segment = after;
            rest = &rest[literal.len()..];
        }
    }
    segment.is_empty()
}

/// The raw parameters of `path` if it matches `template`, and how many literal characters the
/// template has (the more, the more specific).
fn match_path<'p>(template: &str, path: &'p str) -> Option<(Vec<&'p str>, usize)> {
    let templates = template.split('/');
    let segments = path.split('/');
    if templates.clone().count() != segments.clone().count() {
        return None;
    }
    let mut params = Vec::new();
    for (t, s) in templates.zip(segments) {
        if !match_segment(t, s, &mut params) {
            return None;
        }
    }
    Some((params, literal_len(template)))
}

/// How many characters of `template` are outside `{parameter}`s.
fn literal_len(template: &str) -> usize {
    let mut inside = false;
    template
        .chars()
        .filter(|c| {
            match c {
                '{' => inside = true,
                '}' => inside = false,
                _ => return !inside,
            }
            false
        })
        .count()
}

/// Matches `method` and the raw (still percent-encoded) `path` to an operation of the client's
/// table ([`sinch_conversation::operations::ALL`]), or to the token endpoint.
///
/// Path parameters are taken in order: the project, then the resource id, then a second one.
pub(crate) fn route(method: &Method, path: &str) -> Option<Route> {
    if path == TOKEN_PATH {
        return (method == Method::POST).then(|| Route {
            op: Operation::Token,
            project: String::new(),
            id: String::new(),
            id2: String::new(),
        });
    }
    let (index, raw) = operations::ALL
        .iter()
        .enumerate()
        .filter(|(_, info)| info.method == method.as_str())
        .filter_map(|(index, info)| {
            match_path(info.path, path).map(|(params, literal)| (index, params, literal))
        })
        // A literal segment wins over a parameter (`/templates/defaults` over `/templates/{id}`).
        .max_by_key(|(_, _, literal)| *literal)
        .map(|(index, params, _)| (index, params))?;
    let mut params = raw.into_iter().map(decode);
    let mut next = || params.next().map_or(Some(String::new()), |p| p);
    let (project, id, id2) = (next()?, next()?, next()?);
    if params.any(|p| p.is_none()) {
        return None;
    }
    Some(Route {
        op: Operation::ALL[index],
        project,
        id,
        id2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(method: Method, path: &str) -> Option<(Operation, String, String)> {
        route(&method, path).map(|r| (r.op, r.project, r.id))
    }

    #[test]
    fn names_round_trip() {
        // The 51 operations of the official documents, the overlay's opt-in and opt-out, the
        // token endpoint.
        assert_eq!(Operation::ALL.len(), 54);
        for op in Operation::ALL {
            assert_eq!(op.as_str().parse::<Operation>(), Ok(*op));
            assert_eq!(Operation::ALL[op.index()], *op);
        }
        assert!("nope".parse::<Operation>().is_err());
    }

    #[test]
    fn the_enum_follows_the_clients_table() {
        assert_eq!(Operation::ALL.len(), operations::ALL.len() + 1);
        for (op, info) in Operation::ALL.iter().zip(operations::ALL) {
            assert_eq!(op.as_str(), info.id);
            assert_eq!(op.info(), Some(info));
        }
        assert_eq!(Operation::ALL.last(), Some(&Operation::Token));
        assert_eq!(Operation::Token.info(), None);
    }

    /// `template` with its `n`-th parameter replaced by `values(n)`.
    fn fill(template: &str, values: impl Fn(usize) -> String) -> String {
        let mut out = String::new();
        let mut rest = template;
        let mut n = 0;
        while let Some(start) = rest.find('{') {
            let end = rest[start..].find('}').map(|i| start + i).unwrap();
            out.push_str(&rest[..start]);
            out.push_str(&values(n));
            n += 1;
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn every_table_entry_routes_to_its_own_operation() {
        for (op, info) in Operation::ALL.iter().zip(operations::ALL) {
            let method = Method::from_bytes(info.method.as_bytes()).unwrap();
            // Sample ids, one percent-encoded `:` among them: it must not read as a custom method.
            let path = fill(info.path, |n| format!("id{n}%3Ax"));
            let route = route(&method, &path).unwrap_or_else(|| panic!("{method} {path}"));
            assert_eq!(route.op, *op, "{method} {path}");
            let expected: Vec<String> = (0..info.path.matches('{').count())
                .map(|n| format!("id{n}:x"))
                .chain(std::iter::repeat(String::new()))
                .take(3)
                .collect();
            assert_eq!(
                [route.project, route.id, route.id2].as_slice(),
                expected.as_slice(),
                "{method} {path}"
            );
        }
    }

    #[test]
    fn custom_methods_and_encoded_ids() {
        assert_eq!(
            r(Method::POST, "/v1/projects/p/contacts/a%3Ab:merge"),
            Some((Operation::MergeContact, "p".into(), "a:b".into()))
        );
        assert_eq!(
            r(
                Method::POST,
                "/v1/projects/p/conversations/c1:inject-message"
            ),
            Some((Operation::InjectMessage, "p".into(), "c1".into()))
        );
        assert_eq!(
            r(Method::POST, "/v1/projects/p/messages:send").map(|x| x.0),
            Some(Operation::SendMessage)
        );
        assert_eq!(
            r(Method::GET, "/v1/projects/p/apps/a1/webhooks").map(|x| x.0),
            Some(Operation::ListWebhooks)
        );
        assert_eq!(r(Method::PUT, "/v1/projects/p/apps/a1"), None);
        assert_eq!(r(Method::GET, "/v1/projects/p/apps/"), None);
        assert_eq!(r(Method::GET, "/v1/projects//apps"), None);
        assert_eq!(r(Method::POST, "/v1/projects/p/messages:explode"), None);
        assert_eq!(r(Method::GET, "/v1/projects/p/contacts/%FF"), None);
        assert_eq!(r(Method::GET, "/v2/projects/p/apps"), None);
        // Templates v1 (under /v1) are gone from the official documents: no route. v2 (under
        // /v2) update with PUT.
        for method in [Method::GET, Method::PATCH, Method::DELETE] {
            assert_eq!(r(method, "/v1/projects/p/templates/t"), None);
        }
        assert_eq!(r(Method::GET, "/v1/projects/p/templates"), None);
        assert_eq!(r(Method::POST, "/v1/projects/p/templates"), None);
        assert_eq!(
            r(Method::GET, "/v2/projects/p/templates/t").map(|x| x.0),
            Some(Operation::GetTemplate)
        );
        assert_eq!(r(Method::PUT, "/v1/projects/p/templates/t"), None);
        assert_eq!(r(Method::PATCH, "/v2/projects/p/templates/t"), None);
        assert_eq!(
            r(Method::GET, "/v1/projects/p/templates/t/translations"),
            None
        );
        let consent = route(
            &Method::GET,
            "/v1/projects/p/apps/a/consents/identities/%2B46",
        )
        .unwrap();
        assert_eq!((consent.id.as_str(), consent.id2.as_str()), ("a", "+46"));
    }

    #[test]
    fn every_operation_has_a_route() {
        let cases = [
            (Method::GET, "/v1/projects/p/apps"),
            (Method::POST, "/v1/projects/p/apps"),
            (Method::GET, "/v1/projects/p/apps/x"),
            (Method::PATCH, "/v1/projects/p/apps/x"),
            (Method::DELETE, "/v1/projects/p/apps/x"),
            (Method::GET, "/v1/projects/p/apps/x/webhooks"),
            (Method::POST, "/v1/projects/p/webhooks"),
            (Method::GET, "/v1/projects/p/webhooks/x"),
            (Method::PATCH, "/v1/projects/p/webhooks/x"),
            (Method::DELETE, "/v1/projects/p/webhooks/x"),
            (Method::GET, "/v1/projects/p/contacts"),
            (Method::POST, "/v1/projects/p/contacts"),
            (Method::GET, "/v1/projects/p/contacts/x"),
            (Method::PATCH, "/v1/projects/p/contacts/x"),
            (Method::DELETE, "/v1/projects/p/contacts/x"),
            (Method::POST, "/v1/projects/p/contacts/x:merge"),
            (Method::GET, "/v1/projects/p/conversations"),
            (Method::POST, "/v1/projects/p/conversations"),
            (Method::GET, "/v1/projects/p/conversations/x"),
            (Method::PATCH, "/v1/projects/p/conversations/x"),
            (Method::DELETE, "/v1/projects/p/conversations/x"),
            (Method::POST, "/v1/projects/p/conversations/x:stop"),
            (
                Method::POST,
                "/v1/projects/p/conversations/x:inject-message",
            ),
            (Method::GET, "/v1/projects/p/messages"),
            (Method::POST, "/v1/projects/p/messages:send"),
            (Method::GET, "/v1/projects/p/messages/x"),
            (Method::DELETE, "/v1/projects/p/messages/x"),
            (Method::POST, "/v1/projects/p/events:send"),
            (Method::POST, "/v1/projects/p/capability:query"),
            (Method::POST, "/v1/projects/p/messages:transcode"),
            (Method::POST, "/v1/projects/p/optins:register"),
            (Method::POST, "/v1/projects/p/optouts:register"),
            (
                Method::GET,
                "/v1/projects/p/apps/a/consents/identities/%2B46",
            ),
            (Method::GET, "/v1/projects/p/apps/a/consents/OPT_OUT_ALL"),
            (Method::POST, "/v1/projects/p/contacts:getChannelProfile"),
            (Method::GET, "/v1/projects/p/contacts:identityConflicts"),
            (Method::POST, "/v1/projects/p/conversations/x:inject-event"),
            (Method::GET, "/v1/projects/p/conversations:recent"),
            (Method::GET, "/v1/projects/p/events"),
            (Method::GET, "/v1/projects/p/events/x"),
            (Method::DELETE, "/v1/projects/p/events/x"),
            (Method::PATCH, "/v1/projects/p/messages/x"),
            (Method::POST, "/v1/projects/p/messages:fetch-last-message"),
            (Method::POST, "/v1/projects/p/settings"),
            (Method::GET, "/v1/projects/p/settings"),
            (Method::PATCH, "/v1/projects/p/settings"),
            (Method::DELETE, "/v1/projects/p/settings"),
            (Method::GET, "/v2/projects/p/templates"),
            (Method::POST, "/v2/projects/p/templates"),
            (Method::GET, "/v2/projects/p/templates/t"),
            (Method::PUT, "/v2/projects/p/templates/t"),
            (Method::DELETE, "/v2/projects/p/templates/t"),
            (Method::GET, "/v2/projects/p/templates/t/translations"),
            (Method::POST, "/oauth2/token"),
        ];
        let mut seen: Vec<Operation> = cases
            .iter()
            .map(|(m, p)| route(m, p).unwrap_or_else(|| panic!("{m} {p}")).op)
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), Operation::ALL.len());
    }
}
