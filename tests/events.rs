//! Events area: send, list, get and delete events; on httpmock, then against the emulator
//! (with capability queries and transcoding, whose callbacks come the same way).
//!
//! The official `ConversationEvent` carries an app event only: its `ContactEventField` and
//! `ContactMessageEventField` schemas are referenced by no operation, so the response models drop
//! `contact_event` and `contact_message_event`. The tests still send the API's full events and
//! check those parts against the official types (`types::ContactEventField`,
//! `types::ContactMessageEventField`) on the same JSON.

mod common;
mod emulator_support;

use chrono::{DateTime, Utc};
use common::Api;
use httpmock::Method::{DELETE, GET, POST};
use serde_json::{Value, json};
use sinch_conversation::types;

fn ts(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 timestamp")
}

/// The contact side of an event, by the official `ContactEventField` schema.
fn contact_event(event: &Value) -> types::ContactEvent {
    let field: types::ContactEventField =
        serde_json::from_value(event.clone()).expect("a ContactEventField");
    field.contact_event.expect("a contact_event")
}

/// The contact-message side of an event, by the official `ContactMessageEventField` schema.
fn contact_message_event(event: &Value) -> types::ContactMessageEvent {
    let field: types::ContactMessageEventField =
        serde_json::from_value(event.clone()).expect("a ContactMessageEventField");
    field
        .contact_message_event
        .expect("a contact_message_event")
}

fn listed_events() -> Vec<Value> {
    vec![
        json!({
            "id": "evt-1",
            "direction": "TO_CONTACT",
            "conversation_id": "conv-1",
            "contact_id": "contact-1",
            "channel_identity": {"channel": "WHATSAPP", "identity": "+46700000001", "app_id": "app-1"},
            "accept_time": "2026-11-26T10:00:00Z",
            "processing_mode": "CONVERSATION",
            "app_event": {"composing_event": {}}
        }),
        json!({
            "id": "evt-2",
            "direction": "TO_APP",
            "conversation_id": "conv-1",
            "contact_id": "contact-1",
            "channel_identity": {"channel": "MESSENGER", "identity": "7461284721", "app_id": "app-1"},
            "accept_time": "2026-11-26T10:01:00Z",
            "processing_mode": "CONVERSATION",
            "contact_message_event": {"reaction_event": {
                "emoji": "\u{1F44D}",
                "action": "REACTION_ACTION_REACT",
                "message_id": "msg-1",
                "reaction_category": "like"
            }}
        }),
        json!({
            "id": "evt-3",
            "direction": "TO_APP",
            "channel_identity": {"channel": "WHATSAPP", "identity": "+46700000001"},
            "accept_time": "2026-11-26T10:02:00Z",
            "processing_mode": "DISPATCH",
            "contact_message_event": {"payment_status_update_event": {
                "reference_id": "order-42",
                "payment_status": "PAYMENT_STATUS_CAPTURED",
                "payment_transaction_status": "PAYMENT_STATUS_TRANSACTION_SUCCESS",
                "payment_transaction_id": "txn-9"
            }}
        }),
        json!({
            "id": "evt-4",
            "direction": "TO_APP",
            "channel_identity": {"channel": "INSTAGRAM", "identity": "1789", "app_id": "app-1"},
            "accept_time": "2026-11-26T10:03:00Z",
            "processing_mode": "CONVERSATION",
            "contact_message_event": {"shortlink_activated_event": {
                "payload": "promo",
                "title": "Winter sale",
                "ref": "winter",
                "source": "SHORTLINK",
                "type": "OPEN_THREAD",
                "existing_thread": true
            }}
        }),
    ]
}

#[tokio::test]
async fn list_events_sends_every_parameter_and_parses_each_event_kind() {
    let api = Api::start().await;
    let events = listed_events();
    let page = api
        .expect(GET, "/events")
        .query("contact_id=contact-1&conversation_id=conv-1&page_size=20&page_token=tok-1")
        .reply(json!({"events": events.clone(), "next_page_token": "tok-2"}))
        .run(
            api.client
                .list_events()
                .conversation_id("conv-1")
                .contact_id("contact-1")
                .page_size(20)
                .page_token("tok-1")
                .send(),
        )
        .await
        .expect("list succeeds");

    assert_eq!(page.events.len(), 4);
    assert_eq!(page.next_page_token.as_deref(), Some("tok-2"));

    let composing = &page.events[0];
    assert_eq!(composing.id.as_deref(), Some("evt-1"));
    assert_eq!(
        composing.direction,
        Some(types::ConversationDirection::ToContact)
    );
    assert_eq!(composing.accept_time, Some(ts("2026-11-26T10:00:00Z")));
    assert_eq!(composing.conversation_id.as_deref(), Some("conv-1"));
    assert_eq!(composing.contact_id.as_deref(), Some("contact-1"));
    assert!(matches!(
        composing.app_event,
        Some(types::AppEvent::ComposingEvent(_))
    ));

    assert_eq!(page.events[1].id.as_deref(), Some("evt-2"));
    assert_eq!(
        page.events[1].channel_identity.as_ref().unwrap().channel,
        types::ConversationChannel::Messenger
    );
    assert_eq!(page.events[1].app_event, None);
    let types::ContactMessageEvent::ReactionEvent(reaction) = contact_message_event(&events[1])
    else {
        panic!("expected a reaction event");
    };
    assert_eq!(reaction.emoji.as_deref(), Some("\u{1F44D}"));
    assert_eq!(
        reaction.action,
        Some(types::ReactionAction::ReactionActionReact)
    );
    assert_eq!(reaction.message_id.as_deref(), Some("msg-1"));
    assert_eq!(reaction.reaction_category.as_deref(), Some("like"));

    let payment = &page.events[2];
    assert_eq!(
        payment.processing_mode,
        Some(types::ProcessingMode::Dispatch)
    );
    assert_eq!(payment.conversation_id, None);
    assert_eq!(payment.accept_time, Some(ts("2026-11-26T10:02:00Z")));
    let types::ContactMessageEvent::PaymentStatusUpdateEvent(payment) =
        contact_message_event(&events[2])
    else {
        panic!("expected a payment status update event");
    };
    assert_eq!(payment.reference_id.as_deref(), Some("order-42"));
    assert_eq!(
        payment.payment_status,
        Some(types::PaymentStatus::PaymentStatusCaptured)
    );
    assert_eq!(
        payment.payment_transaction_status,
        Some(types::PaymentTransactionStatus::PaymentStatusTransactionSuccess)
    );
    assert_eq!(payment.payment_transaction_id.as_deref(), Some("txn-9"));

    assert_eq!(page.events[3].id.as_deref(), Some("evt-4"));
    let types::ContactMessageEvent::ShortlinkActivatedEvent(shortlink) =
        contact_message_event(&events[3])
    else {
        panic!("expected a shortlink activated event");
    };
    assert_eq!(shortlink.ref_.as_deref(), Some("winter"));
    assert_eq!(shortlink.type_.as_deref(), Some("OPEN_THREAD"));
    assert_eq!(shortlink.existing_thread, Some(true));
    assert_eq!(shortlink.payload.as_deref(), Some("promo"));
}

#[tokio::test]
async fn list_events_by_contact_only_sends_only_the_contact() {
    let api = Api::start().await;
    let page = api
        .expect(GET, "/events")
        .query("contact_id=contact-1")
        .reply(json!({"events": [], "next_page_token": ""}))
        .run(api.client.list_events().contact_id("contact-1").send())
        .await
        .unwrap();

    assert!(page.events.is_empty());
    assert_eq!(page.next_page_token.as_deref(), Some(""));
}

#[tokio::test]
async fn get_event_parses_a_contact_comment_event() {
    let api = Api::start().await;
    let body = json!({
        "id": "evt-1",
        "direction": "TO_APP",
        "conversation_id": "conv-1",
        "contact_id": "contact-1",
        "channel_identity": {"channel": "INSTAGRAM", "identity": "17841400000000000", "app_id": "app-1"},
        "accept_time": "2026-11-26T10:00:00Z",
        "processing_mode": "CONVERSATION",
        "contact_event": {"comment_event": {
            "id": "cmt-1",
            "text": "Love it!",
            "comment_type": "LIVE",
            "commented_on": "https://www.instagram.com/p/abc/",
            "user": "ada"
        }}
    });
    let event = api
        .expect(GET, "/events/evt-1")
        .reply(body.clone())
        .run(api.client.get_event().event_id("evt-1").send())
        .await
        .expect("get succeeds");

    assert_eq!(event.id.as_deref(), Some("evt-1"));
    assert_eq!(
        event.channel_identity.as_ref().unwrap().channel,
        types::ConversationChannel::Instagram
    );
    assert_eq!(
        event.processing_mode,
        Some(types::ProcessingMode::Conversation)
    );
    assert_eq!(event.accept_time, Some(ts("2026-11-26T10:00:00Z")));
    let types::ContactEvent::CommentEvent(comment) = contact_event(&body) else {
        panic!("expected a comment event");
    };
    assert_eq!(comment.id.as_deref(), Some("cmt-1"));
    assert_eq!(comment.text.as_deref(), Some("Love it!"));
    assert_eq!(
        comment.comment_type,
        Some(types::CommentEventCommentType::Live)
    );
    assert_eq!(
        comment.commented_on.as_deref(),
        Some("https://www.instagram.com/p/abc/")
    );
    assert_eq!(comment.user.as_deref(), Some("ada"));
    assert_eq!(event.app_event, None);
}

#[tokio::test]
async fn get_event_keeps_unknown_enum_values() {
    let api = Api::start().await;
    let body = json!({
        "id": "evt two",
        "direction": "TO_SOMEWHERE_NEW",
        "channel_identity": {"channel": "NEW_CHANNEL", "identity": "x"},
        "processing_mode": "HYBRID",
        "contact_event": {"comment_event": {"comment_type": "REEL"}},
        "contact_message_event": {"reaction_event": {
            "emoji": "\u{2764}",
            "action": "REACTION_ACTION_SUPER",
            "message_id": "msg-1"
        }}
    });
    let event = api
        .expect(GET, "/events/evt%20two")
        .reply(body.clone())
        .run(api.client.get_event().event_id("evt two").send())
        .await
        .expect("unknown enum values do not fail the response");

    assert_eq!(event.id.as_deref(), Some("evt two"));
    assert_eq!(
        event.direction,
        Some(types::ConversationDirection::Other(
            "TO_SOMEWHERE_NEW".into()
        ))
    );
    assert_eq!(
        event.channel_identity.as_ref().unwrap().channel,
        types::ConversationChannel::Other("NEW_CHANNEL".into())
    );
    assert_eq!(
        event.processing_mode,
        Some(types::ProcessingMode::Other("HYBRID".into()))
    );
    let types::ContactEvent::CommentEvent(comment) = contact_event(&body) else {
        panic!("expected a comment event");
    };
    assert_eq!(
        comment.comment_type,
        Some(types::CommentEventCommentType::Other("REEL".into()))
    );
    let types::ContactMessageEvent::ReactionEvent(reaction) = contact_message_event(&body) else {
        panic!("expected a reaction event");
    };
    let action = reaction.action.as_ref().unwrap();
    assert!(action.is_other());
    assert_eq!(action.as_str(), "REACTION_ACTION_SUPER");
}

#[tokio::test]
async fn get_event_parses_app_agent_and_generic_events() {
    let api = Api::start().await;
    let event = api
        .expect(GET, "/events/evt-5")
        .reply(json!({
            "id": "evt-5",
            "direction": "TO_CONTACT",
            "channel_identity": {"channel": "RCS", "identity": "+46700000001"},
            "processing_mode": "CONVERSATION",
            "app_event": {"agent_left_event": {"agent": {
                "display_name": "Support bot",
                "type": "BOT"
            }}},
            // Not in the official ConversationEvent: ignored, and no failure.
            "contact_event": {
                "generic_event": {"payload": {"custom": true}},
                "conversation_deleted_event": {},
                "composing_end_event": {}
            }
        }))
        .run(api.client.get_event().event_id("evt-5").send())
        .await
        .unwrap();

    let Some(types::AppEvent::AgentLeftEvent(left)) = &event.app_event else {
        panic!("expected an agent left event: {:?}", event.app_event);
    };
    assert_eq!(left.agent.display_name.as_deref(), Some("Support bot"));
    assert_eq!(left.agent.type_, Some(types::AgentType::Bot));
    assert_eq!(left.agent.picture_url, None);

    // A contact event is one of several kinds (the official `ContactEvent`), each on its own.
    let generic =
        contact_event(&json!({"contact_event": {"generic_event": {"payload": {"custom": true}}}}));
    let types::ContactEvent::GenericEvent(generic) = generic else {
        panic!("expected a generic event");
    };
    assert_eq!(generic.payload["custom"], json!(true));
    assert!(matches!(
        contact_event(&json!({"contact_event": {"conversation_deleted_event": {}}})),
        types::ContactEvent::ConversationDeletedEvent(_)
    ));
    assert!(matches!(
        contact_event(&json!({"contact_event": {"composing_end_event": {}}})),
        types::ContactEvent::ComposingEndEvent(_)
    ));
    // Several kinds at once name no kind: kept as the raw JSON, nothing lost.
    let several = json!({
        "generic_event": {"payload": {"custom": true}},
        "conversation_deleted_event": {},
        "composing_end_event": {}
    });
    assert_eq!(
        contact_event(&json!({"contact_event": several.clone()})),
        types::ContactEvent::Unknown(several.as_object().cloned().unwrap())
    );
}

#[tokio::test]
async fn delete_events_sends_a_delete_to_the_event() {
    let api = Api::start().await;
    let response = api
        .expect(DELETE, "/events/evt-1")
        .reply(json!({}))
        .run(api.client.delete_events().event_id("evt-1").send())
        .await
        .expect("delete succeeds");

    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn send_event_posts_a_composing_event() {
    let api = Api::start().await;
    // The official `SendEventRequest` has no `project_id`: the path carries it.
    let request = types::SendEventRequest::builder()
        .app_id("app-1")
        .recipient(types::Recipient::contact("c1"))
        .event(types::AppEvent::composing())
        .queue(Some(types::MessageQueue::HighPriority));
    let response = api
        .expect(POST, "/events:send")
        .json_body(json!({
            "app_id": "app-1",
            "recipient": {"contact_id": "c1"},
            "event": {"composing_event": {}},
            "queue": "HIGH_PRIORITY"
        }))
        .reply(json!({"event_id": "ev-1", "accepted_time": "2026-11-26T10:00:00Z"}))
        .run(
            api.client
                .send_event()
                .body(types::SendEventRequest::try_from(request).unwrap())
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(response.event_id.as_deref(), Some("ev-1"));
}

/// Against the emulator: events with their delivery reports, capability queries and
/// transcoding with their callbacks, and events listed, fetched and deleted.
mod emulator {
    use serde_json::json;
    use sinch_conversation::{
        types::{self, AppMessage, ConversationChannel, Recipient},
        webhooks::{self, Event},
    };
    use sinch_conversation_emulator::Operation;

    use crate::emulator_support::{
        CallbackSink, api_error, assert_400, client, create_app, create_webhook, emulator, text_of,
    };

    #[tokio::test]
    async fn events_capability_and_transcoding() {
        let emulator = emulator().await;
        let client = client(&emulator);
        let app_id = create_app(&client, "misc").await;
        let mut sink = CallbackSink::start().await;
        create_webhook(
            &client,
            &app_id,
            &sink.url,
            &["EVENT_DELIVERY", "CAPABILITY"],
            None,
        )
        .await;
        let recipient = Recipient::channel(ConversationChannel::Sms, "+46700000007");

        let sent = client
            .event(&app_id, recipient.clone(), types::AppEvent::composing())
            .send()
            .await
            .unwrap();
        let event_id = sent.event_id.unwrap();
        let reports = sink
            .until(|r| r.json()["event_delivery_report"]["status"] == "DELIVERED")
            .await;
        assert_eq!(reports.len(), 2);
        let Event::EventDelivery(report) = webhooks::parse(&reports[1].body).unwrap() else {
            panic!("expected an event delivery report");
        };
        assert_eq!(report.payload.event_id.as_deref(), Some(event_id.as_str()));

        let query = types::QueryCapability {
            app_id: app_id.clone(),
            recipient: recipient.clone(),
            request_id: None,
        };
        let response = client.query_capability().body(query).send().await.unwrap();
        let request_id = response.request_id.clone().unwrap();
        let Event::Capability(capability) = webhooks::parse(&sink.next().await.body).unwrap()
        else {
            panic!("expected a capability notification");
        };
        assert_eq!(
            capability.payload.request_id.as_deref(),
            Some(request_id.as_str())
        );

        use ConversationChannel::{Messenger, Mms, Rcs, Sms, Viberbm, Whatsapp};
        let transcode = types::TranscodeMessageRequest {
            app_id: app_id.clone(),
            app_message: AppMessage::text("Hello"),
            channels: vec![Sms, Whatsapp, Messenger, Rcs, Viberbm, Mms],
            from: Some("Sinch".into()),
            to: Some("+46700000007".into()),
        };
        let transcoded = client
            .transcode_message()
            .body(transcode)
            .send()
            .await
            .unwrap();
        assert_eq!(transcoded.transcoded_message.len(), 6);
        let whatsapp: serde_json::Value =
            serde_json::from_str(&transcoded.transcoded_message["WHATSAPP"]).unwrap();
        assert_eq!(whatsapp["text"]["body"], "Hello");
        let sms: serde_json::Value =
            serde_json::from_str(&transcoded.transcoded_message["SMS"]).unwrap();
        assert_eq!(
            sms,
            json!({"from": "Sinch", "to": ["+46700000007"], "body": "Hello"})
        );

        let no_channels = types::TranscodeMessageRequest {
            app_id: app_id.clone(),
            app_message: AppMessage::text("Hello"),
            channels: vec![],
            from: None,
            to: None,
        };
        let result = client.transcode_message().body(no_channels).send().await;
        assert_400(result, "channels").await;
        let result = client
            .send_event()
            .body_map(|body| {
                body.app_id(&app_id)
                    .recipient(Recipient::contact("x"))
                    .event(types::AppEvent::Unknown(serde_json::Map::new()))
            })
            .send()
            .await;
        assert_400(result, "event").await;

        // Every operation of the client's table has its own counter, and the token endpoint too.
        let stats = emulator.stats();
        assert_eq!(stats.operations.len(), Operation::ALL.len());
        assert_eq!(stats.operation(Operation::TranscodeMessage).succeeded, 1);
        assert_eq!(stats.operation(Operation::TranscodeMessage).failed, 1);
        assert_eq!(stats.operation(Operation::Token).succeeded, 1);
    }

    #[tokio::test]
    async fn events_recent_conversations_and_last_messages() {
        let emulator = emulator().await;
        let client = client(&emulator);
        let app_id = create_app(&client, "recent").await;
        for (number, text) in [("+46700000030", "first"), ("+46700000031", "second")] {
            client
                .send_text(
                    &app_id,
                    Recipient::channel(ConversationChannel::Sms, number),
                    text,
                )
                .send()
                .await
                .unwrap();
        }
        let sent = client
            .send_text(
                &app_id,
                Recipient::channel(ConversationChannel::Sms, "+46700000030"),
                "third",
            )
            .send()
            .await
            .unwrap();

        let recent = client
            .list_recent_conversations()
            .app_id(&app_id)
            .page_size(10)
            .send()
            .await
            .unwrap();
        let last_texts: Vec<String> = recent
            .conversations
            .iter()
            .filter_map(|c| text_of(c.last_message.as_ref()?).map(str::to_owned))
            .collect();
        assert_eq!(last_texts, ["third", "second"], "most recent first");

        let last = client
            .list_messages_by_channel_identity()
            .body_map(|body| {
                body.app_id(Some(app_id.clone()))
                    .channel_identities(vec!["+46700000030".to_owned(), "+46700000031".to_owned()])
                    .messages_source(Some(types::MessageSource::ConversationSource))
            })
            .send()
            .await
            .unwrap();
        assert_eq!(last.messages.len(), 2);
        assert_eq!(last.messages[0].id, sent.message_id);

        let updated = client
            .update_message_metadata()
            .message_id(sent.message_id.clone().unwrap())
            .body(types::UpdateMessageMetadataRequest {
                metadata: "tagged".into(),
            })
            .send()
            .await
            .unwrap();
        assert_eq!(updated.metadata.as_deref(), Some("tagged"));

        // Events: sent, injected, listed, fetched, deleted.
        let conversation_id = recent.conversations[0]
            .conversation
            .as_ref()
            .and_then(|c| c.id.clone())
            .unwrap();
        let sent_event = client
            .event(
                &app_id,
                Recipient::channel(ConversationChannel::Sms, "+46700000030"),
                types::AppEvent::composing(),
            )
            .send()
            .await
            .unwrap();
        let injected = client
            .inject_event()
            .conversation_id(&conversation_id)
            .body_map(|body| {
                body.accept_time(
                    "2024-01-01T00:00:00Z"
                        .parse::<chrono::DateTime<chrono::Utc>>()
                        .unwrap(),
                )
                .app_event(Some(types::AppEvent::composing()))
            })
            .send()
            .await
            .unwrap();
        let events = client
            .list_events()
            .conversation_id(&conversation_id)
            .send()
            .await
            .unwrap();
        let ids: Vec<_> = events.events.iter().filter_map(|e| e.id.clone()).collect();
        assert_eq!(
            ids,
            [
                injected.event_id.clone().unwrap(),
                sent_event.event_id.clone().unwrap()
            ]
        );
        let got = client
            .get_event()
            .event_id(sent_event.event_id.clone().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(
            got.conversation_id.as_deref(),
            Some(conversation_id.as_str())
        );
        client
            .delete_events()
            .event_id(sent_event.event_id.clone().unwrap())
            .send()
            .await
            .unwrap();
        let gone = client
            .get_event()
            .event_id(sent_event.event_id.unwrap())
            .send()
            .await;
        assert_eq!(api_error(gone).await.status().as_u16(), 404);
    }
}
