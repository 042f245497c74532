//! Pagination streams over contacts, conversations and messages.

mod common;

use common::{Api, PROJECT, raw_query};
use futures_util::{StreamExt as _, TryStreamExt as _};
use httpmock::Method::GET;
use serde_json::json;
use sinch_conversation::{error::Error, pagination::Paginate};

#[tokio::test]
async fn contacts_follow_three_pages_keeping_page_size() {
    let api = Api::start().await;
    let pages = [
        (
            Some("page_size=2"),
            json!({"contacts": [{"id": "c1", "language": "EN"}, {"id": "c2", "language": "EN"}], "next_page_token": "t2"}),
        ),
        (
            Some("page_size=2&page_token=t2"),
            json!({"contacts": [{"id": "c3", "language": "EN"}, {"id": "c4", "language": "EN"}], "next_page_token": "t3"}),
        ),
        (
            Some("page_size=2&page_token=t3"),
            json!({"contacts": [], "next_page_token": ""}),
        ),
    ];
    let mut mocks = Vec::new();
    for (query, body) in pages {
        mocks.push(
            api.server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path(api.path("/contacts"))
                        .is_true(raw_query(query));
                    then.status(200).json_body(body);
                })
                .await,
        );
    }

    let ids: Vec<String> = api
        .client
        .list_contacts()
        .page_size(2)
        .items()
        .map_ok(|c| c.id.unwrap())
        .try_collect()
        .await
        .unwrap();

    assert_eq!(ids, ["c1", "c2", "c3", "c4"]);
    for mock in mocks {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn conversations_keep_the_callers_filters_on_every_page() {
    let api = Api::start().await;
    let first = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/conversations"))
                .is_true(raw_query(Some("app_id=a1&only_active=true")));
            then.status(200)
                .json_body(json!({"conversations": [{"id": "v1"}], "next_page_token": "n2"}));
        })
        .await;
    let second = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/conversations"))
                .is_true(raw_query(Some("app_id=a1&only_active=true&page_token=n2")));
            then.status(200)
                .json_body(json!({"conversations": [{"id": "v2"}], "next_page_token": "n3"}));
        })
        .await;
    let third = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/conversations"))
                .is_true(raw_query(Some("app_id=a1&only_active=true&page_token=n3")));
            then.status(200)
                .json_body(json!({"conversations": [{"id": "v3"}]}));
        })
        .await;

    let pages: Vec<_> = api
        .client
        .list_conversations()
        .app_id("a1")
        .only_active(true)
        .pages()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(pages.len(), 3);
    assert_eq!(pages[2].conversations[0].id.as_deref(), Some("v3"));
    first.assert_async().await;
    second.assert_async().await;
    third.assert_async().await;
}

#[tokio::test]
async fn messages_stop_with_the_error_of_page_two() {
    let api = Api::start().await;
    api.server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/messages"))
                .is_true(raw_query(Some("conversation_id=v1")));
            then.status(200).json_body(
                json!({"messages": [{"id": "m1"}, {"id": "m2"}], "next_page_token": "p2"}),
            );
        })
        .await;
    let failing = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/messages"))
                .is_true(raw_query(Some("conversation_id=v1&page_token=p2")));
            then.status(500)
                .json_body(json!({"code": 500, "message": "boom", "status": "INTERNAL"}));
        })
        .await;

    let mut items = api.client.list_messages().conversation_id("v1").items();
    assert_eq!(
        items.next().await.unwrap().unwrap().id.as_deref(),
        Some("m1")
    );
    assert_eq!(
        items.next().await.unwrap().unwrap().id.as_deref(),
        Some("m2")
    );
    let error = items.next().await.unwrap().unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert!(
        items.next().await.is_none(),
        "the stream ends after its error"
    );
    assert_eq!(failing.calls_async().await, 1);
}

#[tokio::test]
async fn a_repeated_token_stops_with_an_error_instead_of_looping() {
    let api = Api::start().await;
    api.server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/contacts"))
                .is_true(raw_query(None));
            then.status(200).json_body(
                json!({"contacts": [{"id": "c1", "language": "EN"}], "next_page_token": "same"}),
            );
        })
        .await;
    let looping = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/contacts"))
                .is_true(raw_query(Some("page_token=same")));
            then.status(200).json_body(
                json!({"contacts": [{"id": "c2", "language": "EN"}], "next_page_token": "same"}),
            );
        })
        .await;

    let results: Vec<_> = api.client.list_contacts().pages().collect().await;

    // Both pages' contacts arrive; the error comes after the page that repeated the token.
    assert_eq!(results.len(), 3, "{results:?}");
    let ids: Vec<_> = results[..2]
        .iter()
        .map(|page| page.as_ref().unwrap().contacts[0].id.clone().unwrap())
        .collect();
    assert_eq!(ids, ["c1", "c2"]);
    assert!(
        matches!(&results[2], Err(Error::RepeatedPageToken(t)) if t == "same"),
        "{:?}",
        results[2]
    );
    assert_eq!(looping.calls_async().await, 1);
}

#[tokio::test]
async fn pages_are_fetched_only_when_pulled() {
    let api = Api::start().await;
    let first = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/contacts"))
                .is_true(raw_query(None));
            then.status(200).json_body(
                json!({"contacts": [{"id": "c1", "language": "EN"}], "next_page_token": "t2"}),
            );
        })
        .await;
    let second = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/contacts"))
                .is_true(raw_query(Some("page_token=t2")));
            then.status(200)
                .json_body(json!({"contacts": [{"id": "c2", "language": "EN"}]}));
        })
        .await;

    let mut stream = api.client.list_contacts().items();
    assert_eq!(
        first.calls_async().await,
        0,
        "nothing before the first pull"
    );
    stream.next().await.unwrap().unwrap();
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(
        second.calls_async().await,
        0,
        "the next page waits for the next pull"
    );
    drop(stream);
    assert_eq!(second.calls_async().await, 0);
}

#[tokio::test]
async fn events_and_recent_conversations_page_too() {
    let api = Api::start().await;
    let first = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/events"))
                .is_true(raw_query(Some("page_size=1")));
            then.status(200)
                .json_body(json!({"events": [{"id": "e1"}], "next_page_token": "e2"}));
        })
        .await;
    let second = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/events"))
                .is_true(raw_query(Some("page_size=1&page_token=e2")));
            then.status(200)
                .json_body(json!({"events": [{"id": "e2"}]}));
        })
        .await;

    let ids: Vec<String> = api
        .client
        .list_events()
        .page_size(1)
        .items()
        .map_ok(|e| e.id.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();

    assert_eq!(ids, ["e1", "e2"]);
    first.assert_async().await;
    second.assert_async().await;
}

// ---------------------------------------------------------------------------------------------
// Loop detection in bounded memory (issue 13)

/// Serves `/contacts` on `{PROJECT}` from a table of `page_token` (`None`: the first page) to
/// `next_page_token`, each page carrying one contact whose id is the token asked for.
async fn looping_mock(api: &Api, chain: &[(Option<&'static str>, &'static str)]) -> Vec<usize> {
    let mut mocks = Vec::new();
    for &(token, next) in chain {
        let query: Option<&'static str> =
            token.map(|t| &*Box::leak(format!("page_token={t}").into_boxed_str()));
        let id = token.unwrap_or("first");
        let mock = api
            .server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(api.path("/contacts"))
                    .is_true(raw_query(query));
                then.status(200).json_body(
                    json!({"contacts": [{"id": id, "language": "EN"}], "next_page_token": next}),
                );
            })
            .await;
        mocks.push(mock);
    }
    let mut calls = Vec::new();
    let results: Vec<_> = api.client.list_contacts().pages().collect().await;
    for mock in &mocks {
        calls.push(mock.calls_async().await);
    }
    let (last, pages) = results.split_last().unwrap();
    let ids: Vec<_> = pages
        .iter()
        .map(|page| page.as_ref().unwrap().contacts[0].id.clone().unwrap())
        .collect();
    let expected: Vec<_> = chain
        .iter()
        .map(|(token, _)| token.unwrap_or("first"))
        .collect();
    assert_eq!(ids, expected, "every page once, in order, before the error");
    let repeated = chain[0].1;
    assert!(
        matches!(last, Err(Error::RepeatedPageToken(t)) if t == repeated),
        "{last:?}"
    );
    calls
}

#[tokio::test]
async fn an_a_b_a_b_loop_stops_with_the_repeated_token() {
    let api = Api::start().await;
    let calls = looping_mock(&api, &[(None, "A"), (Some("A"), "B"), (Some("B"), "A")]).await;
    assert_eq!(calls, [1, 1, 1], "no page is asked for twice");
}

#[tokio::test]
async fn a_loop_of_five_pages_stops_at_its_first_repeated_token() {
    let api = Api::start().await;
    let calls = looping_mock(
        &api,
        &[
            (None, "t1"),
            (Some("t1"), "t2"),
            (Some("t2"), "t3"),
            (Some("t3"), "t4"),
            (Some("t4"), "t5"),
            (Some("t5"), "t1"),
        ],
    )
    .await;
    assert_eq!(calls, [1; 6], "no page is asked for twice");
}

/// Counts the bytes allocated and not yet freed by the current thread, so a test on a
/// current-thread runtime (server, client and stream on one thread) measures only itself.
mod live_bytes {
    use std::{
        alloc::{GlobalAlloc, Layout, System},
        cell::Cell,
    };

    struct Counting;

    #[global_allocator]
    static COUNTING: Counting = Counting;

    thread_local! {
        static LIVE: Cell<isize> = const { Cell::new(0) };
    }

    fn add(bytes: isize) {
        // During thread teardown the counter may be gone: those bytes are not ours to count.
        let _ = LIVE.try_with(|live| live.set(live.get() + bytes));
    }

    /// Bytes this thread has allocated and not freed.
    pub fn now() -> isize {
        LIVE.with(Cell::get)
    }

    // SAFETY: every call is forwarded to `System` unchanged; the counter only observes.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let ptr = unsafe { System.alloc(layout) };
            if !ptr.is_null() {
                add(layout.size() as isize);
            }
            ptr
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) };
            add(-(layout.size() as isize));
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let new = unsafe { System.realloc(ptr, layout, new_size) };
            if !new.is_null() {
                add(new_size as isize - layout.size() as isize);
            }
            new
        }
    }
}

/// A hostile local server for `/v1/projects/{PROJECT}/contacts`: `next` maps the `page_token`
/// asked for (`None`: the first page) to the next one (`""`: the last page), or to `Err` for a
/// token it never gave (answered 400, failing the stream). Returns the base URL and the number
/// of requests served.
async fn token_server(
    next: fn(Option<&str>) -> Result<String, ()>,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    use axum::{
        extract::RawQuery,
        http::{StatusCode, header},
        routing::get,
    };

    let served = Arc::new(AtomicUsize::new(0));
    let counter = served.clone();
    let app = axum::Router::new().route(
        &format!("/v1/projects/{PROJECT}/contacts"),
        get(move |RawQuery(query): RawQuery| {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::Relaxed);
                let token = query
                    .as_deref()
                    .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("page_token=")));
                let id = format!("c{}", counter.load(Ordering::Relaxed));
                match next(token) {
                    Ok(next) => (
                        StatusCode::OK,
                        [(header::CONTENT_TYPE, "application/json")],
                        json!({"contacts": [{"id": id, "language": "EN"}], "next_page_token": next})
                            .to_string(),
                    ),
                    Err(()) => (
                        StatusCode::BAD_REQUEST,
                        [(header::CONTENT_TYPE, "application/json")],
                        json!({"code": 400, "message": "unknown page token"}).to_string(),
                    ),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), served)
}

/// Distinct 4 KiB tokens: the page number in six digits, then filler.
const LONG_PAGES: usize = 3_000;
const TOKEN_LEN: usize = 4096;

fn long_token(page: usize) -> String {
    let mut token = format!("{page:06}");
    token.extend(std::iter::repeat_n('k', TOKEN_LEN - token.len()));
    token
}

#[tokio::test(flavor = "current_thread")]
async fn thousands_of_distinct_4_kib_tokens_page_through_in_bounded_memory() {
    let (base, served) = token_server(|token| {
        let page = match token {
            None => 0,
            Some(t) => {
                let page: usize = t.get(..6).and_then(|n| n.parse().ok()).ok_or(())?;
                // The server checks every token came back whole.
                if t != long_token(page) {
                    return Err(());
                }
                page
            }
        };
        Ok(if page + 1 < LONG_PAGES {
            long_token(page + 1)
        } else {
            String::new()
        })
    })
    .await;
    let client = common::client_for(&base);

    let mut pages = client.list_contacts().pages();
    let mut count = 0;
    let mut live_at_500 = 0;
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        assert_eq!(page.contacts.len(), 1);
        drop(page);
        count += 1;
        if count == 500 {
            live_at_500 = live_bytes::now();
        }
        if count == LONG_PAGES - 100 {
            // 2 400 more 4 KiB tokens seen (9.4 MiB of them): what the stream holds has not
            // grown by more than connection buffers jitter.
            let growth = live_bytes::now() - live_at_500;
            assert!(
                growth < 256 * 1024,
                "the stream grew by {growth} bytes over 2 400 pages"
            );
        }
    }
    assert_eq!(count, LONG_PAGES);
    assert_eq!(
        served.load(std::sync::atomic::Ordering::Relaxed),
        LONG_PAGES
    );
    drop(pages);

    // The measure sees kept tokens: holding 2 400 of them (as a set of every token would)
    // shows up as the 9.4 MiB they are.
    let before = live_bytes::now();
    let kept: Vec<String> = (0..2_400).map(long_token).collect();
    assert!(live_bytes::now() - before >= (2_400 * TOKEN_LEN) as isize);
    drop(kept);
}

/// A loop longer than the 1 024 tokens remembered: 1 500 tokens, the last pointing at the first.
const LONG_LOOP: usize = 1_500;

#[tokio::test(flavor = "current_thread")]
async fn a_loop_longer_than_the_remembered_tokens_still_stops_within_three_laps() {
    let (base, served) = token_server(|token| {
        let page = match token {
            None => 0,
            Some(t) => t
                .strip_prefix("loop-")
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| (1..=LONG_LOOP).contains(n))
                .ok_or(())?,
        };
        Ok(format!("loop-{}", page % LONG_LOOP + 1))
    })
    .await;
    let client = common::client_for(&base);

    let results: Vec<_> = client
        .list_contacts()
        .pages()
        .take(10 * LONG_LOOP)
        .collect()
        .await;

    let (last, pages) = results.split_last().unwrap();
    assert!(pages.iter().all(Result::is_ok));
    // Tokens loop-1 .. loop-1500 come round with a period of 1 500 from the first (μ = 1). The
    // checkpoint taken at token 2 048 (a power of two, after a full lap) comes back 1 500 tokens
    // later: token 3 548, carried by page 3 548, is reported. Within 2·max(μ, λ) + λ = 4 500.
    assert_eq!(pages.len(), 3_548);
    assert!(pages.len() <= 3 * LONG_LOOP);
    assert!(
        matches!(last, Err(Error::RepeatedPageToken(t)) if *t == format!("loop-{}", (3_548 - 1) % LONG_LOOP + 1)),
        "{last:?}"
    );
    assert_eq!(
        served.load(std::sync::atomic::Ordering::Relaxed),
        pages.len()
    );
}
