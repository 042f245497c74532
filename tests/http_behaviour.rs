//! Cross-cutting HTTP behaviour of the generated client: path encoding, error bodies,
//! undocumented statuses, forward-compatible payloads.

mod common;

use common::{Api, PROJECT, raw_path};
use httpmock::Method::GET;
use serde_json::json;
use sinch_conversation::{Error, types};

#[tokio::test]
async fn path_parameters_are_percent_encoded() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET).is_true(raw_path(format!(
                "/v1/projects/{PROJECT}/contacts/a%2Fb%3Fc%20d"
            )));
            then.status(200)
                .json_body(json!({"id": "a/b?c d", "language": "EN"}));
        })
        .await;

    let contact = api
        .client
        .get_contact()
        .contact_id("a/b?c d")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(contact.id.as_deref(), Some("a/b?c d"));
}

async fn error_for_status(status: u16, sinch_status: &str) {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET).path(api.path("/apps/app-1"));
            // The official document's error body: the fields sit under `error`.
            then.status(status).json_body(json!({"error": {
                "code": status,
                "message": "something is off",
                "status": sinch_status,
                "details": [{"type_url": "type.googleapis.com/google.rpc.BadRequest", "value": "CgZhcHBfaWQ="}]
            }}));
        })
        .await;

    let error = api
        .client
        .get_app()
        .app_id("app-1")
        .send()
        .await
        .unwrap_err();

    mock.assert_async().await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
    // A documented error status: the typed Sinch error body, on the crate's one error type.
    let Error::Api(response) = error else {
        panic!("expected a typed error body, got {error:?}")
    };
    let body = response.body().cloned().expect("the error envelope");
    assert_eq!(body.code, Some(i32::from(status)));
    assert_eq!(body.status.as_deref(), Some(sinch_status));
    assert_eq!(body.message.as_deref(), Some("something is off"));
    assert_eq!(body.details.len(), 1);
    assert_eq!(
        body.details[0].type_url.as_deref(),
        Some("type.googleapis.com/google.rpc.BadRequest")
    );
}

#[tokio::test]
async fn documented_error_statuses_yield_the_typed_error_body() {
    error_for_status(400, "INVALID_ARGUMENT").await;
    error_for_status(401, "UNAUTHENTICATED").await;
    error_for_status(403, "PERMISSION_DENIED").await;
    error_for_status(500, "INTERNAL").await;
}

#[tokio::test]
async fn an_undocumented_404_is_an_unexpected_response_with_its_status() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET).path(api.path("/apps/missing"));
            then.status(404).json_body(
                json!({"error": {"code": 404, "message": "App not found", "status": "NOT_FOUND"}}),
            );
        })
        .await;

    let error = api
        .client
        .get_app()
        .app_id("missing")
        .send()
        .await
        .unwrap_err();

    mock.assert_async().await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    // An undocumented status is an API error too, with its status and the body it carried.
    let Error::Api(response) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(response.message(), Some("App not found"));
}

#[tokio::test]
async fn unknown_enum_values_and_fields_are_accepted_and_kept() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET).path(api.path("/messages/m1"));
            then.status(200).json_body(json!({
                "id": "m1",
                "direction": "TO_APP",
                "channel_identity": {"channel": "NEXTGEN_CHAT", "identity": "ig-42", "app_id": "app-1"},
                "contact_message": {"text_message": {"text": "hi"}},
                "brand_new_field": {"nested": [1, 2, 3]},
                "processing_mode": "DISPATCH"
            }));
        })
        .await;

    let message = api
        .client
        .get_message()
        .message_id("m1")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    let channel = &message.channel_identity.as_ref().unwrap().channel;
    assert_eq!(
        *channel,
        types::ConversationChannel::Other("NEXTGEN_CHAT".into())
    );
    assert!(channel.is_other());
    assert_eq!(channel.to_string(), "NEXTGEN_CHAT");
    // Round trip: the unknown value is sent back exactly as received.
    let back = serde_json::to_value(message.into_inner()).unwrap();
    assert_eq!(back["channel_identity"]["channel"], "NEXTGEN_CHAT");
}

#[tokio::test]
async fn a_malformed_success_body_is_an_invalid_payload_error_with_the_raw_bytes() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET).path(api.path("/apps/app-1"));
            then.status(200)
                .header("content-type", "application/json")
                .body("{not json");
        })
        .await;

    let error = api
        .client
        .get_app()
        .app_id("app-1")
        .send()
        .await
        .unwrap_err();

    mock.assert_async().await;
    let Error::Decode { body, .. } = error else {
        panic!("expected invalid payload, got {error:?}")
    };
    assert_eq!(&body[..], b"{not json");
}
