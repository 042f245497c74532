//! Property tests of the webhook parser and verifier: no input makes either panic, and any
//! change to a signed callback is rejected. They live in this crate, not in the library's
//! tests, so that the README's first command does not compile proptest.

// The library's own test helpers, shared rather than copied.
#[path = "../../tests/common/mod.rs"]
mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::webhooks::{NONCE, SECRET, SIGNATURE, TIMESTAMP};
use sinch_conversation::webhooks::{
    self, ALGORITHM_HEADER, NONCE_HEADER, Receiver, SIGNATURE_HEADER, SignatureError,
    TIMESTAMP_HEADER, parse, sign_headers, verify,
};

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).unwrap()
}

/// The library's callback fixtures (`tests/resources/webhooks/*.json`).
fn all_fixtures() -> Vec<(String, Vec<u8>)> {
    common::webhooks::all_fixtures(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

mod properties {
    use std::sync::LazyLock;

    use proptest::prelude::*;

    use super::*;

    static FIXTURES: LazyLock<Vec<Vec<u8>>> =
        LazyLock::new(|| all_fixtures().into_iter().map(|(_, body)| body).collect());

    const NAMES: [&str; 6] = [
        SIGNATURE_HEADER,
        NONCE_HEADER,
        TIMESTAMP_HEADER,
        ALGORITHM_HEADER,
        "content-type",
        "x-sinch-webhook",
    ];
    /// Bytes likely to matter to a JSON parser.
    const INTERESTING: &[u8] = b"{}[]\":,\\ 0123456789-+.eEtrufalsn\x00\x7f\xc3\xff";

    /// One edit: replace, insert or delete a byte, or truncate.
    fn mutate(body: &mut Vec<u8>, (position, byte, op): (usize, u8, u8)) {
        let byte = if byte < 128 {
            INTERESTING[usize::from(byte) % INTERESTING.len()]
        } else {
            byte
        };
        if body.is_empty() {
            body.push(byte);
            return;
        }
        let i = position % body.len();
        match op % 4 {
            0 => body[i] = byte,
            1 => body.insert(i, byte),
            2 => {
                body.remove(i);
            }
            _ => body.truncate(i),
        }
    }

    fn mutations() -> impl Strategy<Value = Vec<(usize, u8, u8)>> {
        prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6)
    }

    /// A header name from the known set, in random ASCII case.
    fn header_name() -> impl Strategy<Value = String> {
        (0..NAMES.len(), any::<u64>()).prop_map(|(i, case)| {
            NAMES[i]
                .chars()
                .enumerate()
                .map(|(j, c)| {
                    if case >> (j % 64) & 1 == 1 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect()
        })
    }

    fn header_value() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            Just(SIGNATURE.as_bytes().to_vec()),
            Just(NONCE.as_bytes().to_vec()),
            Just(TIMESTAMP.to_string().into_bytes()),
            Just(b"HmacSHA256".to_vec()),
            prop::collection::vec(any::<u8>(), 0..48),
            prop::collection::vec(prop::sample::select(INTERESTING.to_vec()), 0..24),
        ]
    }

    fn check_parse(body: &[u8]) {
        // Any outcome but a panic; errors must render.
        if let Err(e) = parse(body) {
            let _ = e.to_string();
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(25_000))]

        #[test]
        fn parse_never_panics_on_random_bytes(
            body in prop::collection::vec(any::<u8>(), 0..256),
            structured in prop::collection::vec(prop::sample::select(INTERESTING.to_vec()), 0..256),
        ) {
            check_parse(&body);
            check_parse(&structured);
        }

        #[test]
        fn parse_never_panics_on_mutated_callbacks(
            index in any::<prop::sample::Index>(),
            edits in mutations(),
        ) {
            let mut body = index.get(&FIXTURES).clone();
            for edit in edits {
                mutate(&mut body, edit);
            }
            check_parse(&body);
        }

        #[test]
        fn verify_never_panics_on_random_header_sets(
            headers in prop::collection::vec((header_name(), header_value()), 0..7),
            body in prop::collection::vec(any::<u8>(), 0..64),
            secret in "[a-z0-9]{0,12}",
            now in prop_oneof![
                Just(TIMESTAMP),
                TIMESTAMP - 1_000..TIMESTAMP + 1_000,
                -8_000_000_000_000i64..8_000_000_000_000,
            ],
        ) {
            let now = DateTime::from_timestamp(now, 0).unwrap();
            let result = verify(&headers, &body, &secret, now);
            if let Err(e) = &result {
                let _ = e.to_string();
            }
            // The same headers through an `http::HeaderMap` give the same answer.
            let mut map = http::HeaderMap::new();
            let mut representable = true;
            for (name, value) in &headers {
                match (
                    http::HeaderName::from_bytes(name.as_bytes()),
                    http::HeaderValue::from_bytes(value),
                ) {
                    // Every value kept, as a server keeps them: a repeated signature header
                    // is rejected, so the map must carry the repeat too (issue 13).
                    (Ok(n), Ok(v)) => {
                        map.append(n, v);
                    }
                    _ => representable = false,
                }
            }
            if representable {
                prop_assert_eq!(verify(&map, &body, &secret, now), result);
            }
        }

        #[test]
        fn any_change_to_a_signed_callback_is_rejected(
            index in any::<prop::sample::Index>(),
            edits in mutations(),
            header_edit in (0..5usize, header_value()),
            skew in -300i64..=300,
        ) {
            let original = index.get(&FIXTURES);
            let headers = sign_headers(SECRET, original, NONCE, TIMESTAMP);
            let receiver = Receiver::new(SECRET);
            let now = at(TIMESTAMP + skew);

            // Untouched: accepted and parsed.
            prop_assert!(receiver.receive(&headers, original, now).is_ok());

            // Body edited: a mismatch, unless the edits cancelled out.
            let mut body = original.clone();
            for edit in edits {
                mutate(&mut body, edit);
            }
            let result = receiver.receive(&headers, &body, now);
            if body == *original {
                prop_assert!(result.is_ok());
            } else {
                prop_assert!(matches!(
                    result,
                    Err(webhooks::Error::Signature(SignatureError::SignatureMismatch))
                ));
            }

            // One header replaced: rejected, unless it kept its value.
            let (which, value) = header_edit;
            let mut edited: Vec<(&str, Vec<u8>)> =
                headers.iter().map(|(k, v)| (*k, v.clone().into_bytes())).collect();
            if which < edited.len() {
                let unchanged = edited[which].1.trim_ascii() == value.trim_ascii();
                edited[which].1 = value;
                let result = receiver.receive(&edited, original, now);
                prop_assert_eq!(result.is_ok(), unchanged);
            }
        }
    }
}
