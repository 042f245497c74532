//! The retry policy, counting the requests that reach the server: 429/503 with `Retry-After`,
//! connection failures before the request was sent, and ambiguous failures (never repeated for a
//! `POST` unless opted in).

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use httpmock::{Method::GET, Method::POST, MockServer};
use serde_json::json;
use sinch_conversation::{Client, ClientBuilder, Error, RetryPolicy, reqwest::StatusCode, types};
use tokio::{io::AsyncReadExt as _, net::TcpListener};

const PROJECT: &str = "proj-1";

fn policy() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(3)
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_secs(2))
}

fn builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .basic_auth("key-id", "key-secret")
        .retry_policy(policy())
}

fn apps_path() -> String {
    format!("/v1/projects/{PROJECT}/apps")
}

async fn list_apps(client: &Client) -> Result<(), Error> {
    client.list_apps().project_id(PROJECT).send().await?;
    Ok(())
}

async fn send_message(client: &Client) -> Result<(), Error> {
    client
        .send_message()
        .project_id(PROJECT)
        .body_map(|body| {
            body.app_id("app-1")
                .recipient(types::Recipient::contact("contact-1"))
                .message(types::AppMessage::text("exactly once, please"))
        })
        .send()
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_503_is_retried_up_to_max_attempts() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path(apps_path());
            then.status(503)
                .json_body(json!({"code": 503, "message": "busy", "status": "UNAVAILABLE"}));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();

    let error = list_apps(&client).await.unwrap_err();

    assert_eq!(mock.calls_async().await, 3);
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_429_is_retried_and_the_call_succeeds() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/v1/projects/{PROJECT}/messages:send"));
            then.status(429).header("retry-after", "0");
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    send_message(&client).await.unwrap_err();
    assert_eq!(
        limited.calls_async().await,
        3,
        "a POST answered 429 was not processed: retried"
    );

    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.method(GET).path(apps_path());
            then.status(429).header("retry-after", "0").up_to_n_times(2);
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            when.method(GET).path(apps_path());
            then.status(200).json_body(json!({"apps": []}));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();

    list_apps(&client).await.unwrap();

    assert_eq!(limited.calls_async().await, 2);
    assert_eq!(ok.calls_async().await, 1);
}

#[tokio::test]
async fn retry_after_is_waited_for() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(apps_path());
            then.status(503).header("retry-after", "1").up_to_n_times(1);
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            when.method(GET).path(apps_path());
            then.status(200).json_body(json!({"apps": []}));
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();

    let started = Instant::now();
    list_apps(&client).await.unwrap();

    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "not retried before Retry-After"
    );
    assert_eq!(ok.calls_async().await, 1);
}

#[tokio::test]
async fn a_retry_after_beyond_max_delay_is_returned_instead_of_waited_for() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path(apps_path());
            then.status(429).header("retry-after", "3600");
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();

    let error = list_apps(&client).await.unwrap_err();

    assert_eq!(mock.calls_async().await, 1);
    let Error::Api(api) = error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(api.retry_after(), Some(Duration::from_secs(3600)));
}

#[tokio::test]
async fn other_statuses_are_not_retried_unless_configured() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path(apps_path());
            then.status(502).body("bad gateway");
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    list_apps(&client).await.unwrap_err();
    assert_eq!(mock.calls_async().await, 1);

    let client = builder(&server.base_url())
        .retry_policy(policy().with_retry_statuses([StatusCode::BAD_GATEWAY]))
        .build()
        .unwrap();
    list_apps(&client).await.unwrap_err();
    assert_eq!(mock.calls_async().await, 1 + 3);

    let client = builder(&server.base_url())
        .retry_policy(RetryPolicy::none().with_retry_statuses([StatusCode::BAD_GATEWAY]))
        .build()
        .unwrap();
    list_apps(&client).await.unwrap_err();
    assert_eq!(mock.calls_async().await, 1 + 3 + 1);
}

/// A port where every connection is accepted and closed at once, so the TLS handshake of an
/// `https` request fails before any HTTP is sent. Counts the connections.
async fn closing_tls_port() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&connections);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (port, connections)
}

#[tokio::test]
async fn failures_before_the_request_was_sent_are_retried_even_for_a_post() {
    let (port, connections) = closing_tls_port().await;
    let client = builder(&format!("https://127.0.0.1:{port}"))
        .build()
        .unwrap();

    let error = send_message(&client).await.unwrap_err();

    let Error::Transport(transport) = &error else {
        panic!("expected a transport error, got {error:?}")
    };
    assert!(transport.is_connect(), "{transport:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 3);
}

/// A plain-HTTP port that reads each request completely and closes without answering: the
/// request reached the server, the outcome is unknown. Counts the requests.
async fn silent_http_port() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&requests);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                counter.fetch_add(1, Ordering::SeqCst);
            });
        }
    });
    (port, requests)
}

#[tokio::test]
async fn a_post_is_not_repeated_after_an_ambiguous_failure() {
    let (port, requests) = silent_http_port().await;
    let client = builder(&format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();

    let error = send_message(&client).await.unwrap_err();

    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_post_after_a_timeout_is_repeated_only_when_opted_in() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/v1/projects/{PROJECT}/messages:send"));
            then.status(200)
                .delay(Duration::from_secs(2))
                .json_body(json!({"message_id": "m1"}));
        })
        .await;
    let base = builder(&server.base_url()).timeout(Duration::from_millis(100));

    let error = send_message(&base.clone().build().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Transport(e) if e.is_timeout()),
        "{error:?}"
    );
    assert_eq!(mock.calls_async().await, 1);

    let opted_in = base
        .retry_policy(policy().with_retry_ambiguous_sends(true))
        .build()
        .unwrap();
    send_message(&opted_in).await.unwrap_err();
    assert_eq!(mock.calls_async().await, 1 + 3);
}

#[tokio::test]
async fn an_idempotent_get_is_repeated_after_an_ambiguous_failure() {
    let (port, requests) = silent_http_port().await;
    let client = builder(&format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();

    list_apps(&client).await.unwrap_err();

    assert_eq!(requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn retry_policy_none_sends_once() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path(apps_path());
            then.status(503);
        })
        .await;
    let client = builder(&server.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();

    list_apps(&client).await.unwrap_err();

    assert_eq!(mock.calls_async().await, 1);
}
