//! Capability area: the capability query, its exact request and an answer the API may extend.
//! (Its callback, against the emulator, is checked in `tests/events.rs`.)

mod common;

use common::Api;
use httpmock::Method::POST;
use serde_json::json;
use sinch_conversation::types;

#[tokio::test]
async fn query_capability_posts_to_the_query_path() {
    let api = Api::start().await;
    let query = types::QueryCapability {
        app_id: "app-1".into(),
        recipient: types::Recipient::channel(types::ConversationChannel::Rcs, "+46700000001"),
        request_id: Some("req-1".into()),
    };
    let response = api
        .expect(POST, "/capability:query")
        .json_body(json!({
            "app_id": "app-1",
            "recipient": {"identified_by": {"channel_identities": [{"channel": "RCS", "identity": "+46700000001"}]}},
            "request_id": "req-1"
        }))
        // A field the API may add to the recipient later must not fail the answer.
        .reply(json!({
            "app_id": "app-1",
            "recipient": {
                "identified_by": {"channel_identities": [{"channel": "RCS", "identity": "+46700000001"}]},
                "resolved_contact": {"id": "c-9"}
            },
            "request_id": "req-1"
        }))
        .run(api.client.query_capability().body(query).send())
        .await
        .unwrap();

    assert_eq!(response.request_id.as_deref(), Some("req-1"));
    assert!(matches!(
        response.recipient.as_ref().map(|r| &r.kind),
        Some(types::RecipientBase::IdentifiedBy(_))
    ));
}
