//! Messages area: send, get, delete, list and transcode, on real HTTP against httpmock.

mod common;

use common::{Api, raw_query};
use httpmock::Method::{DELETE, GET, POST};
use serde_json::json;
use sinch_conversation::types;

#[tokio::test]
async fn send_message_posts_the_exact_body_and_parses_the_response() {
    let api = Api::start().await;
    let body = json!({
        "app_id": "app-1",
        "recipient": {"identified_by": {"channel_identities": [{"channel": "SMS", "identity": "+46700000001"}]}},
        "message": {"text_message": {"text": "Hi"}},
        "channel_priority_order": ["WHATSAPP", "SMS"],
        "ttl": "30s",
        "callback_url": "https://example.com/cb",
        "message_metadata": "order-7"
    });
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(api.path("/messages:send"))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(body.clone());
            then.status(200)
                .json_body(json!({"message_id": "msg-1", "accepted_time": "2026-11-26T10:00:00Z"}));
        })
        .await;

    let request: types::SendMessageRequest = serde_json::from_value(body.clone()).unwrap();
    let response = api
        .client
        .send_message()
        .body(request)
        .send()
        .await
        .expect("send succeeds");

    mock.assert_async().await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.message_id.as_deref(), Some("msg-1"));
    assert_eq!(response.accepted_time.unwrap().timestamp(), 1_795_687_200);
}

#[tokio::test]
async fn send_message_to_a_contact_id_sends_only_the_contact_id() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(api.path("/messages:send"))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(json!({
                    "app_id": "app-1",
                    "recipient": {"contact_id": "contact-9"},
                    "message": {"text_message": {"text": "Hello"}}
                }));
            then.status(200).json_body(json!({"message_id": "msg-2"}));
        })
        .await;

    let response = api
        .client
        .send_message()
        .body_map(|body| {
            body.app_id("app-1")
                .recipient(types::RecipientRequest {
                    kind: types::RecipientBase::ContactId("contact-9".into()),
                })
                .message(types::AppMessage {
                    common: types::AppMessageCommonProps::default(),
                    kind: types::AppMessageTypes::TextMessage(types::TextMessage {
                        text: "Hello".into(),
                    }),
                })
        })
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(response.message_id.as_deref(), Some("msg-2"));
}

#[tokio::test]
async fn get_message_parses_a_full_conversation_message() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET).path(api.path("/messages/msg-1")).is_true(raw_query(None));
            then.status(200).json_body(json!({
                "id": "msg-1",
                "direction": "TO_CONTACT",
                "app_message": {"text_message": {"text": "Hi"}},
                "channel_identity": {"channel": "SMS", "identity": "+46700000001", "app_id": "app-1"},
                "conversation_id": "conv-1",
                "contact_id": "contact-1",
                "metadata": "m",
                "accept_time": "2026-11-26T10:00:00Z"
            }));
        })
        .await;

    let message = api
        .client
        .get_message()
        .message_id("msg-1")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    let common = &message.common;
    assert_eq!(common.id.as_deref(), Some("msg-1"));
    assert_eq!(
        common.direction,
        Some(types::ConversationDirection::ToContact)
    );
    let identity = common.channel_identity.as_ref().unwrap();
    assert_eq!(identity.channel, types::ConversationChannel::Sms);
    assert_eq!(identity.identity, "+46700000001");
    assert_eq!(identity.app_id.as_deref(), Some("app-1"));
    assert_eq!(common.conversation_id.as_deref(), Some("conv-1"));
    assert_eq!(common.contact_id.as_deref(), Some("contact-1"));
    assert_eq!(common.metadata.as_deref(), Some("m"));
    assert_eq!(common.accept_time.unwrap().timestamp(), 1_795_687_200);
    let types::ConversationMessageTypes::AppMessage(app_message) = &message.kind else {
        panic!("expected an app message: {:?}", message.kind);
    };
    assert_eq!(app_message.as_text(), Some("Hi"));
}

#[tokio::test]
async fn delete_message_accepts_an_empty_body() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(api.path("/messages/msg-1"))
                .is_true(raw_query(None));
            then.status(200);
        })
        .await;

    let response = api.client.delete_message().message_id("msg-1").send().await;

    mock.assert_async().await;
    assert_eq!(response.expect("an empty 200 is a success").status(), 200);
}

#[tokio::test]
async fn delete_message_accepts_an_empty_json_object() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(DELETE).path(api.path("/messages/msg-1"));
            then.status(200).json_body(json!({}));
        })
        .await;

    api.client
        .delete_message()
        .message_id("msg-1")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn list_messages_sends_every_filter_and_parses_the_page() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET).path(api.path("/messages")).is_true(raw_query(Some(
                "contact_id=contact-1&conversation_id=conv-1&page_size=2&page_token=tok-1&view=WITHOUT_METADATA",
            )));
            then.status(200).json_body(json!({
                "messages": [
                    {"id": "m1", "direction": "TO_APP", "contact_message": {"text_message": {"text": "yo"}}},
                    {"id": "m2", "direction": "TO_CONTACT"}
                ],
                "next_page_token": "tok-2"
            }));
        })
        .await;

    let page = api
        .client
        .list_messages()
        .conversation_id("conv-1")
        .contact_id("contact-1")
        .page_size(2)
        .page_token("tok-1")
        .view(types::ConversationMessagesView::WithoutMetadata)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.messages.len(), 2);
    assert_eq!(page.messages[0].common.id.as_deref(), Some("m1"));
    let types::ConversationMessageTypes::ContactMessage(contact_message) = &page.messages[0].kind
    else {
        panic!("expected a contact message: {:?}", page.messages[0].kind);
    };
    assert_eq!(contact_message.as_text(), Some("yo"));
    assert_eq!(page.messages[1].common.id.as_deref(), Some("m2"));
    assert_eq!(
        page.messages[1].common.direction,
        Some(types::ConversationDirection::ToContact)
    );
    assert_eq!(page.next_page_token.as_deref(), Some("tok-2"));
}

#[tokio::test]
async fn list_messages_without_filters_sends_no_query() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/messages"))
                .is_true(raw_query(None));
            then.status(200).json_body(json!({"messages": []}));
        })
        .await;

    let page = api.client.list_messages().send().await.unwrap();

    mock.assert_async().await;
    assert!(page.messages.is_empty());
    assert_eq!(page.next_page_token, None);
}

#[tokio::test]
async fn transcode_message_posts_to_the_colon_path() {
    let api = Api::start().await;
    let body = json!({
        "app_id": "app-1",
        "app_message": {"text_message": {"text": "Hi"}},
        "channels": ["WHATSAPP", "MESSENGER"]
    });
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST).path(api.path("/messages:transcode")).is_true(raw_query(None)).header("content-type", "application/json").json_body(body.clone());
            then.status(200).json_body(json!({
                "transcoded_message": {"WHATSAPP": "{\"text\":{\"body\":\"Hi\"}}", "MESSENGER": "{\"message\":{\"text\":\"Hi\"}}"}
            }));
        })
        .await;

    let response = api
        .client
        .transcode_message()
        .body(serde_json::from_value::<types::TranscodeMessageRequest>(body).unwrap())
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(response.transcoded_message.len(), 2);
    assert!(response.transcoded_message["WHATSAPP"].contains("body"));
}
