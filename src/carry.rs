//! Typed failures carried through the `reqwest::Error` that the generated code must return.
//!
//! Progenitor's generated operations call [`ClientHooks::exec`](progenitor_client::ClientHooks),
//! which must return a `reqwest::Result`, and read the body themselves. A failure of this
//! crate's own (no token, an error answer the generated code cannot decode, a body over the
//! limit, a path parameter that would leave its segment) would lose its type there. So it is
//! wrapped: [`carry`] makes reqwest fail on a body stream that yields the error, which keeps it
//! in the `source()` chain, and [`carried`] finds it again when
//! `From<GeneratedError> for Error` sorts the failure.

use std::{
    pin::Pin,
    task::{Context, Poll},
};

use bytes::Bytes;

use crate::{auth::AuthError, body::BodyTooLarge, error::ApiError, path::PathParameterError};

/// A failure of this crate, as [`carried`] finds it.
pub(crate) enum Carried {
    Auth(AuthError),
    Api(ApiError),
    TooLarge(BodyTooLarge),
    PathSegment(PathParameterError),
}

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

/// Finds a failure carried by [`carry`].
pub(crate) fn carried(error: &reqwest::Error) -> Option<Carried> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(auth) = e.downcast_ref::<AuthError>() {
            return Some(Carried::Auth(auth.clone()));
        }
        if let Some(api) = e.downcast_ref::<ApiError>() {
            return Some(Carried::Api(api.clone()));
        }
        if let Some(limit) = e.downcast_ref::<BodyTooLarge>() {
            return Some(Carried::TooLarge(limit.clone()));
        }
        if let Some(path) = e.downcast_ref::<PathParameterError>() {
            return Some(Carried::PathSegment(path.clone()));
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
