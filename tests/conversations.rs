//! Conversations area: list (and list recent), create, get, update (masked, with a metadata
//! strategy), stop, inject a message or an event, and delete; on httpmock, then against the
//! emulator.

mod common;
mod emulator_support;

use chrono::{DateTime, Utc};
use common::Api;
use httpmock::Method::{DELETE, GET, PATCH, POST};
use serde_json::json;
use sinch_conversation::{
    Error,
    field_mask::{FieldMask, PatchExt},
    types,
};

fn ts(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 timestamp")
}

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

/// A text message from a contact.
fn contact_text(text: &str) -> types::ContactMessage {
    types::ContactMessage {
        common: types::ContactMessageCommonProps(types::ReplyToField::default()),
        kind: types::ContactMessageTypes::TextMessage(types::TextMessage { text: text.into() }),
    }
}

/// An injected message with the fields the official request requires.
fn injected(
    kind: types::ConversationMessageTypesInject,
    channel_identity: types::ChannelIdentity,
    contact_id: &str,
    accept_time: &str,
    direction: types::ConversationDirection,
) -> types::InjectMessageRequest {
    types::InjectMessageRequest {
        common: types::InjectMessageCommonProps {
            accept_time: ts(accept_time),
            channel_identity,
            contact_id: contact_id.into(),
            conversation_id: None,
            direction,
            metadata: None,
            processing_mode: None,
            sender_id: None,
        },
        kind,
    }
}

fn sms(identity: &str) -> types::ChannelIdentity {
    types::ChannelIdentity {
        app_id: None,
        channel: types::ConversationChannel::Sms,
        identity: identity.into(),
    }
}

#[tokio::test]
async fn list_conversations_sends_required_and_optional_filters() {
    let api = Api::start().await;
    let page = api
        .expect(GET, "/conversations")
        .query("app_id=app-1&contact_id=c1&only_active=true&page_size=5&page_token=p2")
        .reply(json!({
            "conversations": [conversation_json("conv-1")],
            "next_page_token": "",
            "total_size": 1
        }))
        .run(
            api.client
                .list_conversations()
                .app_id("app-1")
                .contact_id("c1")
                .only_active(true)
                .page_size(5)
                .page_token("p2")
                .send(),
        )
        .await
        .unwrap();

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
    let page = api
        .expect(GET, "/conversations")
        .query("only_active=false")
        .reply(json!({"conversations": []}))
        .run(api.client.list_conversations().only_active(false).send())
        .await
        .unwrap();

    assert!(page.conversations.is_empty());
}

#[tokio::test]
async fn list_conversations_sends_the_active_channel() {
    let api = Api::start().await;
    let page = api
        .expect(GET, "/conversations")
        .query("active_channel=LINE&app_id=app-1&only_active=true")
        .reply(json!({
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
        }))
        .run(
            api.client
                .list_conversations()
                .active_channel(types::ConversationChannel::Line)
                .app_id("app-1")
                .only_active(true)
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(page.total_size, Some(1));
    assert_eq!(
        page.conversations[0].active_channel,
        Some(types::ConversationChannel::Line)
    );
}

#[tokio::test]
async fn list_recent_conversations_sends_every_parameter_and_parses_the_last_messages() {
    let api = Api::start().await;
    let page = api
        .expect(GET, "/conversations:recent")
        .query("app_id=app-1&only_active=true&order=ASC&page_size=50&page_token=tok-1")
        .reply(json!({
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
        }))
        .run(
            api.client
                .list_recent_conversations()
                .app_id("app-1")
                .only_active(true)
                .order(types::ListRecentConversationsOrder::Asc)
                .page_size(50)
                .page_token("tok-1")
                .send(),
        )
        .await
        .expect("list succeeds");

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
    // The official document makes `page_size` optional: `app_id` is the only required one.
    let page = api
        .expect(GET, "/conversations:recent")
        .query("app_id=app-1")
        .reply(json!({"conversations": []}))
        .run(
            api.client
                .list_recent_conversations()
                .app_id("app-1")
                .send(),
        )
        .await
        .unwrap();

    assert!(page.conversations.is_empty());
}

#[tokio::test]
async fn list_recent_conversations_requires_the_app_id_before_sending() {
    let api = Api::start().await;
    let error = api
        .unsent(api.client.list_recent_conversations().send())
        .await
        .unwrap_err();

    let Error::InvalidRequest(message) = error else {
        panic!("expected Error::InvalidRequest");
    };
    assert!(message.contains("app_id"), "{message}");
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
    let page = api
        .expect(GET, "/conversations:recent")
        .query("app_id=app-1&order=DESC")
        .reply(body.clone())
        .run(
            api.client
                .list_recent_conversations()
                .app_id("app-1")
                .order(types::ListRecentConversationsOrder::Desc)
                .send(),
        )
        .await
        .unwrap()
        .into_inner();

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

#[tokio::test]
async fn create_conversation() {
    let api = Api::start().await;
    let conversation = api
        .expect(POST, "/conversations")
        .json_body(json!({"app_id": "app-1", "contact_id": "c1", "active": true}))
        .reply(conversation_json("conv-1"))
        .run(
            api.client
                .create_conversation()
                .body_map(|body| body.app_id("app-1").contact_id("c1").active(Some(true)))
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(conversation.id.as_deref(), Some("conv-1"));
}

#[tokio::test]
async fn get_conversation() {
    let api = Api::start().await;
    let conversation = api
        .expect(GET, "/conversations/conv-1")
        .reply(conversation_json("conv-1"))
        .run(
            api.client
                .get_conversation()
                .conversation_id("conv-1")
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(conversation.active, Some(true));
    assert_eq!(
        conversation.last_received.unwrap().to_rfc3339(),
        "2026-11-26T10:00:00+00:00"
    );
}

#[tokio::test]
async fn update_conversation_with_mask() {
    let api = Api::start().await;
    api.expect(PATCH, "/conversations/conv-1")
        .query("update_mask=metadata")
        .json_body(json!({"metadata": "new"}))
        .reply(conversation_json("conv-1"))
        .run(
            api.client
                .update_conversation()
                .conversation_id("conv-1")
                .body(types::ConversationPatch {
                    metadata: Some("new".into()),
                    ..Default::default()
                })
                .mask(FieldMask::<types::ConversationPatch>::new(["metadata"]).unwrap())
                .send(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn update_conversation_sends_the_metadata_update_strategy() {
    let api = Api::start().await;
    let mut metadata = serde_json::Map::new();
    metadata.insert("tier".into(), json!("gold"));
    let conversation = api
        .expect(PATCH, "/conversations/conv-1")
        .query("metadata_update_strategy=MERGE_PATCH&update_mask=metadata_json")
        .json_body(json!({"metadata_json": {"tier": "gold"}}))
        .reply(json!({
            "id": "conv-1",
            "app_id": "app-1",
            "contact_id": "contact-1",
            "active": true,
            "active_channel": "SMS",
            "metadata_json": {"order": 42, "tier": "gold"}
        }))
        .run(
            api.client
                .update_conversation()
                .conversation_id("conv-1")
                .metadata_update_strategy(types::MetadataUpdateStrategy::MergePatch)
                .body_map(|body| body.metadata_json(metadata))
                .mask(FieldMask::<types::ConversationPatch>::new(["metadata_json"]).unwrap())
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(conversation.id.as_deref(), Some("conv-1"));
    assert_eq!(conversation.metadata_json["tier"], json!("gold"));
    assert_eq!(conversation.metadata_json["order"], json!(42));
}

#[tokio::test]
async fn update_conversation_with_only_the_strategy_sends_it_alone() {
    let api = Api::start().await;
    let conversation = api
        .expect(PATCH, "/conversations/conv-1")
        .query("metadata_update_strategy=REPLACE")
        .json_body(json!({"metadata": "plain"}))
        .reply(json!({"id": "conv-1", "metadata": "plain"}))
        .run(
            api.client
                .update_conversation()
                .conversation_id("conv-1")
                .metadata_update_strategy(types::MetadataUpdateStrategy::Replace)
                .body_map(|body| body.metadata(Some("plain".to_string())))
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(conversation.metadata.as_deref(), Some("plain"));
}

#[tokio::test]
async fn stop_active_conversation_posts_to_the_stop_path_with_an_empty_reply() {
    let api = Api::start().await;
    api.expect(POST, "/conversations/conv-1:stop")
        .run(
            api.client
                .stop_active_conversation()
                .conversation_id("conv-1")
                .send(),
        )
        .await
        .expect("empty 200 is success");
}

#[tokio::test]
async fn inject_message_uses_the_conversation_id_path_parameter() {
    let api = Api::start().await;
    let message = injected(
        types::ConversationMessageTypesInject::ContactMessage(contact_text("injected")),
        sms("+46700000001"),
        "c1",
        "2026-11-26T10:00:00Z",
        types::ConversationDirection::ToApp,
    );
    api.expect(POST, "/conversations/conv-1:inject-message")
        .json_body(json!({
            "direction": "TO_APP",
            "contact_message": {"text_message": {"text": "injected"}},
            "channel_identity": {"channel": "SMS", "identity": "+46700000001"},
            "contact_id": "c1",
            "accept_time": "2026-11-26T10:00:00Z"
        }))
        .reply(json!({}))
        .run(
            api.client
                .inject_message()
                .conversation_id("conv-1")
                .body(message)
                .send(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn inject_message_built_from_the_keyed_kinds_sends_the_official_shape() {
    let api = Api::start().await;
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
    api.expect(POST, "/conversations/conv-1:inject-message")
        .json_body(json!({
            "app_message": {"text_message": {"text": "from the agent"}},
            "direction": "TO_CONTACT",
            "channel_identity": {"channel": "WHATSAPP", "identity": "+46700000001", "app_id": "app-1"},
            "contact_id": "c1",
            "accept_time": "2026-11-26T10:00:00Z",
            "processing_mode": "CONVERSATION"
        }))
        .reply(json!({}))
        .run(
            api.client
                .inject_message()
                .conversation_id("conv-1")
                .body(request)
                .send(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn inject_event_posts_the_event_to_the_colon_path() {
    let api = Api::start().await;
    let event = types::InjectConversationEventRequest {
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
    };
    let response = api
        .expect(POST, "/conversations/conv-1:inject-event")
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
        }))
        .reply(json!({
            "event_id": "evt-1",
            "accepted_time": "2026-11-26T10:00:00.500Z"
        }))
        .run(
            api.client
                .inject_event()
                .conversation_id("conv-1")
                .body(event)
                .send(),
        )
        .await
        .expect("inject succeeds");

    assert_eq!(response.event_id.as_deref(), Some("evt-1"));
    assert_eq!(response.accepted_time, Some(ts("2026-11-26T10:00:00.500Z")));
}

#[tokio::test]
async fn inject_event_sends_a_generic_event_with_only_the_required_fields() {
    let api = Api::start().await;
    let payload = json!({"kind": "handover", "queue": 3});
    let response = api
        .expect(POST, "/conversations/conv-2:inject-event")
        .json_body(json!({
            "app_event": {"generic_event": {"payload": {"kind": "handover", "queue": 3}}},
            "accept_time": "2026-11-26T09:00:00Z"
        }))
        .reply(json!({"event_id": "evt-2"}))
        .run(
            api.client
                .inject_event()
                .conversation_id("conv-2")
                .body_map(|body| {
                    body.app_event(Some(types::AppEvent::GenericEvent(types::GenericEvent {
                        // The generic event's payload is free-form JSON by definition.
                        payload: payload.as_object().unwrap().clone(),
                    })))
                    .accept_time(ts("2026-11-26T09:00:00Z"))
                })
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(response.event_id.as_deref(), Some("evt-2"));
    assert_eq!(response.accepted_time, None);
}

#[tokio::test]
async fn delete_conversation() {
    let api = Api::start().await;
    api.expect(DELETE, "/conversations/conv-1")
        .run(
            api.client
                .delete_conversation()
                .conversation_id("conv-1")
                .send(),
        )
        .await
        .unwrap();
}

/// Against the emulator: the state each operation leaves, the callbacks it sends, and the 400s
/// it answers with.
mod emulator {
    use sinch_conversation::{types, webhooks};

    use super::{contact_text, injected, sms};
    use crate::emulator_support::{
        CallbackSink, assert_400, client, contact, create_app, create_webhook, emulator, raw,
        several_kinds,
    };

    #[tokio::test]
    async fn conversations() {
        let emulator = emulator().await;
        let client = client(&emulator);
        let app_id = create_app(&client, "conversations").await;
        let mut sink = CallbackSink::start().await;
        create_webhook(
            &client,
            &app_id,
            &sink.url,
            &[
                "CONVERSATION_START",
                "CONVERSATION_STOP",
                "CONVERSATION_DELETE",
            ],
            None,
        )
        .await;
        let contact_id = contact(&client, "+46700000001").await.id.unwrap();
        let new = |active: bool| {
            types::CreateConversationRequest::new(&app_id, &contact_id)
                .with_active(active)
                .with_active_channel(types::ConversationChannel::Sms)
                .with_metadata("m")
        };
        let conversation = client
            .create_conversation()
            .body(new(true))
            .send()
            .await
            .unwrap();
        let id = conversation.id.clone().unwrap();
        assert_eq!(conversation.active, Some(true));

        // One active conversation per app and contact.
        let second = client.create_conversation().body(new(true)).send().await;
        assert_400(second, "already has an active conversation").await;

        let got = client
            .get_conversation()
            .conversation_id(&id)
            .send()
            .await
            .unwrap();
        assert_eq!(got.metadata.as_deref(), Some("m"));
        let updated = client
            .update_conversation()
            .conversation_id(&id)
            .body(types::ConversationPatch {
                metadata: Some("n".into()),
                active: Some(false),
                ..Default::default()
            })
            .update_mask(vec!["metadata".to_owned()])
            .send()
            .await
            .unwrap();
        assert_eq!(
            (updated.metadata.as_deref(), updated.active),
            (Some("n"), Some(true))
        );

        // Inject a message, list it. The official request names its accept time, direction and
        // contact.
        let inject = |kind| {
            injected(
                kind,
                sms("+46700000001"),
                &contact_id,
                "2024-05-01T10:00:00Z",
                types::ConversationDirection::ToApp,
            )
        };
        client
            .inject_message()
            .conversation_id(&id)
            .body(inject(
                types::ConversationMessageTypesInject::ContactMessage(contact_text("injected")),
            ))
            .send()
            .await
            .unwrap();
        let messages = client
            .list_messages()
            .conversation_id(&id)
            .send()
            .await
            .unwrap();
        assert_eq!(messages.messages.len(), 1);
        assert_eq!(
            messages.messages[0].direction,
            Some(types::ConversationDirection::ToApp)
        );
        let both = several_kinds(&[
            serde_json::to_value(types::ConversationMessageTypesInject::ContactMessage(
                contact_text("a"),
            ))
            .unwrap(),
            serde_json::to_value(types::ConversationMessageTypesInject::AppMessage(
                types::AppMessage::text("b"),
            ))
            .unwrap(),
        ]);
        let result = client
            .inject_message()
            .conversation_id(&id)
            .body(inject(types::ConversationMessageTypesInject::Unknown(both)))
            .send()
            .await;
        assert_400(result, "exactly one").await;

        // Stop (twice: the second is a no-op), list, delete.
        for _ in 0..2 {
            client
                .stop_active_conversation()
                .conversation_id(&id)
                .send()
                .await
                .unwrap();
        }
        let active = client
            .list_conversations()
            .app_id(&app_id)
            .only_active(true)
            .send()
            .await
            .unwrap();
        assert!(active.conversations.is_empty());
        let all = client
            .list_conversations()
            .app_id(&app_id)
            .only_active(false)
            .send()
            .await
            .unwrap();
        assert_eq!((all.conversations.len(), all.total_size), (1, Some(1)));
        // `only_active` is optional in the official document: without it, every conversation.
        let unfiltered = client
            .list_conversations()
            .app_id(&app_id)
            .send()
            .await
            .unwrap();
        assert_eq!(
            (unfiltered.conversations.len(), unfiltered.total_size),
            (1, Some(1))
        );
        client
            .delete_conversation()
            .conversation_id(&id)
            .send()
            .await
            .unwrap();
        assert!(
            emulator.messages().is_empty(),
            "messages go with their conversation"
        );

        let triggers: Vec<String> = sink
            .until(|r| r.json().get("conversation_delete_notification").is_some())
            .await
            .iter()
            .map(|r| {
                webhooks::parse(&r.body)
                    .unwrap()
                    .trigger_name()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            triggers,
            [
                "CONVERSATION_START",
                "CONVERSATION_STOP",
                "CONVERSATION_DELETE"
            ]
        );

        // Raw, without only_active (optional in the official document): 200, and the deleted
        // conversation is gone; a value that is no boolean is still a 400.
        let path = format!("/conversations?app_id={app_id}");
        let response = raw(&emulator, reqwest::Method::GET, &path)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let listed: types::ListConversationsResponse = response.json().await.unwrap();
        assert_eq!(
            (listed.conversations.len(), listed.total_size),
            (0, Some(0))
        );
        let path = format!("/conversations?app_id={app_id}&only_active=maybe");
        let response = raw(&emulator, reqwest::Method::GET, &path)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400);
    }
}
