//! Typed failures carried through the `reqwest::Error` that the generated code must return:
//! both halves of the round trip, [`carry`] and [`find`].
//!
//! Why it exists: progenitor's generated operations call
//! [`ClientHooks::exec`](progenitor_client::ClientHooks), which must return a
//! `reqwest::Result`, and they only pass on what reqwest gives them. A failure of this crate's
//! own (no token, an error answer the generated code cannot decode, a body over the limit, a
//! path parameter that would leave its segment) would lose its type there. So [`carry`] makes
//! reqwest fail on a body stream that yields the typed error, which keeps it in the error's
//! `source()` chain, and [`find`] downcasts it out again when `From<GeneratedError> for Error`
//! sorts the failure. The module knows no error type: it imports nothing from the crate.

use std::{
    pin::Pin,
    task::{Context, Poll},
};

use bytes::Bytes;

/// Fails with a `reqwest::Error` whose `source()` chain holds `error`.
pub(crate) async fn carry<E>(error: E) -> reqwest::Result<reqwest::Response>
where
    E: std::error::Error + Send + Sync + Unpin + 'static,
{
    let body = reqwest::Body::wrap_stream(FailOnce(Some(error)));
    match reqwest::Response::from(http::Response::new(body))
        .bytes()
        .await
    {
        Err(carrier) => Err(carrier),
        // A body whose first frame is an error cannot be read successfully; answer 401 anyway.
        Ok(_) => {
            let mut response = http::Response::new(reqwest::Body::from(Vec::<u8>::new()));
            *response.status_mut() = reqwest::StatusCode::UNAUTHORIZED;
            Ok(reqwest::Response::from(response))
        }
    }
}

/// `error` as the generated code's error, for an early return from a generated `send()`
/// (`build.rs` puts the calls there).
pub(crate) async fn generated<T, X, E>(error: X) -> Result<T, progenitor_client::Error<E>>
where
    X: std::error::Error + Send + Sync + Unpin + 'static,
{
    let message = error.to_string();
    match carry(error).await {
        Err(carrier) => Err(progenitor_client::Error::CommunicationError(carrier)),
        Ok(_) => Err(progenitor_client::Error::InvalidRequest(message)),
    }
}

/// The `E` that [`carry`] put into `error`'s `source()` chain, if any.
pub(crate) fn find<E: std::error::Error + 'static>(error: &reqwest::Error) -> Option<&E> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found);
        }
        source = e.source();
    }
    None
}

/// A stream whose only item is an error.
struct FailOnce<E>(Option<E>);

impl<E: Unpin> futures_core::Stream for FailOnce<E> {
    type Item = Result<Bytes, E>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(self.0.take().map(Err))
    }
}
