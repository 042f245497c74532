//! The admin API under `/_emulator/`: counters, faults, token expiry, contact replies, reset;
//! and the last two as functions, for the [`Emulator`](crate::Emulator) handle's methods.
//!
//! It needs no credentials; the emulator is meant for `127.0.0.1`.

use std::{sync::Arc, time::Duration};

use axum::{
    Json, Router,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use sinch_conversation::types::{
    ContactMessage, ContactMessageCommonProps, ContactMessageTypes, ConversationChannel,
    ConversationMessage, ReplyToField, TextMessage,
};

use crate::{
    api, callbacks,
    error::ApiError,
    faults::Fault,
    ops::Operation,
    state::{Shared, lock},
    store::Store,
};

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/stats", get(stats))
        .route("/faults", post(add_fault).delete(clear_faults))
        .route("/tokens/expire", post(expire_tokens))
        .route("/reply", post(reply))
        .route("/reset", post(reset))
}

async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.counters.snapshot()).into_response()
}

/// `POST /_emulator/faults`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    /// An operation name (`send_message`), or `*` for every operation (delays only).
    operation: String,
    /// How many requests the fault applies to (default 1, at least 1).
    times: Option<u32>,
    /// Answer with this status (400 to 599).
    status: Option<u16>,
    /// `Retry-After` for 429 and 503, in milliseconds.
    retry_after_ms: Option<u64>,
    /// Close the connection without answering.
    drop: Option<bool>,
    /// Delay every request of the operation by this much (0 removes the delay).
    delay_ms: Option<u64>,
}

/// Statuses a fault may answer with: client and server errors.
const FAULT_STATUSES: std::ops::RangeInclusive<u16> = 400..=599;

fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    payload
        .map(|Json(v)| v)
        .map_err(|e| ApiError::invalid(e.body_text()))
}

async fn add_fault(
    State(shared): State<Arc<Shared>>,
    payload: Result<Json<FaultRequest>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let request = body(payload)?;
    let op = match request.operation.as_str() {
        "*" => None,
        name => Some(
            name.parse::<Operation>()
                .map_err(|e| ApiError::invalid(e.to_string()))?,
        ),
    };
    let times = request.times.unwrap_or(1);
    if times == 0 {
        return Err(ApiError::invalid("times must be at least 1"));
    }
    // Everything is checked before anything changes, so a rejected request leaves no delay.
    let fault = match (request.drop, request.status) {
        (Some(true), _) => Some(Fault::DropConnection),
        (_, Some(status)) if FAULT_STATUSES.contains(&status) => Some(Fault::Status {
            status,
            retry_after: request.retry_after_ms.map(Duration::from_millis),
        }),
        (_, Some(status)) => {
            return Err(ApiError::invalid(format!(
                "status {status} is not an error status: use 400 to 599"
            )));
        }
        _ => None,
    };
    let mut faults = lock(&shared.faults);
    match (fault, op) {
        (Some(_), None) => {
            return Err(ApiError::invalid(
                "a status or drop fault needs one operation, not *",
            ));
        }
        (None, _) if request.delay_ms.is_none() => {
            return Err(ApiError::invalid("set status, drop or delay_ms"));
        }
        (Some(fault), Some(op)) => faults.push(op, times, fault),
        (None, _) => {}
    }
    if let Some(delay) = request.delay_ms {
        faults.set_delay(op, Duration::from_millis(delay));
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> StatusCode {
    lock(&shared.faults).clear();
    StatusCode::NO_CONTENT
}

async fn expire_tokens(State(shared): State<Arc<Shared>>) -> StatusCode {
    lock(&shared.tokens).expire_all();
    StatusCode::NO_CONTENT
}

/// `POST /_emulator/reply`: a contact writes to an app.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplyRequest {
    app_id: String,
    channel: ConversationChannel,
    identity: String,
    /// A text reply.
    text: Option<String>,
    /// Any contact message (instead of `text`).
    message: Option<ContactMessage>,
}

async fn reply(
    State(shared): State<Arc<Shared>>,
    payload: Result<Json<ReplyRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let request = body(payload)?;
    let message = match (request.message, request.text) {
        (Some(message), _) => message,
        (None, Some(text)) => ContactMessage {
            common: ContactMessageCommonProps(ReplyToField::default()),
            kind: ContactMessageTypes::TextMessage(TextMessage { text }),
        },
        (None, None) => return Err(ApiError::invalid("set text or message")),
    };
    let stored = contact_reply(
        &shared,
        &request.app_id,
        &request.channel,
        &request.identity,
        message,
    )?;
    Ok(Json(stored).into_response())
}

async fn reset(State(shared): State<Arc<Shared>>) -> StatusCode {
    reset_store(&shared);
    StatusCode::NO_CONTENT
}

/// A contact writes `message` to app `app_id` (see
/// [`Emulator::contact_reply`](crate::Emulator::contact_reply)); its callbacks are sent once the
/// store is unlocked.
pub(crate) fn contact_reply(
    shared: &Arc<Shared>,
    app_id: &str,
    channel: &ConversationChannel,
    identity: &str,
    message: ContactMessage,
) -> Result<ConversationMessage, ApiError> {
    let (stored, jobs) = {
        let mut store = lock(&shared.store);
        let (stored, emits) =
            api::contact_reply(shared, &mut store, app_id, channel, identity, message)?;
        (stored, callbacks::resolve(&store, emits))
    };
    callbacks::spawn(shared, jobs);
    Ok(stored)
}

/// Forgets every resource and consent; counters, tokens and faults stay.
pub(crate) fn reset_store(shared: &Shared) {
    *lock(&shared.store) = Store::default();
}
