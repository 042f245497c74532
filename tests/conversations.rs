//! Conversations area: list, create, get, update, stop, inject and delete.

mod common;

use common::{Api, raw_query};
use httpmock::Method::{DELETE, GET, PATCH, POST};
use serde_json::json;
use sinch_conversation::{
    field_mask::{FieldMask, PatchExt},
    types,
};

fn conversation_json(id: &str) -> serde_json::Value {
    json!({
        "id": id,
        "app_id": "app-1",
        "contact_id": "c1",
        "active": true,
        "active_channel": "WHATSAPP",
        "last_received": "2026-11-26T10:00:00Z",
        "metadata": "m"
    })
}

#[tokio::test]
async fn list_conversations_sends_required_and_optional_filters() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/conversations"))
                .is_true(raw_query(Some(
                    "app_id=app-1&contact_id=c1&only_active=true&page_size=5&page_token=p2",
                )));
            then.status(200).json_body(json!({
                "conversations": [conversation_json("conv-1")],
                "next_page_token": "",
                "total_size": 1
            }));
        })
        .await;

    let page = api
        .client
        .list_conversations()
        .app_id("app-1")
        .contact_id("c1")
        .only_active(true)
        .page_size(5)
        .page_token("p2")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.conversations.len(), 1);
    assert_eq!(page.total_size, Some(1));
    assert_eq!(
        page.conversations[0].active_channel,
        Some(types::ConversationChannel::Whatsapp)
    );
}

#[tokio::test]
async fn list_conversations_only_active_false_is_still_sent() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/conversations"))
                .is_true(raw_query(Some("only_active=false")));
            then.status(200).json_body(json!({"conversations": []}));
        })
        .await;

    let page = api
        .client
        .list_conversations()
        .only_active(false)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert!(page.conversations.is_empty());
}

#[tokio::test]
async fn create_conversation() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(api.path("/conversations"))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(json!({"app_id": "app-1", "contact_id": "c1", "active": true}));
            then.status(200).json_body(conversation_json("conv-1"));
        })
        .await;

    let conversation = api
        .client
        .create_conversation()
        .body_map(|body| body.app_id("app-1").contact_id("c1").active(Some(true)))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(conversation.id.as_deref(), Some("conv-1"));
}

#[tokio::test]
async fn get_conversation() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/conversations/conv-1"))
                .is_true(raw_query(None));
            then.status(200).json_body(conversation_json("conv-1"));
        })
        .await;

    let conversation = api
        .client
        .get_conversation()
        .conversation_id("conv-1")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(conversation.active, Some(true));
    assert_eq!(
        conversation.last_received.unwrap().to_rfc3339(),
        "2026-11-26T10:00:00+00:00"
    );
}

#[tokio::test]
async fn update_conversation_with_mask() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(api.path("/conversations/conv-1"))
                .header("content-type", "application/json")
                .is_true(raw_query(Some("update_mask=metadata")))
                .json_body(json!({"metadata": "new"}));
            then.status(200).json_body(conversation_json("conv-1"));
        })
        .await;

    api.client
        .update_conversation()
        .conversation_id("conv-1")
        .body(types::ConversationPatch {
            metadata: Some("new".into()),
            ..Default::default()
        })
        .mask(FieldMask::<types::ConversationPatch>::new(["metadata"]).unwrap())
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn stop_active_conversation_posts_to_the_stop_path_with_an_empty_reply() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(api.path("/conversations/conv-1:stop"))
                .is_true(raw_query(None));
            then.status(200);
        })
        .await;

    api.client
        .stop_active_conversation()
        .conversation_id("conv-1")
        .send()
        .await
        .expect("empty 200 is success");

    mock.assert_async().await;
}

#[tokio::test]
async fn inject_message_uses_the_conversation_id_path_parameter() {
    let api = Api::start().await;
    let message = json!({
        "direction": "TO_APP",
        "contact_message": {"text_message": {"text": "injected"}},
        "channel_identity": {"channel": "SMS", "identity": "+46700000001"},
        "contact_id": "c1",
        "accept_time": "2026-11-26T10:00:00Z"
    });
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(api.path("/conversations/conv-1:inject-message"))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(message.clone());
            then.status(200).json_body(json!({}));
        })
        .await;

    api.client
        .inject_message()
        .conversation_id("conv-1")
        .body(serde_json::from_value::<types::InjectMessageRequest>(message).unwrap())
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn inject_message_built_from_the_keyed_kinds_sends_the_official_shape() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(api.path("/conversations/conv-1:inject-message"))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(json!({
                    "app_message": {"text_message": {"text": "from the agent"}},
                    "direction": "TO_CONTACT",
                    "channel_identity": {"channel": "WHATSAPP", "identity": "+46700000001", "app_id": "app-1"},
                    "contact_id": "c1",
                    "accept_time": "2026-11-26T10:00:00Z",
                    "processing_mode": "CONVERSATION"
                }));
            then.status(200).json_body(json!({}));
        })
        .await;

    let request = types::InjectMessageRequest {
        common: types::InjectMessageCommonProps {
            accept_time: "2026-11-26T10:00:00Z".parse().unwrap(),
            channel_identity: types::ChannelIdentity {
                app_id: Some("app-1".into()),
                channel: types::ConversationChannel::Whatsapp,
                identity: "+46700000001".into(),
            },
            contact_id: "c1".into(),
            conversation_id: None,
            direction: types::ConversationDirection::ToContact,
            metadata: None,
            processing_mode: Some(types::ProcessingMode::Conversation),
            sender_id: None,
        },
        kind: types::ConversationMessageTypesInject::AppMessage(types::AppMessage::text(
            "from the agent",
        )),
    };
    api.client
        .inject_message()
        .conversation_id("conv-1")
        .body(request)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn delete_conversation() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(api.path("/conversations/conv-1"))
                .is_true(raw_query(None));
            then.status(200);
        })
        .await;

    api.client
        .delete_conversation()
        .conversation_id("conv-1")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}
