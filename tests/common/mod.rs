//! Shared helpers for the integration tests: a mock server with a client pointed at it, and
//! [`Exchange`], the one expected request each operation test makes.
#![allow(dead_code)]

pub mod official;
pub mod recorder;
pub mod webhooks;

use httpmock::{HttpMockRequest, Method, MockServer};
use serde_json::Value;
use sinch_conversation::Client;

/// Project id used by every test request.
pub const PROJECT: &str = "proj-1";

/// A running mock server with a client configured for it.
pub struct Api {
    pub server: MockServer,
    pub client: Client,
}

impl Api {
    pub async fn start() -> Self {
        let server = MockServer::start_async().await;
        let client = client_for(&server.base_url());
        Self { server, client }
    }

    /// `/v1/projects/{PROJECT}` followed by `rest`.
    pub fn path(&self, rest: &str) -> String {
        format!("/v1/projects/{PROJECT}{rest}")
    }

    /// One `method` request to `/v1/projects/{PROJECT}{rest}` (raw, still percent-encoded).
    pub fn expect(&self, method: Method, rest: &str) -> Exchange<'_> {
        self.expect_at(method, self.path(rest))
    }

    /// One `method` request to the raw `path` (the `/v2` Template API paths).
    pub fn expect_at(&self, method: Method, path: impl Into<String>) -> Exchange<'_> {
        Exchange {
            server: &self.server,
            method,
            path: path.into(),
            query: None,
            headers: Vec::new(),
            body: None,
            status: 200,
            answer: None,
        }
    }

    /// Awaits `call`, which must fail before sending anything: no request reaches the server.
    pub async fn unsent<T>(&self, call: impl Future<Output = T>) -> T {
        let mock = self
            .server
            .mock_async(|when, then| {
                when.any_request();
                then.status(200).json_body(serde_json::json!({}));
            })
            .await;
        let result = call.await;
        assert_eq!(mock.calls_async().await, 0, "the call reached the server");
        mock.delete_async().await;
        result
    }
}

/// The request an operation must send, exactly, and the answer it gets.
///
/// Unless told otherwise the request has no query string and an empty body; the answer is an
/// empty 200. [`Exchange::run`] fails the test unless the call sent exactly one such request.
#[must_use = "an exchange checks nothing until it is run"]
pub struct Exchange<'a> {
    server: &'a MockServer,
    method: Method,
    path: String,
    query: Option<String>,
    headers: Vec<(String, String)>,
    body: Option<Value>,
    status: u16,
    answer: Option<Value>,
}

impl Exchange<'_> {
    /// The raw query string, exactly (order, repetition and percent-encoding matter).
    pub fn query(mut self, raw: &str) -> Self {
        self.query = Some(raw.to_owned());
        self
    }

    /// A request header that must be present with this value.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The whole JSON body, sent as `application/json`.
    pub fn json_body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Answers 200 with `body` as JSON.
    pub fn reply(self, body: Value) -> Self {
        self.reply_status(200, body)
    }

    /// Answers `status` with `body` as JSON.
    pub fn reply_status(mut self, status: u16, body: Value) -> Self {
        self.status = status;
        self.answer = Some(body);
        self
    }

    /// Mocks the exchange, awaits `call`, and checks it sent exactly one matching request.
    /// The mock is removed afterwards, so one server can check several exchanges in turn.
    pub async fn run<T>(self, call: impl Future<Output = T>) -> T {
        let Self {
            server,
            method,
            path,
            query,
            headers,
            body,
            status,
            answer,
        } = self;
        let mock = server
            .mock_async(|when, then| {
                let mut when = when
                    .method(method)
                    .is_true(raw_path(path))
                    .is_true(move |req: &HttpMockRequest| req.uri().query() == query.as_deref());
                for (name, value) in headers {
                    when = when.header(name, value);
                }
                match body {
                    Some(body) => {
                        when.header("content-type", "application/json")
                            .json_body(body);
                    }
                    None => {
                        when.is_true(|req: &HttpMockRequest| req.body_ref().is_empty());
                    }
                }
                let then = then.status(status);
                if let Some(answer) = answer {
                    then.json_body(answer);
                }
            })
            .await;
        let result = call.await;
        mock.assert_async().await;
        mock.delete_async().await;
        result
    }
}

/// A client for `base_url` with test credentials, whose default project is [`PROJECT`].
pub fn client_for(base_url: &str) -> Client {
    // Plain-HTTP mock servers need no TLS, but reqwest still wants a crypto provider chosen.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::new(
        base_url,
        sinch_conversation::client::ClientState::default().with_project_id(PROJECT),
    )
}

/// Matches a request whose raw query string is exactly `expected` (`None`: no query at all).
///
/// httpmock's own query matchers decode and ignore order and repetition; the API cares about both
/// for `update_mask.paths`, so tests compare the raw string.
pub fn raw_query(
    expected: Option<&'static str>,
) -> impl Fn(&HttpMockRequest) -> bool + Send + Sync + 'static {
    move |req: &HttpMockRequest| req.uri().query() == expected
}

/// Matches a request whose raw (still percent-encoded) path is exactly `expected`.
pub fn raw_path(expected: String) -> impl Fn(&HttpMockRequest) -> bool + Send + Sync + 'static {
    move |req: &HttpMockRequest| req.uri().path() == expected
}
