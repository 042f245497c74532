//! The API's error answers: the official `runtimeError` shape,
//! `{"error": {"code","message","status","details"}}`, with a gRPC-style status name.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sinch_conversation::types;

/// An error answer of the emulated API.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    /// The gRPC-style status name of the body (`INVALID_ARGUMENT`, `NOT_FOUND`, ...).
    pub(crate) kind: &'static str,
    pub(crate) message: String,
}

impl ApiError {
    /// An error with the status name that usually goes with `status`.
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            kind: status_name(status),
            message: message.into(),
        }
    }

    /// 400 `INVALID_ARGUMENT`.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 400 `FAILED_PRECONDITION`: the request is valid but the state does not allow it.
    pub(crate) fn precondition(message: impl Into<String>) -> Self {
        Self {
            kind: "FAILED_PRECONDITION",
            ..Self::invalid(message)
        }
    }

    /// 404 `NOT_FOUND` for a resource of kind `what`.
    pub(crate) fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("Could not find {what} with ID '{id}'"),
        )
    }

    /// A body that is not valid JSON or does not match the model.
    pub(crate) fn bad_json(error: &serde_json::Error) -> Self {
        Self::invalid(format!("Invalid JSON payload received: {error}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(self.status, self.kind, &self.message)
    }
}

/// The gRPC-style status name the Conversation API puts in error bodies for an HTTP status.
pub(crate) fn status_name(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 413 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        405 | 501 => "UNIMPLEMENTED",
        409 => "ALREADY_EXISTS",
        429 => "RESOURCE_EXHAUSTED",
        499 => "CANCELLED",
        502 | 503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ if status.is_server_error() => "INTERNAL",
        _ => "UNKNOWN",
    }
}

/// `{"error": {"code":..,"message":..,"status":..,"details":[]}}` with `status`: the official
/// `runtimeError` ([`types::RuntimeError`]), which every error response of the document names.
pub(crate) fn error_response(status: StatusCode, kind: &str, message: &str) -> Response {
    let body = types::RuntimeError {
        error: Some(types::RuntimeErrorError {
            code: Some(i32::from(status.as_u16())),
            details: Vec::new(),
            message: Some(message.to_owned()),
            status: Some(kind.to_owned()),
        }),
    };
    let mut body = serde_json::to_value(&body).unwrap_or_default();
    // The generated model leaves an empty `details` out; the API sends `"details": []`.
    if let Some(serde_json::Value::Object(error)) = body.get_mut("error") {
        error
            .entry("details")
            .or_insert_with(|| serde_json::Value::Array(Vec::new()));
    }
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
