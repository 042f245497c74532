//! An axum extractor that verifies and parses callbacks (feature `axum`).
//!
//! [`VerifiedEvent`] reads the body (up to the [`Receiver`]'s size limit), verifies its
//! signature with the current time and parses it. The [`Receiver`] comes from the router state
//! through [`FromRef`], so the state can be a `Receiver` or contain one.
//!
//! A rejected callback gets `401 Unauthorized` for a bad signature, `413 Payload Too Large` for
//! a body over the limit and `400 Bad Request` for any other bad body. To log rejections, take
//! `Result<VerifiedEvent, WebhookRejection>` as the extractor instead.
//!
//! ```
//! use axum::{Router, http::StatusCode, routing::post};
//! use sinch_conversation::webhooks::{Event, Receiver, axum::VerifiedEvent};
//!
//! async fn callback(VerifiedEvent(event): VerifiedEvent) -> StatusCode {
//!     if let Event::MessageInbound(cb) = &event {
//!         println!("message from {:?}", cb.payload.contact_id);
//!     }
//!     StatusCode::OK
//! }
//!
//! let app: Router = Router::new()
//!     .route("/callbacks", post(callback))
//!     .with_state(Receiver::new("my-secret"));
//! ```
//!
//! When the router's state holds more than the receiver, implement [`FromRef`] for the
//! `Receiver` from that state (or derive it with axum's `FromRef` derive):
//!
//! ```
//! use axum::{Router, extract::{FromRef, State}, http::StatusCode, routing::post};
//! use sinch_conversation::{Client, webhooks::{Receiver, axum::VerifiedEvent}};
//!
//! #[derive(Clone)]
//! struct AppState {
//!     receiver: Receiver,
//!     client: Client,
//! }
//!
//! impl FromRef<AppState> for Receiver {
//!     fn from_ref(state: &AppState) -> Self {
//!         state.receiver.clone()
//!     }
//! }
//!
//! async fn callback(State(state): State<AppState>, VerifiedEvent(event): VerifiedEvent) -> StatusCode {
//!     let _ = (&state.client, event);
//!     StatusCode::OK
//! }
//!
//! # fn app(client: Client) -> Router {
//! Router::new()
//!     .route("/callbacks", post(callback))
//!     .with_state(AppState { receiver: Receiver::new("my-secret"), client })
//! # }
//! ```

use ::axum::{
    extract::{FromRef, FromRequest, Request},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};

use super::{Error, Event, ParseError, Receiver};

/// A callback whose signature was verified, parsed into an [`Event`].
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedEvent(pub Event);

/// Why [`VerifiedEvent`] rejected a request; also the response sent back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookRejection {
    /// The signature or the body was rejected.
    #[error(transparent)]
    Webhook(#[from] Error),
    /// The body could not be read from the connection.
    #[error("could not read the callback body: {0}")]
    Body(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl WebhookRejection {
    /// The status the rejection answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Webhook(Error::Signature(_)) => StatusCode::UNAUTHORIZED,
            Self::Webhook(Error::Parse(ParseError::TooLarge { .. })) => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            Self::Webhook(_) | Self::Body(_) => StatusCode::BAD_REQUEST,
        }
    }
}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        // The messages name the failed check, never the secret or the expected signature.
        (self.status(), self.to_string()).into_response()
    }
}

impl<S> FromRequest<S> for VerifiedEvent
where
    Receiver: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebhookRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let receiver = Receiver::from_ref(state);
        let limit = receiver.parser().max_body_size();
        let too_large = || WebhookRejection::from(Error::from(ParseError::TooLarge { limit }));

        let (parts, body) = req.into_parts();
        let declared = parts
            .headers
            .get(::axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > limit as u64) {
            return Err(too_large());
        }
        let body = match Limited::new(body, limit).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<LengthLimitError>() => return Err(too_large()),
            Err(e) => return Err(WebhookRejection::Body(e)),
        };
        receiver
            .receive(&parts.headers, &body, chrono::Utc::now())
            .map(VerifiedEvent)
            .map_err(WebhookRejection::from)
    }
}
