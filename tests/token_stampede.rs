//! A failed token fetch is shared with every caller waiting on it: one fetch (with its
//! retries) answers them all, success or failure, and only a call made after it failed starts
//! the next one.
//!
//! Hostile token endpoints on 127.0.0.1: one that never answers (the client's timeout ends
//! each attempt) and one that answers 500 after 250 ms. Times are bounds with wide margins (a
//! fetch takes about 1 s here; before the fix, N callers waited N fetches one after the other).

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering::Relaxed},
    },
    time::{Duration, Instant},
};

use sinch_conversation::{Client, Error, RetryPolicy};

/// How the token endpoint behaves.
#[derive(Clone, Copy)]
enum Endpoint {
    Hangs,
    Fails,
}

/// A local server: the token endpoint behaves as `endpoint`, everything else answers 200.
/// Returns the address, the token requests seen and the API requests seen.
async fn server(endpoint: Endpoint) -> (SocketAddr, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let (tokens, calls) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (t, c) = (tokens.clone(), calls.clone());
    let app = axum::Router::new()
        .route(
            "/oauth2/token",
            axum::routing::post(move || {
                let t = t.clone();
                async move {
                    t.fetch_add(1, Relaxed);
                    // Slow either way, so that every caller is waiting before the fetch ends:
                    // a call made after a failure rightly starts the next fetch.
                    let delay = match endpoint {
                        Endpoint::Hangs => Duration::from_secs(3600),
                        Endpoint::Fails => Duration::from_millis(250),
                    };
                    tokio::time::sleep(delay).await;
                    (
                        http::StatusCode::INTERNAL_SERVER_ERROR,
                        "token service down",
                    )
                }
            }),
        )
        .fallback(move || {
            let c = c.clone();
            async move {
                c.fetch_add(1, Relaxed);
                r#"{"apps": []}"#
            }
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, tokens, calls)
}

fn client(addr: SocketAddr) -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .base_url(format!("http://{addr}"))
        .project_id("p")
        .oauth2("key-id", "key-secret")
        .token_url(format!("http://{addr}/oauth2/token"))
        // One fetch: 3 attempts, 400 ms each at most, 10 ms apart.
        .token_retry_policy(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_base_delay(Duration::from_millis(10))
                .with_max_delay(Duration::from_millis(10)),
        )
        .timeout(Duration::from_millis(400))
        .pool_max_idle_per_host(1024)
        .build()
        .unwrap()
}

/// Runs `n` concurrent calls; the slowest caller's time and every caller's error.
async fn stampede(client: &Client, n: usize) -> (Duration, Vec<Error>) {
    let started = Instant::now();
    let calls = (0..n).map(|_| {
        let client = client.clone();
        tokio::spawn(async move {
            let result = client.list_apps().project_id("p").send().await;
            (started.elapsed(), result.err())
        })
    });
    let mut slowest = Duration::ZERO;
    let mut errors = Vec::new();
    for call in calls.collect::<Vec<_>>() {
        let (took, error) = tokio::time::timeout(Duration::from_secs(60), call)
            .await
            .expect("no caller hangs")
            .unwrap();
        slowest = slowest.max(took);
        errors.extend(error);
    }
    (slowest, errors)
}

async fn one_fetch_serves_everyone(endpoint: Endpoint, callers: usize) {
    let (addr, tokens, calls) = server(endpoint).await;
    let client = client(addr);
    let (slowest, errors) = stampede(&client, callers).await;

    assert_eq!(errors.len(), callers, "every caller gets the fetch's error");
    for error in &errors {
        let Error::Auth(auth) = error else {
            panic!("{error:?}")
        };
        match endpoint {
            Endpoint::Hangs => assert!(auth.status().is_none(), "{auth}"),
            Endpoint::Fails => assert_eq!(auth.status().map(|s| s.as_u16()), Some(500)),
        }
    }
    // One fetch with its retries: 3 token requests, not one fetch per caller.
    assert_eq!(
        tokens.load(Relaxed),
        3,
        "token requests for {callers} callers"
    );
    assert_eq!(calls.load(Relaxed), 0, "no API call without a token");
    // One fetch takes about 3 x 250-400 ms; N fetches one after another, N times that.
    assert!(
        slowest < Duration::from_secs(5),
        "the slowest of {callers} callers waited {slowest:?}"
    );
    println!("{callers} callers: slowest {slowest:?}, 3 token requests");

    // A call made after the failure starts the next fetch (with its own retries).
    let (_, errors) = stampede(&client, 1).await;
    assert_eq!(errors.len(), 1);
    assert_eq!(tokens.load(Relaxed), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_token_endpoint_is_waited_for_once_by_20_callers() {
    one_fetch_serves_everyone(Endpoint::Hangs, 20).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_token_endpoint_is_asked_once_for_20_callers() {
    one_fetch_serves_everyone(Endpoint::Fails, 20).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_token_endpoint_is_waited_for_once_by_500_callers() {
    one_fetch_serves_everyone(Endpoint::Hangs, 500).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_token_endpoint_is_asked_once_for_500_callers() {
    one_fetch_serves_everyone(Endpoint::Fails, 500).await;
}
