//! Events, capability queries and opt-in / opt-out registration.

mod common;

use common::{Api, raw_query};
use httpmock::Method::POST;
use serde_json::json;
use sinch_conversation::types;

#[tokio::test]
async fn send_event_posts_a_composing_event() {
    let api = Api::start().await;
    // The official `SendEventRequest` has no `project_id`: the path carries it.
    let body = json!({
        "app_id": "app-1",
        "recipient": {"contact_id": "c1"},
        "event": {"composing_event": {}},
        "queue": "HIGH_PRIORITY"
    });
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(api.path("/events:send"))
                .header("content-type", "application/json")
                .is_true(raw_query(None))
                .json_body(body.clone());
            then.status(200)
                .json_body(json!({"event_id": "ev-1", "accepted_time": "2026-11-26T10:00:00Z"}));
        })
        .await;

    let response = api
        .client
        .send_event()
        .body(serde_json::from_value::<types::SendEventRequest>(body).unwrap())
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(response.event_id.as_deref(), Some("ev-1"));
}

#[tokio::test]
async fn query_capability_posts_to_the_query_path() {
    let api = Api::start().await;
    let body = json!({
        "app_id": "app-1",
        "recipient": {"identified_by": {"channel_identities": [{"channel": "RCS", "identity": "+46700000001"}]}},
        "request_id": "req-1"
    });
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST).path(api.path("/capability:query")).is_true(raw_query(None)).header("content-type", "application/json").json_body(body.clone());
            // A field the API may add to the recipient later must not fail the answer.
            then.status(200).json_body(json!({
                "app_id": "app-1",
                "recipient": {
                    "identified_by": {"channel_identities": [{"channel": "RCS", "identity": "+46700000001"}]},
                    "resolved_contact": {"id": "c-9"}
                },
                "request_id": "req-1"
            }));
        })
        .await;

    let response = api
        .client
        .query_capability()
        .body(serde_json::from_value::<types::QueryCapability>(body).unwrap())
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(response.request_id.as_deref(), Some("req-1"));
    assert!(matches!(
        response.recipient.as_ref().map(|r| &r.kind),
        Some(types::RecipientBase::IdentifiedBy(_))
    ));
}

#[tokio::test]
// The opt-in/opt-out registration is deprecated (absent from the current reference).
#[allow(deprecated)]
async fn register_opt_in_sends_request_id_query() {
    let api = Api::start().await;
    let body =
        json!({"app_id": "app-1", "channels": ["WHATSAPP"], "recipient": {"contact_id": "c1"}});
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(api.path("/optins:register"))
                .header("content-type", "application/json")
                .is_true(raw_query(Some("request_id=r-1")))
                .json_body(body.clone());
            then.status(200)
                .json_body(json!({"request_id": "r-1", "opt_in": body.clone()}));
        })
        .await;

    let response = api
        .client
        .register_opt_in()
        .request_id("r-1")
        .body(serde_json::from_value::<types::OptIn>(body.clone()).unwrap())
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(response.request_id.as_deref(), Some("r-1"));
    assert_eq!(
        response.opt_in.as_ref().unwrap().channels,
        vec![types::ConversationChannel::Whatsapp]
    );
}

#[tokio::test]
// The opt-in/opt-out registration is deprecated (absent from the current reference).
#[allow(deprecated)]
async fn register_opt_out() {
    let api = Api::start().await;
    let body =
        json!({"app_id": "app-1", "channels": ["SMS", "VIBER"], "recipient": {"contact_id": "c1"}});
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(api.path("/optouts:register"))
                .header("content-type", "application/json")
                .is_true(raw_query(None))
                .json_body(body.clone());
            then.status(200)
                .json_body(json!({"request_id": "r-2", "opt_out": body.clone()}));
        })
        .await;

    let response = api
        .client
        .register_opt_out()
        .body(serde_json::from_value::<types::OptOut>(body.clone()).unwrap())
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(response.opt_out.as_ref().unwrap().app_id, "app-1");
}
