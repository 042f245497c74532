//! Redaction of the credentials the client holds, wherever an answer could echo them back:
//! error bodies and headers (of the API and of the token endpoint), before anything keeps,
//! cuts or prints them.

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue};

/// What replaces a secret.
pub(crate) const MARK: &[u8] = b"[REDACTED]";

/// Secrets shorter than this are not searched for: they would match inside ordinary words and
/// mangle every answer (a Sinch key secret is far longer; test keys like `"s"` are not).
pub(crate) const MIN_LEN: usize = 8;

/// The forms a secret can come back in: as sent, and with `/` escaped as JSON may write it
/// (none for a secret shorter than [`MIN_LEN`]).
pub(crate) fn forms(secret: &[u8]) -> Vec<Vec<u8>> {
    if secret.len() < MIN_LEN {
        return Vec::new();
    }
    let mut forms = vec![secret.to_vec()];
    if secret.contains(&b'/') {
        let mut escaped = Vec::with_capacity(secret.len() + 8);
        for &b in secret {
            if b == b'/' {
                escaped.push(b'\\');
            }
            escaped.push(b);
        }
        forms.push(escaped);
    }
    forms
}

/// `body` with every occurrence of each secret replaced by [`MARK`].
pub(crate) fn body(body: Bytes, secrets: &[Vec<u8>]) -> Bytes {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(body, |body, secret| replace(body, secret))
}

/// `headers` with every value that holds a secret replaced by [`MARK`].
pub(crate) fn headers(headers: &mut HeaderMap, secrets: &[Vec<u8>]) {
    for value in headers.values_mut() {
        let bytes = value.as_bytes();
        if secrets
            .iter()
            .any(|s| !s.is_empty() && bytes.windows(s.len()).any(|w| w == s.as_slice()))
        {
            let mut mark = HeaderValue::from_static("[REDACTED]");
            mark.set_sensitive(true);
            *value = mark;
        }
    }
}

fn replace(body: Bytes, secret: &[u8]) -> Bytes {
    if body.windows(secret.len()).all(|w| w != secret) {
        return body;
    }
    let mut out = Vec::with_capacity(body.len());
    let mut rest = &body[..];
    while !rest.is_empty() {
        if rest.starts_with(secret) {
            out.extend_from_slice(MARK);
            rest = &rest[secret.len()..];
        } else {
            out.push(rest[0]);
            rest = &rest[1..];
        }
    }
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_copy_and_form_is_replaced() {
        assert!(forms(b"short").is_empty());
        let secrets: Vec<Vec<u8>> = [b"s3cr/t-long".as_slice(), b"QUJDQUJD"]
            .iter()
            .flat_map(|s| forms(s))
            .collect();
        let out = body(
            Bytes::from_static(br#"{"a":"s3cr/t-long","b":"s3cr\/t-long QUJDQUJDQUJDQUJD"}"#),
            &secrets,
        );
        assert_eq!(
            &out[..],
            br#"{"a":"[REDACTED]","b":"[REDACTED] [REDACTED][REDACTED]"}"#
        );
        let mut map = HeaderMap::new();
        map.insert("x-echo", HeaderValue::from_static("Basic QUJDQUJD"));
        map.insert("x-other", HeaderValue::from_static("fine"));
        headers(&mut map, &secrets);
        assert_eq!(map["x-echo"], "[REDACTED]");
        assert_eq!(map["x-other"], "fine");
    }
}
