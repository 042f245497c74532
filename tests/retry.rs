//! Retry policy on real HTTP: what is retried, how often, and what never is.

use std::time::Duration;

use httpmock::{Method::GET, Method::POST, MockServer};
use serde_json::json;
use sinch_conversation::{Client, error::Error, retry::RetryPolicy, types};

fn client(base_url: &str, policy: RetryPolicy) -> Client {
    Client::builder()
        .base_url(base_url)
        .basic_auth("id", "secret")
        .retry_policy(policy)
        .build()
        .unwrap()
}

fn fast(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(50),
        ..Default::default()
    }
}

fn send_request() -> types::SendMessageRequest {
    serde_json::from_value(json!({
        "app_id": "a", "project_id": "p", "recipient": {"contact_id": "c"}, "message": {"text_message": {"text": "x"}}
    }))
    .unwrap()
}

#[tokio::test]
async fn a_429_with_retry_after_is_retried_and_the_last_answer_returned() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/projects/p/messages:send");
            then.status(429).header("retry-after", "0").json_body(
                json!({"code": 429, "message": "slow down", "status": "RESOURCE_EXHAUSTED"}),
            );
        })
        .await;

    let error = client(&server.base_url(), fast(4))
        .send_message()
        .project_id("p")
        .body(send_request())
        .send()
        .await
        .unwrap_err();

    assert_eq!(
        limited.calls_async().await,
        4,
        "max_attempts counts the first try"
    );
    let error = Error::from_generated(error).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert!(error.is_retryable());
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        api.body.as_ref().unwrap().message.as_deref(),
        Some("slow down")
    );
}

#[tokio::test]
async fn a_503_then_success_succeeds() {
    let server = MockServer::start_async().await;
    let unavailable = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/projects/p/apps");
            then.status(503).body("busy").up_to_n_times(2);
        })
        .await;
    let healthy = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/projects/p/apps");
            then.status(200)
                .json_body(json!({"apps": [{"id": "a1", "channel_credentials": []}]}));
        })
        .await;

    let apps = client(&server.base_url(), fast(3))
        .list_apps()
        .project_id("p")
        .send()
        .await
        .unwrap();

    assert_eq!(apps.apps[0].id.as_deref(), Some("a1"));
    assert_eq!(unavailable.calls_async().await, 2);
    assert_eq!(healthy.calls_async().await, 1);
}

#[tokio::test]
async fn statuses_that_are_not_retryable_are_sent_once() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/projects/p/apps");
            then.status(500)
                .json_body(json!({"code": 500, "message": "boom", "status": "INTERNAL"}));
        })
        .await;

    let error = client(&server.base_url(), fast(5))
        .list_apps()
        .project_id("p")
        .send()
        .await
        .unwrap_err();

    assert_eq!(failing.calls_async().await, 1);
    assert!(!Error::from(error).is_retryable());
}

#[tokio::test]
async fn a_send_that_timed_out_after_reaching_the_server_is_not_sent_again() {
    let server = MockServer::start_async().await;
    let slow = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/projects/p/messages:send");
            then.status(200)
                .delay(Duration::from_millis(400))
                .json_body(json!({"message_id": "m"}));
        })
        .await;
    let api = Client::builder()
        .base_url(server.base_url())
        .basic_auth("id", "secret")
        .timeout(Duration::from_millis(100))
        .retry_policy(fast(3))
        .build()
        .unwrap();

    let error = api
        .send_message()
        .project_id("p")
        .body(send_request())
        .send()
        .await
        .unwrap_err();

    assert!(matches!(Error::from(error), Error::Transport(e) if e.is_timeout()));
    assert_eq!(
        slow.calls_async().await,
        1,
        "a POST is never repeated after an ambiguous failure"
    );
}

#[tokio::test]
async fn an_opted_in_send_is_retried_after_a_timeout() {
    let server = MockServer::start_async().await;
    let slow = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/projects/p/messages:send");
            then.status(200)
                .delay(Duration::from_millis(300))
                .json_body(json!({"message_id": "m"}));
        })
        .await;
    let api = Client::builder()
        .base_url(server.base_url())
        .basic_auth("id", "secret")
        .timeout(Duration::from_millis(50))
        .retry_policy(RetryPolicy {
            retry_ambiguous_posts: true,
            ..fast(2)
        })
        .build()
        .unwrap();

    assert!(
        api.send_message()
            .project_id("p")
            .body(send_request())
            .send()
            .await
            .is_err()
    );
    // Wait for the server to log the abandoned requests.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(slow.calls_async().await, 2);
}

#[tokio::test]
async fn a_get_that_timed_out_is_retried() {
    let server = MockServer::start_async().await;
    let slow = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/projects/p/apps");
            then.status(200)
                .delay(Duration::from_millis(300))
                .json_body(json!({"apps": []}));
        })
        .await;
    let api = Client::builder()
        .base_url(server.base_url())
        .basic_auth("id", "secret")
        .timeout(Duration::from_millis(50))
        .retry_policy(fast(3))
        .build()
        .unwrap();

    assert!(api.list_apps().project_id("p").send().await.is_err());
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(slow.calls_async().await, 3);
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_a_send() {
    // Bind then drop a listener: the port is closed, so every attempt is refused before sending.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let policy = RetryPolicy {
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(1),
        ..fast(3)
    };
    let api = client(&format!("http://127.0.0.1:{port}"), policy);
    let started = std::time::Instant::now();

    let error = api
        .send_message()
        .project_id("p")
        .body(send_request())
        .send()
        .await
        .unwrap_err();

    let error = Error::from(error);
    assert!(
        matches!(&error, Error::Transport(e) if e.is_connect()),
        "{error:?}"
    );
    assert!(error.is_retryable());
    // Nothing listens, so nothing can count attempts; the two backoff sleeps (at least 50 ms
    // and 100 ms: half of 100 ms and of 200 ms) are the evidence that it retried.
    assert!(started.elapsed() >= Duration::from_millis(150));
}
