//! Authentication against a local token endpoint and API: OAuth2 client credentials (cache,
//! expiry, single flight, reactive refresh, failures) and HTTP Basic.

use std::time::Duration;

use base64::Engine as _;
use httpmock::{Method::GET, Method::POST, Mock, MockServer};
use serde_json::json;
use sinch_conversation::{AuthError, Client, ClientBuilder, Error, RetryPolicy, types};

const PROJECT: &str = "proj-1";
const KEY_ID: &str = "key-id-1";
const KEY_SECRET: &str = "KEY-SECRET-never-printed";
const TOKEN_PATH: &str = "/oauth2/token";

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(50))
}

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.base_url())
        .project_id(PROJECT)
        .oauth2(KEY_ID, KEY_SECRET)
        .token_url(server.url(TOKEN_PATH))
        .token_retry_policy(fast_retries())
        .retry_policy(fast_retries())
}

fn basic(id: &str, secret: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    format!("Basic {encoded}")
}

/// A token endpoint that checks the client-credentials request and issues `token`.
async fn token_endpoint<'a>(server: &'a MockServer, token: &str, expires_in: u64) -> Mock<'a> {
    let token = token.to_owned();
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(TOKEN_PATH)
                .header("authorization", basic(KEY_ID, KEY_SECRET))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials");
            then.status(200).json_body(json!({
                "access_token": token,
                "expires_in": expires_in,
                "token_type": "bearer",
            }));
        })
        .await
}

/// `GET /v1/projects/{PROJECT}/apps` answering 200 to `Bearer {token}`.
async fn apps_ok<'a>(server: &'a MockServer, token: &str) -> Mock<'a> {
    let bearer = format!("Bearer {token}");
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/projects/{PROJECT}/apps"))
                .header("authorization", bearer);
            then.status(200).json_body(json!({"apps": []}));
        })
        .await
}

/// `GET /v1/projects/{PROJECT}/apps` answering 401 "token expired" to `Bearer {token}`.
async fn apps_expired<'a>(server: &'a MockServer, token: &str) -> Mock<'a> {
    let bearer = format!("Bearer {token}");
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/projects/{PROJECT}/apps"))
                .header("authorization", bearer);
            then.status(401)
                // Unusual casing on purpose: header names are case-insensitive.
                .header(
                    "WWW-AUTHENTICATE",
                    r#"Bearer error="invalid_token", error_description="Jwt is EXPIRED""#,
                )
                .json_body(
                    json!({"code": 401, "message": "Unauthorized", "status": "UNAUTHENTICATED"}),
                );
        })
        .await
}

async fn list_apps(client: &Client) -> Result<types::ListAppsResponse, Error> {
    Ok(client
        .list_apps()
        .project_id(PROJECT)
        .send()
        .await?
        .into_inner())
}

#[tokio::test]
async fn oauth2_fetches_a_client_credentials_token_and_sends_it_as_bearer() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server, "tok-A", 3600).await;
    let api = apps_ok(&server, "tok-A").await;
    let client = builder(&server).build().unwrap();

    list_apps(&client).await.unwrap();

    assert_eq!(token.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 1);
}

#[tokio::test]
async fn the_token_is_cached_across_calls() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server, "tok-A", 3600).await;
    let api = apps_ok(&server, "tok-A").await;
    let client = builder(&server).build().unwrap();

    for _ in 0..3 {
        list_apps(&client).await.unwrap();
    }
    // Clones share the cache.
    list_apps(&client.clone()).await.unwrap();

    assert_eq!(token.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 4);
}

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_before_use() {
    let server = MockServer::start_async().await;
    // A 2 s token is refreshed after 1 s: the 60 s margin is capped at half the lifetime.
    let token = token_endpoint(&server, "tok-A", 2).await;
    let api = apps_ok(&server, "tok-A").await;
    let client = builder(&server).build().unwrap();

    list_apps(&client).await.unwrap();
    list_apps(&client).await.unwrap();
    assert_eq!(token.calls_async().await, 1);

    tokio::time::sleep(Duration::from_millis(1200)).await;
    list_apps(&client).await.unwrap();

    assert_eq!(token.calls_async().await, 2);
    assert_eq!(api.calls_async().await, 3);
}

#[tokio::test]
async fn a_failed_early_refresh_keeps_using_the_token_until_it_really_expires() {
    let server = MockServer::start_async().await;
    // A 2 s token: refreshed from 1 s on, unusable from 2 s on.
    let token = token_endpoint(&server, "tok-A", 2).await;
    let api = apps_ok(&server, "tok-A").await;
    let client = builder(&server).build().unwrap();
    list_apps(&client).await.unwrap();

    // The token endpoint goes down during the refresh window.
    token.delete_async().await;
    let down = server
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(503);
        })
        .await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    list_apps(&client).await.unwrap();
    let attempts = down.calls_async().await;
    assert!(attempts >= 1, "a refresh was tried");
    // The next call within the back-off does not hammer the token endpoint again.
    list_apps(&client).await.unwrap();
    assert_eq!(down.calls_async().await, attempts);
    assert_eq!(api.calls_async().await, 3, "every call went out with tok-A");

    // Once the token has really expired, the failure surfaces as a typed auth error.
    tokio::time::sleep(Duration::from_millis(900)).await;
    let error = list_apps(&client).await.unwrap_err();
    assert!(
        matches!(&error, Error::Auth(AuthError::Rejected { status, .. }) if status.as_u16() == 503),
        "{error:?}"
    );
    assert_eq!(api.calls_async().await, 3);
}

#[tokio::test]
async fn the_refresh_margin_is_configurable() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server, "tok-A", 2).await;
    apps_ok(&server, "tok-A").await;
    let client = builder(&server)
        .token_refresh_margin(Duration::ZERO)
        .build()
        .unwrap();

    list_apps(&client).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    // Without a margin the token is still good for another ~0.8 s.
    list_apps(&client).await.unwrap();

    assert_eq!(token.calls_async().await, 1);
}

#[tokio::test]
async fn sixty_four_concurrent_calls_make_exactly_one_token_request() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(200)
                .delay(Duration::from_millis(100))
                .json_body(
                    json!({"access_token": "tok-A", "expires_in": 3600, "token_type": "Bearer"}),
                );
        })
        .await;
    let api = apps_ok(&server, "tok-A").await;
    let client = builder(&server).build().unwrap();

    let calls: Vec<_> = (0..64)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { list_apps(&client).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }

    assert_eq!(token.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 64);
}

#[tokio::test]
async fn a_401_saying_expired_refreshes_the_token_and_retries_once() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(200)
                .json_body(json!({"access_token": "tok-A", "expires_in": 3600}));
        })
        .await;
    let client = builder(&server).build().unwrap();
    // Cache tok-A, then make the token endpoint issue tok-B and the API reject tok-A.
    let warm_up = apps_ok(&server, "tok-A").await;
    list_apps(&client).await.unwrap();
    warm_up.delete_async().await;
    first.delete_async().await;
    let second = token_endpoint(&server, "tok-B", 3600).await;
    let rejected = apps_expired(&server, "tok-A").await;
    let accepted = apps_ok(&server, "tok-B").await;

    list_apps(&client).await.unwrap();

    assert_eq!(rejected.calls_async().await, 1);
    assert_eq!(second.calls_async().await, 1);
    assert_eq!(accepted.calls_async().await, 1);
}

#[tokio::test]
async fn concurrent_expired_401s_replace_the_failed_token_only_once() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(200)
                .json_body(json!({"access_token": "tok-A", "expires_in": 3600}));
        })
        .await;
    let client = builder(&server).build().unwrap();
    let warm_up = apps_ok(&server, "tok-A").await;
    list_apps(&client).await.unwrap();
    warm_up.delete_async().await;
    first.delete_async().await;
    let second = server
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(200)
                .delay(Duration::from_millis(100))
                .json_body(json!({"access_token": "tok-B", "expires_in": 3600}));
        })
        .await;
    let rejected = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/projects/{PROJECT}/apps"))
                .header("authorization", "Bearer tok-A");
            // Slow enough that all calls are rejected with tok-A before anyone refreshes.
            then.status(401).delay(Duration::from_millis(100)).header(
                "www-authenticate",
                r#"Bearer error="invalid_token", error_description="token expired""#,
            );
        })
        .await;
    let accepted = apps_ok(&server, "tok-B").await;

    let calls: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { list_apps(&client).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }

    assert_eq!(rejected.calls_async().await, 8);
    assert_eq!(
        second.calls_async().await,
        1,
        "tok-B must not be replaced by the later 401s"
    );
    assert_eq!(accepted.calls_async().await, 8);
}

#[tokio::test]
async fn an_expired_401_after_the_refresh_is_returned_without_another_refresh() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server, "tok-A", 3600).await;
    let api = apps_expired(&server, "tok-A").await;
    let client = builder(&server).build().unwrap();

    let error = list_apps(&client).await.unwrap_err();

    assert_eq!(
        token.calls_async().await,
        2,
        "the first token and one refresh"
    );
    assert_eq!(api.calls_async().await, 2, "the call and one retry");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
}

#[tokio::test]
async fn a_401_without_expired_is_an_error_and_triggers_no_refresh() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server, "tok-A", 3600).await;
    let api = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/projects/{PROJECT}/apps"));
            then.status(401)
                .header("www-authenticate", r#"Bearer error="invalid_token""#)
                .json_body(json!({"code": 401, "message": "Invalid credentials", "status": "UNAUTHENTICATED"}));
        })
        .await;
    let client = builder(&server).build().unwrap();

    let error = list_apps(&client).await.unwrap_err();

    assert_eq!(token.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 1);
    let Error::Api(api_error) = &error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(api_error.status().as_u16(), 401);
    assert_eq!(api_error.message(), Some("Invalid credentials"));
}

#[tokio::test]
async fn token_endpoint_5xx_is_retried_then_a_typed_auth_error() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(503)
                .body(r#"{"error": "temporarily_unavailable"}"#);
        })
        .await;
    let api = apps_ok(&server, "tok-A").await;
    let client = builder(&server)
        .token_retry_policy(fast_retries().with_max_attempts(4))
        .build()
        .unwrap();

    let error = list_apps(&client).await.unwrap_err();

    assert_eq!(token.calls_async().await, 4);
    assert_eq!(api.calls_async().await, 0);
    let Error::Auth(AuthError::Rejected { status, body, .. }) = &error else {
        panic!("expected a typed auth error, got {error:?}")
    };
    assert_eq!(status.as_u16(), 503);
    assert_eq!(&body[..], br#"{"error": "temporarily_unavailable"}"#);
    assert!(error.is_retryable());
    assert!(!error.to_string().contains('\n'));
}

#[tokio::test]
async fn token_endpoint_429_honours_retry_after() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(429).header("retry-after", "0");
        })
        .await;
    let client = builder(&server).build().unwrap();
    let error = list_apps(&client).await.unwrap_err();
    assert_eq!(
        token.calls_async().await,
        3,
        "Retry-After: 0 allows the retries"
    );
    assert!(matches!(error, Error::Auth(AuthError::Rejected { .. })));

    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(429).header("retry-after", "120");
        })
        .await;
    let client = builder(&server).build().unwrap();
    let error = list_apps(&client).await.unwrap_err();
    assert_eq!(
        token.calls_async().await,
        1,
        "a wait beyond max_delay is not retried early"
    );
    let Error::Auth(AuthError::Rejected { retry_after, .. }) = error else {
        panic!("expected a typed auth error, got {error:?}")
    };
    assert_eq!(retry_after, Some(Duration::from_secs(120)));
}

#[tokio::test]
async fn token_endpoint_401_is_not_retried() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(401)
                .json_body(json!({"error": "invalid_client"}));
        })
        .await;
    let client = builder(&server).build().unwrap();

    let error = list_apps(&client).await.unwrap_err();

    assert_eq!(token.calls_async().await, 1);
    let Error::Auth(auth) = &error else {
        panic!("expected a typed auth error, got {error:?}")
    };
    assert_eq!(auth.status().map(|s| s.as_u16()), Some(401));
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("invalid_client"), "{error}");
}

#[tokio::test]
async fn an_unusable_token_response_is_a_typed_auth_error() {
    for body in [
        json!({"no_token": true}),
        json!({"access_token": "", "expires_in": 60}),
        json!({"access_token": "tok", "token_type": "mac"}),
    ] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(POST).path(TOKEN_PATH);
                then.status(200).json_body(body.clone());
            })
            .await;
        let client = builder(&server).build().unwrap();
        let error = list_apps(&client).await.unwrap_err();
        assert!(
            matches!(error, Error::Auth(AuthError::InvalidResponse { .. })),
            "{body}: {error:?}"
        );
    }
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_a_typed_auth_error() {
    let server = MockServer::start_async().await;
    let api = apps_ok(&server, "tok-A").await;
    let client = builder(&server)
        // Nothing listens on port 9 (discard) of localhost in a test environment.
        .token_url("http://127.0.0.1:9/oauth2/token")
        .build()
        .unwrap();

    let error = list_apps(&client).await.unwrap_err();

    assert!(
        matches!(error, Error::Auth(AuthError::Transport(_))),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(api.calls_async().await, 0);
}

#[tokio::test]
async fn secrets_and_tokens_never_appear_in_debug_output_or_errors() {
    let server = MockServer::start_async().await;
    token_endpoint(&server, "TOKEN-never-printed", 3600).await;
    apps_ok(&server, "TOKEN-never-printed").await;
    let builder = builder(&server);
    assert!(!format!("{builder:?}").contains(KEY_SECRET));
    let client = builder.build().unwrap();
    list_apps(&client).await.unwrap();

    let debug = format!("{client:?}");
    assert!(!debug.contains(KEY_SECRET), "{debug}");
    assert!(!debug.contains("TOKEN-never-printed"), "{debug}");

    // A token endpoint that echoes the request, secret included, in its error.
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(400).body(format!(
                "bad client {KEY_ID}:{KEY_SECRET} / {}",
                basic(KEY_ID, KEY_SECRET)
            ));
        })
        .await;
    let client = self::builder(&server).build().unwrap();
    let error = list_apps(&client).await.unwrap_err();
    for text in [
        error.to_string(),
        format!("{error:?}"),
        format!("{error:#}"),
        format!("{:?}", OperationErrorText::of(&client).await),
    ] {
        assert!(!text.contains(KEY_SECRET), "{text}");
        assert!(!text.contains("TOKEN-never-printed"), "{text}");
        // An echoed Basic header decodes to the secret: it must go too.
        let encoded = basic(KEY_ID, KEY_SECRET);
        let encoded = encoded.trim_start_matches("Basic ");
        assert!(!text.contains(encoded), "{text}");
    }
    assert!(matches!(error, Error::Auth(_)));
}

/// The generated layer's own error (before conversion), printed in full.
struct OperationErrorText(String);

impl std::fmt::Debug for OperationErrorText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl OperationErrorText {
    async fn of(client: &Client) -> Self {
        let error = client
            .list_apps()
            .project_id(PROJECT)
            .send()
            .await
            .unwrap_err();
        Self(format!("{error:?} / {error:#}"))
    }
}

#[tokio::test]
async fn basic_auth_sends_the_key_on_every_request_and_never_asks_for_a_token() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server, "tok-A", 3600).await;
    let api = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/projects/{PROJECT}/apps"))
                .header("authorization", basic(KEY_ID, KEY_SECRET));
            then.status(200).json_body(json!({"apps": []}));
        })
        .await;
    let client = builder(&server)
        .basic_auth(KEY_ID, KEY_SECRET)
        .build()
        .unwrap();

    list_apps(&client).await.unwrap();
    list_apps(&client).await.unwrap();

    assert_eq!(api.calls_async().await, 2);
    assert_eq!(token.calls_async().await, 0);
    assert!(!format!("{client:?}").contains(KEY_SECRET));
}

#[tokio::test]
async fn the_configured_project_is_available_and_an_empty_one_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    token_endpoint(&server, "tok-A", 3600).await;
    let api = apps_ok(&server, "tok-A").await;
    let client = builder(&server).build().unwrap();

    assert_eq!(client.project(), PROJECT);
    client
        .list_apps()
        .project_id(client.project())
        .send()
        .await
        .unwrap();
    assert_eq!(api.calls_async().await, 1);

    // Without a project the call fails before anything is sent.
    let client = Client::builder()
        .base_url(server.base_url())
        .oauth2(KEY_ID, KEY_SECRET)
        .token_url(server.url(TOKEN_PATH))
        .build()
        .unwrap();
    assert_eq!(client.project(), "");
    let error: Error = client
        .list_apps()
        .project_id(client.project())
        .send()
        .await
        .unwrap_err();
    assert!(
        // Refused by the path-segment guard, naming the parameter.
        matches!(&error, Error::PathParameter(e) if e.parameter() == "project_id"),
        "{error:?}"
    );
    assert_eq!(api.calls_async().await, 1);
}

#[tokio::test]
async fn authenticate_checks_the_credentials_up_front_and_warms_the_cache() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server, "tok-A", 3600).await;
    let api = apps_ok(&server, "tok-A").await;
    let client = builder(&server).build().unwrap();

    client.authenticate().await.unwrap();
    assert_eq!(client.token_requests(), 1);
    list_apps(&client).await.unwrap();

    assert_eq!(token.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 1);
    assert_eq!(client.token_requests(), 1);

    // Wrong credentials: the token endpoint's refusal, typed.
    let client = Client::builder()
        .base_url(server.base_url())
        .oauth2(KEY_ID, "wrong secret")
        .token_url(server.url(TOKEN_PATH))
        .token_retry_policy(fast_retries())
        .build()
        .unwrap();
    let error = client.authenticate().await.unwrap_err();
    assert!(matches!(error, AuthError::Rejected { .. }), "{error:?}");
    assert_eq!(client.token_requests(), 1);
}

#[tokio::test]
async fn odd_expires_in_values_are_handled_without_panic() {
    for (expires_in, token_requests) in [
        (json!(3599.5), 1),
        (json!(1e300), 1),
        (json!(-5), 2),
        (json!(0), 2),
    ] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(POST).path(TOKEN_PATH);
                then.status(200)
                    .json_body(json!({"access_token": "tok-A", "expires_in": expires_in}));
            })
            .await;
        apps_ok(&server, "tok-A").await;
        let client = builder(&server).build().unwrap();

        list_apps(&client).await.unwrap();
        list_apps(&client).await.unwrap();

        // An already expired token serves the call it was fetched for, then is replaced.
        assert_eq!(client.token_requests(), token_requests, "{expires_in}");
    }
}
