//! OAuth2 and Basic authentication against httpmock token and API endpoints.

use std::time::Duration;

use httpmock::{Method::GET, Method::POST, Mock, MockServer};
use serde_json::json;
use sinch_conversation::{
    Client, GeneratedError, error::AuthError, error::Error, retry::RetryPolicy,
};

const KEY_ID: &str = "key-id-1";
const KEY_SECRET: &str = "key-secret-TOP";
/// base64("key-id-1:key-secret-TOP")
const BASIC: &str = "Basic a2V5LWlkLTE6a2V5LXNlY3JldC1UT1A=";

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(20),
        ..Default::default()
    }
}

fn oauth_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .token_url(server.url("/oauth2/token"))
        .project_id("p1")
        .oauth2(KEY_ID, KEY_SECRET)
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

async fn token_mock<'a>(server: &'a MockServer, token: &str, expires_in: u64) -> Mock<'a> {
    let token = token.to_owned();
    server
        .mock_async(move |when, then| {
            when.method(POST)
                .path("/oauth2/token")
                .header("authorization", BASIC)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials");
            then.status(200).json_body(
                json!({"access_token": token, "expires_in": expires_in, "token_type": "bearer"}),
            );
        })
        .await
}

async fn apps_mock<'a>(server: &'a MockServer, bearer: &str) -> Mock<'a> {
    let header = format!("Bearer {bearer}");
    server
        .mock_async(move |when, then| {
            when.method(GET)
                .path("/v1/projects/p1/apps")
                .header("authorization", header);
            then.status(200).json_body(json!({"apps": []}));
        })
        .await
}

#[tokio::test]
async fn bearer_token_is_fetched_once_and_reused() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server, "tok-1", 3600).await;
    let apps = apps_mock(&server, "tok-1").await;
    let client = oauth_client(&server);

    for _ in 0..3 {
        client
            .list_apps()
            .project_id(client.project())
            .send()
            .await
            .unwrap();
    }

    assert_eq!(token.calls_async().await, 1);
    assert_eq!(apps.calls_async().await, 3);
    assert_eq!(client.token_requests(), 1);
}

#[tokio::test]
async fn a_token_expiring_within_the_margin_is_refreshed_before_use() {
    let server = MockServer::start_async().await;
    // Valid for 61 s: after a second it expires within the 60 s margin.
    let first = token_mock(&server, "tok-1", 61).await;
    let apps_1 = apps_mock(&server, "tok-1").await;
    let client = oauth_client(&server);
    client.list_apps().project_id("p1").send().await.unwrap();
    first.delete_async().await;
    let second = token_mock(&server, "tok-2", 3600).await;
    let apps_2 = apps_mock(&server, "tok-2").await;

    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.list_apps().project_id("p1").send().await.unwrap();
    client.list_apps().project_id("p1").send().await.unwrap();

    assert_eq!(apps_1.calls_async().await, 1);
    assert_eq!(second.calls_async().await, 1);
    assert_eq!(apps_2.calls_async().await, 2);
}

#[tokio::test]
async fn sixty_four_concurrent_calls_make_exactly_one_token_request() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(200)
                .delay(Duration::from_millis(150))
                .json_body(json!({"access_token": "tok-c", "expires_in": 3600}));
        })
        .await;
    let apps = apps_mock(&server, "tok-c").await;
    let client = oauth_client(&server);

    let calls = (0..64).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.list_apps().project_id("p1").send().await.map(|_| ()) })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }

    assert_eq!(token.calls_async().await, 1);
    assert_eq!(apps.calls_async().await, 64);
}

#[tokio::test]
async fn an_expired_token_401_refreshes_once_and_retries_once() {
    let server = MockServer::start_async().await;
    let first = token_mock(&server, "tok-old", 3600).await;
    let client = oauth_client(&server);
    client.authenticate().await.unwrap();
    first.delete_async().await;
    let second = token_mock(&server, "tok-new", 3600).await;
    let rejected = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/projects/p1/apps")
                .header("authorization", "Bearer tok-old");
            then.status(401)
                .header(
                    "www-authenticate",
                    "Bearer error=\"invalid_token\", error_description=\"Jwt Expired\"",
                )
                .json_body(
                    json!({"code": 401, "message": "token expired", "status": "UNAUTHENTICATED"}),
                );
        })
        .await;
    let accepted = apps_mock(&server, "tok-new").await;

    client
        .list_apps()
        .project_id("p1")
        .send()
        .await
        .expect("retried with a fresh token");

    assert_eq!(rejected.calls_async().await, 1);
    assert_eq!(second.calls_async().await, 1);
    assert_eq!(accepted.calls_async().await, 1);
}

#[tokio::test]
async fn a_401_without_expired_is_returned_without_refresh() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server, "tok-1", 3600).await;
    let rejected = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/projects/p1/apps");
            then.status(401)
                .header("WWW-Authenticate", "Bearer error=\"invalid_token\"")
                .json_body(json!({"code": 401, "message": "Request had invalid credentials.", "status": "UNAUTHENTICATED"}));
        })
        .await;
    let client = oauth_client(&server);

    let error = Error::from(
        client
            .list_apps()
            .project_id("p1")
            .send()
            .await
            .unwrap_err(),
    );

    assert_eq!(token.calls_async().await, 1);
    assert_eq!(rejected.calls_async().await, 1);
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.status, 401);
    assert_eq!(
        api.body.as_ref().unwrap().status.as_deref(),
        Some("UNAUTHENTICATED")
    );
    assert!(!error.is_retryable());
    assert_eq!(
        error.to_string(),
        "API error 401 Unauthorized: UNAUTHENTICATED Request had invalid credentials."
    );
}

#[tokio::test]
async fn token_endpoint_failures_are_retried_then_typed() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(503)
                .header("retry-after", "0")
                .body("auth is down");
        })
        .await;
    let apps = apps_mock(&server, "never").await;
    let client = oauth_client(&server);

    let direct = client.authenticate().await.unwrap_err();
    assert!(
        matches!(&direct, AuthError::TokenEndpoint { status, body } if *status == 503 && body == "auth is down"),
        "{direct:?}"
    );
    assert_eq!(token.calls_async().await, 3, "three attempts");

    let through_call = client
        .list_apps()
        .project_id("p1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&through_call, GeneratedError::Custom(m) if m.contains("503")),
        "{through_call:?}"
    );
    assert!(matches!(Error::from(through_call), Error::Auth(_)));
    assert_eq!(apps.calls_async().await, 0);
}

#[tokio::test]
async fn a_non_token_200_is_an_invalid_token_response() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(200).body("<html>captive portal</html>");
        })
        .await;
    let error = oauth_client(&server).authenticate().await.unwrap_err();
    assert!(
        matches!(error, AuthError::InvalidTokenResponse(_)),
        "{error:?}"
    );
}

#[tokio::test]
async fn basic_auth_sends_the_key_on_every_request_and_never_asks_for_a_token() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server, "unused", 3600).await;
    let apps = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/projects/p1/apps")
                .header("authorization", BASIC);
            then.status(200).json_body(json!({"apps": []}));
        })
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .basic_auth(KEY_ID, KEY_SECRET)
        .build()
        .unwrap();

    client.list_apps().project_id("p1").send().await.unwrap();
    client.list_apps().project_id("p1").send().await.unwrap();

    assert_eq!(apps.calls_async().await, 2);
    assert_eq!(token.calls_async().await, 0);
}

#[tokio::test]
async fn secrets_and_tokens_never_show_in_debug_output_or_errors() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server, "tok-SECRET-VALUE", 3600).await;
    apps_mock(&server, "tok-SECRET-VALUE").await;
    let client = oauth_client(&server);
    client.list_apps().project_id("p1").send().await.unwrap();
    assert_eq!(token.calls_async().await, 1);

    let debug = format!("{client:?}");
    assert!(!debug.contains(KEY_SECRET), "{debug}");
    assert!(!debug.contains("tok-SECRET-VALUE"), "{debug}");
    assert!(
        !debug.contains("a2V5LWlkLTE6a2V5LXNlY3JldC1UT1A"),
        "{debug}"
    );

    let basic = Client::builder()
        .base_url(server.base_url())
        .basic_auth(KEY_ID, KEY_SECRET)
        .build()
        .unwrap();
    let debug = format!("{basic:?}");
    assert!(
        !debug.contains(KEY_SECRET) && !debug.contains("a2V5LWlkLTE6a2V5LXNlY3JldC1UT1A"),
        "{debug}"
    );

    let failing = server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/failing");
            then.status(400)
                .json_body(json!({"error": "invalid_client"}));
        })
        .await;
    let bad = Client::builder()
        .base_url(server.base_url())
        .token_url(server.url("/oauth2/failing"))
        .oauth2(KEY_ID, KEY_SECRET)
        .build()
        .unwrap();
    let error = bad.list_apps().project_id("p1").send().await.unwrap_err();
    let shown = format!(
        "{error} {error:?} {}",
        Error::from(bad.list_apps().project_id("p1").send().await.unwrap_err())
    );
    assert!(shown.contains("400"), "{shown}");
    assert!(
        !shown.contains(KEY_SECRET) && !shown.contains("a2V5LWlkLTE6a2V5LXNlY3JldC1UT1A"),
        "{shown}"
    );
    assert_eq!(failing.calls_async().await, 2, "400 is not retried");
}
