//! What every handler of the emulated API works with: the request context ([`Ctx`], [`Query`]),
//! the [`Outcome`] it answers with, and the body and value helpers the areas share.

use std::{sync::Arc, time::Duration};

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::json;
use sinch_conversation::types::ConversationChannel;

use crate::{callbacks::Emit, error::ApiError, ops::Route, state::Shared};

/// Default and largest `page_size`.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 10;
const MAX_PAGE_SIZE: usize = 20;

/// The decoded query string.
#[derive(Debug, Default)]
pub(crate) struct Query(pub(crate) Vec<(String, String)>);

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        Self(
            raw.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                .unwrap_or_default(),
        )
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") || v == "1" => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") || v == "0" => Ok(Some(false)),
            Some(v) => Err(ApiError::invalid(format!(
                "Invalid value for {name}: '{v}' is not a boolean"
            ))),
        }
    }

    /// `page_size`: 10 when absent or 0, at most 20.
    pub(crate) fn page_size(&self) -> Result<usize, ApiError> {
        self.page_size_max(MAX_PAGE_SIZE)
    }

    /// `page_size`: 10 when absent or 0, at most `max`.
    pub(crate) fn page_size_max(&self, max: usize) -> Result<usize, ApiError> {
        match self.get("page_size") {
            None => Ok(DEFAULT_PAGE_SIZE),
            Some(v) => match v.parse::<i64>() {
                Ok(n) if n < 0 => Err(ApiError::invalid("page_size must not be negative")),
                Ok(0) => Ok(DEFAULT_PAGE_SIZE),
                Ok(n) => Ok(usize::try_from(n).unwrap_or(max).min(max)),
                Err(_) => Err(ApiError::invalid(format!(
                    "Invalid value for page_size: '{v}' is not an integer"
                ))),
            },
        }
    }
}

/// What an operation produced: the answer and the callbacks it causes.
pub(crate) struct Outcome {
    pub(crate) response: Response,
    pub(crate) emits: Vec<Emit>,
}

pub(crate) fn json_response<T: Serialize>(value: &T) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(value).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot serialise the response: {e}"),
        )
    })?;
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

pub(crate) fn ok<T: Serialize>(value: &T) -> Result<Outcome, ApiError> {
    Ok(Outcome {
        response: json_response(value)?,
        emits: Vec::new(),
    })
}

pub(crate) fn ok_with<T: Serialize>(value: &T, emits: Vec<Emit>) -> Result<Outcome, ApiError> {
    Ok(Outcome {
        response: json_response(value)?,
        emits,
    })
}

pub(crate) fn empty(emits: Vec<Emit>) -> Result<Outcome, ApiError> {
    ok_with(&json!({}), emits)
}

pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid("A request body is required"));
    }
    serde_json::from_slice(body).map_err(|e| ApiError::bad_json(&e))
}

pub(crate) fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.trim().is_empty())
}

/// `CHANNEL_UNSPECIFIED` (no longer a value of the official enum, still sent by old clients) or
/// an empty channel.
pub(crate) fn unspecified(channel: &ConversationChannel) -> bool {
    matches!(channel.as_str().trim(), "" | "CHANNEL_UNSPECIFIED")
}

/// `value` as another model of the same wire shape (a create request as the stored resource).
pub(crate) fn convert<A: Serialize, B: DeserializeOwned>(value: &A) -> Result<B, ApiError> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("cannot convert: {e}"),
            )
        })
}

/// Context of one request.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Arc<Shared>,
    pub(crate) route: &'a Route,
    pub(crate) query: &'a Query,
    pub(crate) body: &'a [u8],
}

impl Ctx<'_> {
    pub(crate) fn project(&self) -> &str {
        &self.route.project
    }

    pub(crate) fn id(&self) -> &str {
        &self.route.id
    }

    pub(crate) fn report_delay(&self) -> Duration {
        self.shared.config.report_delay
    }
}
