//! Conversations operations beyond the basic CRUD (once overlays, now in the official document):
//! list recent conversations, inject an event, and the newer query parameters of
//! `list_conversations` and `update_conversation`.

mod common;

use chrono::{DateTime, Utc};
use common::{Api, raw_path, raw_query};
use httpmock::Method::{GET, PATCH, POST};
use serde_json::json;
use sinch_conversation::{
    Error,
    field_mask::{FieldMask, PatchExt},
    types,
};

fn ts(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 timestamp")
}

#[tokio::test]
async fn list_recent_conversations_sends_every_parameter_and_parses_the_last_messages() {
    let api = Api::start().await;
    let path = api.path("/conversations:recent");
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(path.clone())
                .is_true(raw_path(path.clone()))
                .is_true(raw_query(Some(
                    "app_id=app-1&only_active=true&order=ASC&page_size=50&page_token=tok-1",
                )));
            then.status(200).json_body(json!({
                "conversations": [
                    {
                        "conversation": {
                            "id": "conv-1",
                            "app_id": "app-1",
                            "contact_id": "contact-1",
                            "active": true,
                            "active_channel": "TELEGRAM",
                            "last_received": "2026-11-26T10:00:00Z",
                            "metadata": "",
                            "metadata_json": {"order": 42, "tags": ["vip"]},
                            "correlation_id": "corr-1"
                        },
                        "last_message": {
                            "id": "m1",
                            "direction": "TO_APP",
                            "contact_message": {"text_message": {"text": "Where is my parcel?"}},
                            "channel_identity": {"channel": "TELEGRAM", "identity": "123456789", "app_id": "app-1"},
                            "conversation_id": "conv-1",
                            "contact_id": "contact-1",
                            "accept_time": "2026-11-26T10:00:00Z",
                            "injected": false,
                            "processing_mode": "CONVERSATION"
                        }
                    },
                    {"conversation": {"id": "conv-2", "active_channel": "KAKAOTALKCHAT"}}
                ],
                "next_page_token": "tok-2"
            }));
        })
        .await;

    let page = api
        .client
        .list_recent_conversations()
        .app_id("app-1")
        .only_active(true)
        .order(types::ListRecentConversationsOrder::Asc)
        .page_size(50)
        .page_token("tok-1")
        .send()
        .await
        .expect("list succeeds");

    mock.assert_async().await;
    assert_eq!(page.conversations.len(), 2);
    let recent = &page.conversations[0];
    let conversation = recent.conversation.as_ref().unwrap();
    assert_eq!(conversation.id.as_deref(), Some("conv-1"));
    assert_eq!(
        conversation.active_channel,
        Some(types::ConversationChannel::Telegram)
    );
    assert_eq!(conversation.correlation_id.as_deref(), Some("corr-1"));
    assert_eq!(conversation.metadata_json["order"], json!(42));
    let last = recent.last_message.as_ref().unwrap();
    assert_eq!(last.id.as_deref(), Some("m1"));
    let types::ConversationMessageTypes::ContactMessage(contact_message) = &last.kind else {
        panic!("expected a contact message, got {:?}", last.kind);
    };
    assert_eq!(contact_message.as_text(), Some("Where is my parcel?"));
    assert_eq!(last.injected, Some(false));
    assert_eq!(last.accept_time, Some(ts("2026-11-26T10:00:00Z")));
    assert_eq!(
        last.processing_mode,
        Some(types::ProcessingMode::Conversation)
    );
    let second = &page.conversations[1];
    assert_eq!(
        second.conversation.as_ref().unwrap().active_channel,
        Some(types::ConversationChannel::Kakaotalkchat)
    );
    assert_eq!(second.last_message, None);
    assert_eq!(page.next_page_token.as_deref(), Some("tok-2"));
}

#[tokio::test]
async fn list_recent_conversations_with_only_the_required_parameters() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/conversations:recent"))
                .is_true(raw_query(Some("app_id=app-1")));
            then.status(200).json_body(json!({"conversations": []}));
        })
        .await;

    // The official document makes `page_size` optional: `app_id` is the only required one.
    let page = api
        .client
        .list_recent_conversations()
        .app_id("app-1")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert!(page.conversations.is_empty());
}

#[tokio::test]
async fn list_recent_conversations_requires_the_app_id_before_sending() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(json!({}));
        })
        .await;

    let error = api
        .client
        .list_recent_conversations()
        .send()
        .await
        .unwrap_err();

    let Error::InvalidRequest(message) = error else {
        panic!("expected Error::InvalidRequest");
    };
    assert!(message.contains("app_id"), "{message}");
    assert_eq!(mock.calls_async().await, 0);
}

#[tokio::test]
async fn inject_event_posts_the_event_to_the_colon_path() {
    let api = Api::start().await;
    let path = api.path("/conversations/conv-1:inject-event");
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(path.clone())
                .is_true(raw_path(path.clone()))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(json!({
                    "app_event": {"agent_joined_event": {"agent": {
                        "display_name": "Ada",
                        "type": "HUMAN",
                        "picture_url": "https://example.com/ada.png"
                    }}},
                    "conversation_id": "conv-1",
                    "contact_id": "contact-1",
                    "channel_identity": {"channel": "WHATSAPP", "identity": "+46700000001", "app_id": "app-1"},
                    "accept_time": "2026-11-26T09:59:00Z",
                    "processing_mode": "CONVERSATION"
                }));
            then.status(200).json_body(json!({
                "event_id": "evt-1",
                "accepted_time": "2026-11-26T10:00:00.500Z"
            }));
        })
        .await;

    let response = api
        .client
        .inject_event()
        .conversation_id("conv-1")
        .body(types::InjectConversationEventRequest {
            app_event: Some(types::AppEvent::AgentJoinedEvent(types::AgentJoinedEvent {
                agent: types::Agent {
                    display_name: Some("Ada".into()),
                    type_: Some(types::AgentType::Human),
                    picture_url: Some("https://example.com/ada.png".into()),
                },
            })),
            conversation_id: Some("conv-1".into()),
            contact_id: Some("contact-1".into()),
            channel_identity: Some(types::ChannelIdentity {
                app_id: Some("app-1".into()),
                channel: types::ConversationChannel::Whatsapp,
                identity: "+46700000001".into(),
            }),
            accept_time: ts("2026-11-26T09:59:00Z"),
            processing_mode: Some(types::ProcessingMode::Conversation),
        })
        .send()
        .await
        .expect("inject succeeds");

    mock.assert_async().await;
    assert_eq!(response.event_id.as_deref(), Some("evt-1"));
    assert_eq!(response.accepted_time, Some(ts("2026-11-26T10:00:00.500Z")));
}

#[tokio::test]
async fn inject_event_sends_a_generic_event_with_only_the_required_fields() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(api.path("/conversations/conv-2:inject-event"))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(json!({
                    "app_event": {"generic_event": {"payload": {"kind": "handover", "queue": 3}}},
                    "accept_time": "2026-11-26T09:00:00Z"
                }));
            then.status(200).json_body(json!({"event_id": "evt-2"}));
        })
        .await;

    let payload = json!({"kind": "handover", "queue": 3});
    let response = api
        .client
        .inject_event()
        .conversation_id("conv-2")
        .body_map(|body| {
            body.app_event(Some(types::AppEvent::GenericEvent(types::GenericEvent {
                payload: payload.as_object().unwrap().clone(),
            })))
            .accept_time(ts("2026-11-26T09:00:00Z"))
        })
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(response.event_id.as_deref(), Some("evt-2"));
    assert_eq!(response.accepted_time, None);
}

#[tokio::test]
async fn list_conversations_sends_the_active_channel() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/conversations"))
                .is_true(raw_query(Some(
                    "active_channel=LINE&app_id=app-1&only_active=true",
                )));
            then.status(200).json_body(json!({
                "conversations": [{
                    "id": "conv-1",
                    "app_id": "app-1",
                    "contact_id": "contact-1",
                    "active": true,
                    "active_channel": "LINE",
                    "last_received": "2026-11-26T10:00:00Z"
                }],
                "next_page_token": "",
                "total_size": 1
            }));
        })
        .await;

    let page = api
        .client
        .list_conversations()
        .active_channel(types::ConversationChannel::Line)
        .app_id("app-1")
        .only_active(true)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.total_size, Some(1));
    assert_eq!(
        page.conversations[0].active_channel,
        Some(types::ConversationChannel::Line)
    );
}

#[tokio::test]
async fn update_conversation_sends_the_metadata_update_strategy() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(api.path("/conversations/conv-1"))
                .header("content-type", "application/json")
                .is_true(raw_query(Some(
                    "metadata_update_strategy=MERGE_PATCH&update_mask=metadata_json",
                )))
                .json_body(json!({"metadata_json": {"tier": "gold"}}));
            then.status(200).json_body(json!({
                "id": "conv-1",
                "app_id": "app-1",
                "contact_id": "contact-1",
                "active": true,
                "active_channel": "SMS",
                "metadata_json": {"order": 42, "tier": "gold"}
            }));
        })
        .await;

    let mut metadata = serde_json::Map::new();
    metadata.insert("tier".into(), json!("gold"));
    let conversation = api
        .client
        .update_conversation()
        .conversation_id("conv-1")
        .metadata_update_strategy(types::MetadataUpdateStrategy::MergePatch)
        .body_map(|body| body.metadata_json(metadata))
        .mask(FieldMask::<types::ConversationPatch>::new(["metadata_json"]).unwrap())
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(conversation.id.as_deref(), Some("conv-1"));
    assert_eq!(conversation.metadata_json["tier"], json!("gold"));
    assert_eq!(conversation.metadata_json["order"], json!(42));
}

#[tokio::test]
async fn update_conversation_with_only_the_strategy_sends_it_alone() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(api.path("/conversations/conv-1"))
                .header("content-type", "application/json")
                .is_true(raw_query(Some("metadata_update_strategy=REPLACE")))
                .json_body(json!({"metadata": "plain"}));
            then.status(200)
                .json_body(json!({"id": "conv-1", "metadata": "plain"}));
        })
        .await;

    let conversation = api
        .client
        .update_conversation()
        .conversation_id("conv-1")
        .metadata_update_strategy(types::MetadataUpdateStrategy::Replace)
        .body_map(|body| body.metadata(Some("plain".to_string())))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(conversation.metadata.as_deref(), Some("plain"));
}

#[tokio::test]
async fn list_recent_conversations_round_trips_total_size_and_a_reason_channel_code() {
    let api = Api::start().await;
    // `total_size` and `Reason.channel_code` are new in the official document.
    let body = json!({
        "conversations": [{
            "conversation": {"id": "conv-9", "app_id": "app-1", "active_channel": "WHATSAPP"},
            "last_message": {
                "id": "m9",
                "direction": "TO_APP",
                "contact_message": {"fallback_message": {
                    "raw_message": "{\"type\":\"unsupported\"}",
                    "reason": {
                        "code": "UNSUPPORTED_OPERATION",
                        "description": "The message type is not supported",
                        "sub_code": "UNSPECIFIED_SUB_CODE",
                        "channel_code": "131051"
                    }
                }},
                "conversation_id": "conv-9",
                "accept_time": "2026-11-26T10:00:00Z"
            }
        }],
        "next_page_token": "tok-9",
        "total_size": 7
    });
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/conversations:recent"))
                .is_true(raw_query(Some("app_id=app-1&order=DESC")));
            then.status(200).json_body(body.clone());
        })
        .await;

    let page = api
        .client
        .list_recent_conversations()
        .app_id("app-1")
        .order(types::ListRecentConversationsOrder::Desc)
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(page.total_size, Some(7));
    let last = page.conversations[0].last_message.as_ref().unwrap();
    let types::ConversationMessageTypes::ContactMessage(contact_message) = &last.kind else {
        panic!("expected a contact message, got {:?}", last.kind);
    };
    let types::ContactMessageTypes::FallbackMessage(fallback) = &contact_message.kind else {
        panic!(
            "expected a fallback message, got {:?}",
            contact_message.kind
        );
    };
    let reason = fallback.reason.as_ref().unwrap();
    assert_eq!(reason.channel_code.as_deref(), Some("131051"));
    assert_eq!(reason.code, Some(types::ReasonCode::UnsupportedOperation));
    // Nothing is lost or added on the way back.
    assert_eq!(serde_json::to_value(&page).unwrap(), body);
}
