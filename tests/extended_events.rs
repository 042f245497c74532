//! Events operations of the official document: list, get and delete events.
//!
//! The official `ConversationEvent` carries an app event only: its `ContactEventField` and
//! `ContactMessageEventField` schemas are referenced by no operation, so the response models drop
//! `contact_event` and `contact_message_event`. The tests still send the API's full events and
//! check those parts against the official types (`types::ContactEventField`,
//! `types::ContactMessageEventField`) on the same JSON.

mod common;

use chrono::{DateTime, Utc};
use common::{Api, raw_path, raw_query};
use httpmock::Method::{DELETE, GET};
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
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/events"))
                .is_true(raw_query(Some(
                    "contact_id=contact-1&conversation_id=conv-1&page_size=20&page_token=tok-1",
                )));
            then.status(200).json_body(json!({
                "events": events.clone(),
                "next_page_token": "tok-2"
            }));
        })
        .await;

    let page = api
        .client
        .list_events()
        .conversation_id("conv-1")
        .contact_id("contact-1")
        .page_size(20)
        .page_token("tok-1")
        .send()
        .await
        .expect("list succeeds");

    mock.assert_async().await;
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
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/events"))
                .is_true(raw_query(Some("contact_id=contact-1")));
            then.status(200)
                .json_body(json!({"events": [], "next_page_token": ""}));
        })
        .await;

    let page = api
        .client
        .list_events()
        .contact_id("contact-1")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
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
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/events/evt-1"))
                .is_true(raw_query(None));
            then.status(200).json_body(body.clone());
        })
        .await;

    let event = api
        .client
        .get_event()
        .event_id("evt-1")
        .send()
        .await
        .expect("get succeeds");

    mock.assert_async().await;
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
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/events/evt%20two"))
                .is_true(raw_path(api.path("/events/evt%20two")));
            then.status(200).json_body(body.clone());
        })
        .await;

    let event = api
        .client
        .get_event()
        .event_id("evt two")
        .send()
        .await
        .expect("unknown enum values do not fail the response");

    mock.assert_async().await;
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
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET).path(api.path("/events/evt-5"));
            then.status(200).json_body(json!({
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
            }));
        })
        .await;

    let event = api
        .client
        .get_event()
        .event_id("evt-5")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
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
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(api.path("/events/evt-1"))
                .is_true(raw_query(None));
            then.status(200).json_body(json!({}));
        })
        .await;

    let response = api
        .client
        .delete_events()
        .event_id("evt-1")
        .send()
        .await
        .expect("delete succeeds");

    mock.assert_async().await;
    assert_eq!(response.status(), 200);
}
