//! Hostile success bodies: every body the client reads is bounded after decompression, fails
//! with a typed error naming the limit, and a decode error keeps only an excerpt. A 200 that
//! carries a Sinch error envelope is an API error.
//!
//! Memory is measured with a counting allocator: the peak of live heap bytes during one call,
//! above what was live before it.

use std::{
    alloc::{GlobalAlloc, Layout, System},
    io::Write as _,
    net::SocketAddr,
    sync::atomic::{AtomicUsize, Ordering::Relaxed},
};

use axum::body::Body;
use bytes::Bytes;
use futures_util::stream;
use serde_json::json;
use sinch_conversation::{Client, DEFAULT_MAX_RESPONSE_BODY, Error, error::MAX_DECODE_EXCERPT};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(live, Relaxed);
        // SAFETY: the caller's layout contract is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: usize = 1024 * 1024;

/// The peak of live heap bytes while `f` runs, above what was live before.
async fn peak_during<T>(f: impl Future<Output = T>) -> (T, usize) {
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let out = f.await;
    (out, PEAK.load(Relaxed).saturating_sub(before))
}

/// A server that answers every request with `status`, `headers` and the chunks of `body`,
/// produced as they are sent (the server never holds a large body).
async fn serve(
    status: u16,
    headers: Vec<(&'static str, &'static str)>,
    body: impl Fn() -> Body + Clone + Send + Sync + 'static,
) -> SocketAddr {
    let app = axum::Router::new().fallback(move || {
        let (headers, body) = (headers.clone(), body.clone());
        async move {
            let mut response = http::Response::new(body());
            *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
            for (name, value) in headers {
                response.headers_mut().insert(name, value.parse().unwrap());
            }
            response
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// `size` bytes made of `chunk` repeated, streamed.
fn repeated(chunk: &'static [u8], size: usize) -> Body {
    let count = size / chunk.len();
    Body::from_stream(stream::iter(
        (0..count).map(move |_| Ok::<_, std::io::Error>(Bytes::from_static(chunk))),
    ))
}

/// A valid JSON list of `size` bytes or so: `{"apps":[{..},{..},...]}`.
fn huge_json(size: usize) -> Body {
    const APP: &[u8] =
        br#"{"id":"01M8X94JZB8NA4HWMEX2GZAVZW","display_name":"an app of 64 bytes"},"#;
    let count = size / APP.len();
    let head = stream::once(async { Ok::<_, std::io::Error>(Bytes::from_static(b"{\"apps\":[")) });
    let items = stream::iter((0..count).map(|_| Ok(Bytes::from_static(APP))));
    let tail = stream::once(async { Ok(Bytes::from_static(br#"{"id":"last"}]}"#)) });
    use futures_util::StreamExt as _;
    Body::from_stream(head.chain(items).chain(tail))
}

fn client(addr: SocketAddr) -> sinch_conversation::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .base_url(format!("http://{addr}"))
        .project_id("p")
        .basic_auth("key", "secret")
        .retry_policy(sinch_conversation::RetryPolicy::none())
}

async fn list_apps(client: &Client) -> Result<usize, Error> {
    let page = client.list_apps().project_id("p").send().await?;
    Ok(page.apps.len())
}

#[tokio::test]
async fn a_100_mb_json_answer_stops_at_the_limit() {
    let addr = serve(200, vec![("content-type", "application/json")], || {
        huge_json(100 * MIB)
    })
    .await;
    let client = client(addr).build().unwrap();
    let (result, peak) = peak_during(list_apps(&client)).await;
    match result {
        Err(Error::BodyTooLarge(e)) => assert_eq!(e.limit(), DEFAULT_MAX_RESPONSE_BODY),
        other => panic!("{other:?}"),
    }
    // Before: +103 MiB. Now the limit (8 MiB) and a little more.
    println!("peak +{:.1} MiB", peak as f64 / MIB as f64);
    assert!(
        peak < 3 * DEFAULT_MAX_RESPONSE_BODY,
        "peak {} MiB",
        peak / MIB
    );
}

#[tokio::test]
async fn garbage_past_the_limit_is_not_kept() {
    let addr = serve(200, vec![("content-type", "application/json")], || {
        repeated(&[b'x'; 64 * 1024], 100 * MIB)
    })
    .await;
    let client = client(addr).build().unwrap();
    let (result, peak) = peak_during(list_apps(&client)).await;
    let error = result.unwrap_err();
    assert!(matches!(error, Error::BodyTooLarge(_)), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("larger than the 8388608-byte limit (ClientBuilder::max_response_body)"),
        "{error}"
    );
    // Before: +196 MiB, all of it held by the decode error.
    println!("peak +{:.1} MiB", peak as f64 / MIB as f64);
    assert!(
        peak < 3 * DEFAULT_MAX_RESPONSE_BODY,
        "peak {} MiB",
        peak / MIB
    );
}

#[tokio::test]
async fn a_gzip_bomb_is_bounded_after_decompression() {
    // 64 MiB of zeros, compressed to about 64 KiB (the issue's bomb: 508 KiB to 512 MiB).
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b'0'; MIB];
    for _ in 0..64 {
        encoder.write_all(&zeros).unwrap();
    }
    let bomb: &'static [u8] = Vec::leak(encoder.finish().unwrap());
    assert!(bomb.len() < MIB, "compressed to {} bytes", bomb.len());
    let addr = serve(
        200,
        vec![
            ("content-type", "application/json"),
            ("content-encoding", "gzip"),
        ],
        move || Body::from(bomb),
    )
    .await;
    let client = client(addr).build().unwrap();
    let (result, peak) = peak_during(list_apps(&client)).await;
    assert!(matches!(result, Err(Error::BodyTooLarge(_))), "{result:?}");
    // Before: +1 GiB for a 512 MiB bomb.
    println!("peak +{:.1} MiB", peak as f64 / MIB as f64);
    assert!(
        peak < 3 * DEFAULT_MAX_RESPONSE_BODY,
        "peak {} MiB",
        peak / MIB
    );
}

#[tokio::test]
async fn the_limit_is_a_builder_setting() {
    let body = json!({"apps": [{"id": "a1", "display_name": "x".repeat(900)}]}).to_string();
    let small: &'static str = String::leak(body);
    let addr = serve(200, vec![("content-type", "application/json")], move || {
        Body::from(small)
    })
    .await;
    let tight = client(addr).max_response_body(512).build().unwrap();
    match list_apps(&tight).await {
        Err(Error::BodyTooLarge(e)) => assert_eq!(e.limit(), 512),
        other => panic!("{other:?}"),
    }
    let roomy = client(addr).max_response_body(small.len()).build().unwrap();
    assert_eq!(
        list_apps(&roomy).await.unwrap(),
        1,
        "a body of exactly the limit is read"
    );
}

#[tokio::test]
async fn a_decode_error_keeps_a_bounded_excerpt() {
    let addr = serve(200, vec![("content-type", "application/json")], || {
        repeated(b"not json at all ", 2 * MIB)
    })
    .await;
    let client = client(addr).build().unwrap();
    match list_apps(&client).await {
        Err(Error::Decode { body, .. }) => {
            assert_eq!(body.len(), MAX_DECODE_EXCERPT);
            assert!(body.starts_with(b"not json at all "));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_200_with_an_error_envelope_is_an_api_error() {
    let addr = serve(200, vec![("content-type", "application/json")], || {
        Body::from(
            r#" {"error": {"code": 400, "message": "Invalid app_id", "status": "INVALID_ARGUMENT"}}"#,
        )
    })
    .await;
    let client = client(addr).build().unwrap();
    let error = client
        .send_text(
            "app",
            sinch_conversation::types::Recipient::contact("c1"),
            "hi",
        )
        .send()
        .await
        .unwrap_err();
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    // The HTTP status is what came; the envelope's code says what it meant.
    assert_eq!(api.status().as_u16(), 200);
    assert_eq!(api.code(), Some(400));
    assert_eq!(api.message(), Some("Invalid app_id"));
    assert_eq!(api.sinch_status(), Some("INVALID_ARGUMENT"));

    // A success body that has an `error` field among others is a success.
    let addr = serve(200, vec![("content-type", "application/json")], || {
        Body::from(r#"{"error": {"code": 1}, "message_id": "m1"}"#)
    })
    .await;
    let sent = client_with_base(addr)
        .send_text(
            "app",
            sinch_conversation::types::Recipient::contact("c1"),
            "hi",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(sent.message_id.as_deref(), Some("m1"));
}

fn client_with_base(addr: SocketAddr) -> Client {
    client(addr).build().unwrap()
}
