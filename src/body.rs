//! Response bodies: one reader, within a limit, for whoever reads them (the token endpoint's
//! answers, error answers and success answers), and the short excerpts that messages show.
//! The limit counts decoded bytes (after gzip), so a small compressed body cannot inflate past it.

use bytes::Bytes;

/// The default limit on a success body: 8 MiB.
///
/// The largest answers of the Conversation API are list pages; a full page of 1 000 messages
/// of a few KiB each stays well under it, and nothing else comes near. Change it with
/// [`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body).
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 8 * 1024 * 1024;

/// Most bytes of an error answer's body kept in an [`ApiError`](crate::ApiError).
pub(crate) const MAX_ERROR_BODY: usize = 1024 * 1024;

/// A success body was larger than the client's limit; the rest of it was not read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the response body is larger than the {limit}-byte limit \
     (ClientBuilder::max_response_body)"
)]
pub struct BodyTooLarge {
    limit: usize,
}

impl BodyTooLarge {
    /// The limit, in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

/// A body read up to a limit.
pub(crate) struct Limited {
    /// At most the limit's number of bytes.
    pub bytes: Bytes,
    /// Whether the body went on past the limit (the rest is unread).
    pub over: bool,
}

impl Limited {
    /// The body, or [`BodyTooLarge`] when it went past `limit`.
    pub fn complete(self, limit: usize) -> Result<Bytes, BodyTooLarge> {
        if self.over {
            Err(BodyTooLarge { limit })
        } else {
            Ok(self.bytes)
        }
    }
}

/// Reads `response`'s body, stopping once it passes `limit` bytes.
pub(crate) async fn read(
    response: &mut reqwest::Response,
    limit: usize,
) -> Result<Limited, reqwest::Error> {
    let mut body = Body::default();
    while let Some(chunk) = response.chunk().await? {
        if body.push(chunk, limit) {
            return Ok(body.done(true));
        }
    }
    Ok(body.done(false))
}

/// The first `limit` bytes of a body; a body that fails midway is cut there (for messages
/// about a failure, where a partial body is better than none).
pub(crate) async fn read_lossy(response: &mut reqwest::Response, limit: usize) -> Limited {
    let mut body = Body::default();
    while let Ok(Some(chunk)) = response.chunk().await {
        if body.push(chunk, limit) {
            return body.done(true);
        }
    }
    body.done(false)
}

/// A body being read: a body in one chunk (the usual JSON answer) is kept without a copy.
#[derive(Default)]
enum Body {
    #[default]
    Empty,
    One(Bytes),
    Many(Vec<u8>),
}

impl Body {
    /// Adds `chunk`, up to `limit` bytes in all; true when the limit was passed.
    fn push(&mut self, chunk: Bytes, limit: usize) -> bool {
        let len = match self {
            Body::Empty => 0,
            Body::One(b) => b.len(),
            Body::Many(b) => b.len(),
        };
        let room = limit.saturating_sub(len);
        let over = chunk.len() > room;
        let chunk = if over { chunk.slice(..room) } else { chunk };
        *self = match std::mem::take(self) {
            Body::Empty => Body::One(chunk),
            Body::One(first) => {
                let mut all = Vec::with_capacity((2 * (first.len() + chunk.len())).min(limit));
                all.extend_from_slice(&first);
                all.extend_from_slice(&chunk);
                Body::Many(all)
            }
            Body::Many(mut all) => {
                // Doubling, but never past the limit: the buffer stays within it.
                let need = all.len() + chunk.len();
                if need > all.capacity() {
                    let target = need.max(2 * all.capacity()).min(limit.max(need));
                    all.reserve_exact(target - all.len());
                }
                all.extend_from_slice(&chunk);
                Body::Many(all)
            }
        };
        over
    }

    fn done(self, over: bool) -> Limited {
        let bytes = match self {
            Body::Empty => Bytes::new(),
            // A cut chunk would keep its whole buffer alive: copy what is kept.
            Body::One(b) if over => Bytes::copy_from_slice(&b),
            Body::One(b) => b,
            Body::Many(b) => Bytes::from(b),
        };
        Limited { bytes, over }
    }
}

/// A short, single-line, printable excerpt of a body for messages.
pub(crate) fn excerpt(body: &[u8]) -> String {
    const MAX_CHARS: usize = 200;
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut chars = 0;
    for word in text.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            if chars == MAX_CHARS {
                out.push('…');
                return out;
            }
            out.push(c);
            chars += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_kept_up_to_the_limit() {
        let mut body = Body::default();
        assert!(!body.push(Bytes::from_static(b"abc"), 5));
        let one = body.done(false);
        assert_eq!((&one.bytes[..], one.over), (&b"abc"[..], false));

        let mut body = Body::default();
        assert!(!body.push(Bytes::from_static(b"abc"), 5));
        assert!(!body.push(Bytes::from_static(b"de"), 5));
        assert!(body.push(Bytes::from_static(b"f"), 5));
        let cut = body.done(true);
        assert_eq!(&cut.bytes[..], b"abcde");
        assert!(cut.complete(5).is_err());

        let mut body = Body::default();
        assert!(body.push(Bytes::from(vec![7u8; 100]), 10));
        assert_eq!(body.done(true).bytes.len(), 10);
    }

    #[test]
    fn excerpt_is_one_short_line() {
        assert_eq!(excerpt(b"  a\n\tb\r\n c \0 d"), "a b c d");
        let long = excerpt(&[b'x'; 1000]);
        assert_eq!(long.chars().count(), 201);
        assert_eq!(excerpt(&[0xff, 0xfe, b'o', b'k']), "\u{fffd}\u{fffd}ok");
    }
}
