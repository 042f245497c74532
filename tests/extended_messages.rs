//! The newer Messages operations of the official document: update message metadata, list the
//! last messages by channel identity, and the newer query parameters of `list_messages`,
//! `get_message` and `delete_message`, on real HTTP against httpmock.

mod common;

use chrono::{DateTime, Utc};
use common::{Api, raw_path, raw_query};
use httpmock::Method::{DELETE, GET, PATCH, POST};
use serde_json::json;
use sinch_conversation::{Error, types};

fn ts(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 timestamp")
}

/// A message as the API returns it in Dispatch Mode (fields of the npm `ConversationMessage`,
/// including `message_status`, which the official model does not list and must ignore).
fn dispatch_message_json(id: &str) -> serde_json::Value {
    json!({
        "id": id,
        "direction": "TO_CONTACT",
        "app_message": {"text_message": {"text": "Your order has shipped"}},
        "channel_identity": {"channel": "SMS", "identity": "+46700000001", "app_id": "app-1"},
        "accept_time": "2026-11-26T10:00:00.123Z",
        "metadata": "order-42",
        "injected": false,
        "sender_id": "SinchShop",
        "processing_mode": "DISPATCH",
        "message_status": {"status": "DELIVERED", "event_time": "2026-11-26T10:00:02Z"}
    })
}

#[tokio::test]
async fn update_message_metadata_patches_the_metadata_of_a_dispatch_message() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(api.path("/messages/msg-1"))
                .is_true(raw_query(Some("messages_source=DISPATCH_SOURCE")))
                .header("content-type", "application/json")
                .json_body(json!({"metadata": "order-42"}));
            then.status(200).json_body(dispatch_message_json("msg-1"));
        })
        .await;

    let message = api
        .client
        .update_message_metadata()
        .message_id("msg-1")
        .messages_source(types::MessageSource::DispatchSource)
        .body(types::UpdateMessageMetadataRequest {
            metadata: "order-42".into(),
        })
        .send()
        .await
        .expect("update succeeds");

    mock.assert_async().await;
    let common = &message.common;
    assert_eq!(common.id.as_deref(), Some("msg-1"));
    assert_eq!(common.metadata.as_deref(), Some("order-42"));
    assert_eq!(common.injected, Some(false));
    assert_eq!(common.sender_id.as_deref(), Some("SinchShop"));
    assert_eq!(
        common.processing_mode,
        Some(types::ProcessingMode::Dispatch)
    );
    assert_eq!(
        common.direction,
        Some(types::ConversationDirection::ToContact)
    );
    assert_eq!(common.accept_time, Some(ts("2026-11-26T10:00:00.123Z")));
    let types::ConversationMessageTypes::AppMessage(app_message) = &message.kind else {
        panic!("expected an app message: {:?}", message.kind);
    };
    assert_eq!(app_message.as_text(), Some("Your order has shipped"));
}

#[tokio::test]
async fn update_message_metadata_without_a_source_sends_no_query() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(api.path("/messages/msg%2F2"))
                .header("content-type", "application/json")
                .is_true(raw_path(api.path("/messages/msg%2F2")))
                .is_true(raw_query(None))
                .json_body(json!({"metadata": ""}));
            then.status(200)
                .json_body(json!({"id": "msg/2", "metadata": ""}));
        })
        .await;

    let message = api
        .client
        .update_message_metadata()
        .message_id("msg/2")
        .body_map(|body| body.metadata(String::new()))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(message.common.id.as_deref(), Some("msg/2"));
    assert_eq!(message.common.metadata.as_deref(), Some(""));
}

#[tokio::test]
async fn update_message_metadata_error_keeps_the_sinch_error_body() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(api.path("/messages/msg-1"))
                .header("content-type", "application/json")
                .is_true(raw_query(Some("messages_source=CONVERSATION_SOURCE")))
                .json_body(json!({"metadata": "x"}));
            then.status(400).json_body(json!({"error": {
                "code": 400,
                "message": "Message metadata can only be updated in Dispatch Mode",
                "status": "INVALID_ARGUMENT",
                "details": []
            }}));
        })
        .await;

    let error = api
        .client
        .update_message_metadata()
        .message_id("msg-1")
        .messages_source(types::MessageSource::ConversationSource)
        .body(types::UpdateMessageMetadataRequest {
            metadata: "x".into(),
        })
        .send()
        .await
        .unwrap_err();

    mock.assert_async().await;
    let Error::Api(api_error) = error else {
        panic!("expected Error::Api");
    };
    assert_eq!(api_error.status().as_u16(), 400);
    assert_eq!(api_error.code(), Some(400));
    assert_eq!(api_error.sinch_status(), Some("INVALID_ARGUMENT"));
    assert_eq!(
        api_error.message(),
        Some("Message metadata can only be updated in Dispatch Mode")
    );
    assert!(api_error.body().unwrap().details.is_empty());
}

#[tokio::test]
async fn list_messages_by_channel_identity_posts_every_filter_to_the_colon_path() {
    let api = Api::start().await;
    let path = api.path("/messages:fetch-last-message");
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(path.clone())
                .is_true(raw_path(path.clone()))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(json!({
                    "channel_identities": ["+46700000001", "+46700000002"],
                    "app_id": "app-1",
                    "messages_source": "DISPATCH_SOURCE",
                    "page_size": 2,
                    "page_token": "tok-1",
                    "view": "WITH_METADATA",
                    "start_time": "2026-11-01T00:00:00Z",
                    "end_time": "2026-11-30T23:59:59Z",
                    "channel": "SMS",
                    "direction": "TO_CONTACT"
                }));
            then.status(200).json_body(json!({
                "messages": [dispatch_message_json("m1"), dispatch_message_json("m2")],
                "next_page_token": "tok-2"
            }));
        })
        .await;

    let page = api
        .client
        .list_messages_by_channel_identity()
        .body(types::ListMessagesByChannelIdentityRequest {
            channel_identities: vec!["+46700000001".into(), "+46700000002".into()],
            contact_ids: vec![],
            app_id: Some("app-1".into()),
            messages_source: Some(types::MessageSource::DispatchSource),
            page_size: 2,
            page_token: Some("tok-1".into()),
            view: Some(types::ConversationMessagesView::WithMetadata),
            start_time: Some(ts("2026-11-01T00:00:00Z")),
            end_time: Some(ts("2026-11-30T23:59:59Z")),
            channel: Some(types::ConversationChannel::Sms),
            direction: Some(types::ConversationDirection::ToContact),
        })
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.messages.len(), 2);
    assert_eq!(page.messages[1].common.id.as_deref(), Some("m2"));
    assert_eq!(
        page.messages[0]
            .common
            .channel_identity
            .as_ref()
            .unwrap()
            .identity,
        "+46700000001"
    );
    assert_eq!(page.next_page_token.as_deref(), Some("tok-2"));
}

#[tokio::test]
async fn list_messages_by_contact_ids_sends_only_the_contact_ids_and_the_default_page_size() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(api.path("/messages:fetch-last-message"))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                // The official document gives `page_size` a default (10), which the model
                // always sends.
                .json_body(json!({
                    "contact_ids": ["contact-1"],
                    "messages_source": "CONVERSATION_SOURCE",
                    "page_size": 10
                }));
            then.status(200).json_body(json!({
                "messages": [{
                    "id": "m9",
                    "direction": "TO_APP",
                    "contact_message": {"text_message": {"text": "Thanks!"}},
                    "contact_id": "contact-1",
                    "conversation_id": "conv-1",
                    "processing_mode": "A_FUTURE_MODE"
                }]
            }));
        })
        .await;

    let page = api
        .client
        .list_messages_by_channel_identity()
        .body_map(|body| {
            body.contact_ids(vec!["contact-1".to_string()])
                .messages_source(Some(types::MessageSource::ConversationSource))
        })
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.next_page_token, None);
    let message = &page.messages[0];
    assert_eq!(message.common.conversation_id.as_deref(), Some("conv-1"));
    assert_eq!(message.common.contact_id.as_deref(), Some("contact-1"));
    let types::ConversationMessageTypes::ContactMessage(contact_message) = &message.kind else {
        panic!("expected a contact message: {:?}", message.kind);
    };
    assert_eq!(contact_message.as_text(), Some("Thanks!"));
    // An unknown processing mode is kept, not a decoding failure.
    assert_eq!(
        message.common.processing_mode,
        Some(types::ProcessingMode::Other("A_FUTURE_MODE".into()))
    );
    assert!(message.common.processing_mode.as_ref().unwrap().is_other());
}

#[tokio::test]
async fn list_messages_sends_the_newer_filters() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET).path(api.path("/messages")).is_true(raw_query(Some(
                "app_id=app-1&channel=WHATSAPP&channel_identity=%2B46700000001&direction=TO_APP\
                 &end_time=2026-11-30T23%3A59%3A59Z&messages_source=DISPATCH_SOURCE\
                 &only_recipient_originated=true&start_time=2026-11-01T00%3A00%3A00Z",
            )));
            then.status(200).json_body(json!({
                "messages": [{
                    "id": "m1",
                    "direction": "TO_APP",
                    "contact_message": {"text_message": {"text": "Stop"}},
                    "channel_identity": {"channel": "WHATSAPP", "identity": "+46700000001", "app_id": "app-1"},
                    "accept_time": "2026-11-20T08:30:00Z",
                    "processing_mode": "DISPATCH"
                }],
                "next_page_token": ""
            }));
        })
        .await;

    let page = api
        .client
        .list_messages()
        .app_id("app-1")
        .channel_identity("+46700000001")
        .start_time(ts("2026-11-01T00:00:00Z"))
        .end_time(ts("2026-11-30T23:59:59Z"))
        .channel(types::ConversationChannel::Whatsapp)
        .messages_source(types::MessageSource::DispatchSource)
        .only_recipient_originated(true)
        .direction(types::ConversationDirection::ToApp)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.messages.len(), 1);
    let message = &page.messages[0].common;
    assert_eq!(message.direction, Some(types::ConversationDirection::ToApp));
    assert_eq!(
        message.channel_identity.as_ref().unwrap().channel,
        types::ConversationChannel::Whatsapp
    );
    assert_eq!(message.accept_time, Some(ts("2026-11-20T08:30:00Z")));
    assert_eq!(page.next_page_token.as_deref(), Some(""));
}

#[tokio::test]
async fn list_messages_combines_old_and_new_filters() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET).path(api.path("/messages")).is_true(raw_query(Some(
                "channel=INSTAGRAM&contact_id=contact-1&messages_source=CONVERSATION_SOURCE\
                 &only_recipient_originated=false&page_size=20&start_time=2026-11-01T12%3A30%3A00.250Z",
            )));
            then.status(200).json_body(json!({"messages": []}));
        })
        .await;

    let page = api
        .client
        .list_messages()
        .contact_id("contact-1")
        .channel(types::ConversationChannel::Instagram)
        .messages_source(types::MessageSource::ConversationSource)
        .only_recipient_originated(false)
        .start_time(ts("2026-11-01T12:30:00.250Z"))
        .page_size(20)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert!(page.messages.is_empty());
}

#[tokio::test]
async fn get_message_sends_the_messages_source() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/messages/msg-1"))
                .is_true(raw_query(Some("messages_source=DISPATCH_SOURCE")));
            then.status(200).json_body(dispatch_message_json("msg-1"));
        })
        .await;

    let message = api
        .client
        .get_message()
        .message_id("msg-1")
        .messages_source(types::MessageSource::DispatchSource)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(message.common.id.as_deref(), Some("msg-1"));
    assert_eq!(
        message.common.processing_mode,
        Some(types::ProcessingMode::Dispatch)
    );
    assert_eq!(message.common.sender_id.as_deref(), Some("SinchShop"));
}

#[tokio::test]
async fn delete_message_sends_the_messages_source() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(api.path("/messages/msg-1"))
                .is_true(raw_query(Some("messages_source=CONVERSATION_SOURCE")));
            then.status(200).json_body(json!({}));
        })
        .await;

    let response = api
        .client
        .delete_message()
        .message_id("msg-1")
        .messages_source(types::MessageSource::ConversationSource)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(response.status(), 200);
}
