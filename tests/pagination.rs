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
        .project_id(PROJECT)
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
        .project_id(PROJECT)
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

    let mut items = api
        .client
        .list_messages()
        .project_id(PROJECT)
        .conversation_id("v1")
        .items();
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

    let results: Vec<_> = api
        .client
        .list_contacts()
        .project_id(PROJECT)
        .pages()
        .collect()
        .await;

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

    let mut stream = api.client.list_contacts().project_id(PROJECT).items();
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
        .project_id(PROJECT)
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
