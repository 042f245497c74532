//! Shared helpers for the per-area integration tests: a mock server and a client pointed at it.
#![allow(dead_code)]

use httpmock::{HttpMockRequest, MockServer};
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
