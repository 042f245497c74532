//! Receiving callbacks: signature verification and typed events.

mod signature;

pub use signature::{
    ALGORITHM, ALGORITHM_HEADER, DEFAULT_TOLERANCE, HeaderLookup, NONCE_HEADER, SIGNATURE_HEADER,
    SignatureError, TIMESTAMP_HEADER, Verifier, WebhookSecret, sign, sign_headers, verify,
};
