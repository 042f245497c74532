//! Events operations added by `spec/overlays/events.json`: list, get and delete events.

mod common;

use chrono::{DateTime, Utc};
use common::{Api, PROJECT, raw_path, raw_query};
use httpmock::Method::{DELETE, GET};
use serde_json::json;
use sinch_conversation::types;

fn ts(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 timestamp")
}

#[tokio::test]
async fn list_events_sends_every_parameter_and_parses_each_event_kind() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/events"))
                .is_true(raw_query(Some(
                    "contact_id=contact-1&conversation_id=conv-1&page_size=20&page_token=tok-1",
                )));
            then.status(200).json_body(json!({
                "events": [
                    {
                        "id": "evt-1",
                        "direction": "TO_CONTACT",
                        "conversation_id": "conv-1",
                        "contact_id": "contact-1",
                        "channel_identity": {"channel": "WHATSAPP", "identity": "+46700000001", "app_id": "app-1"},
                        "accept_time": "2026-11-26T10:00:00Z",
                        "processing_mode": "CONVERSATION",
                        "app_event": {"composing_event": {}}
                    },
                    {
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
                    },
                    {
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
                    },
                    {
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
                    }
                ],
                "next_page_token": "tok-2"
            }));
        })
        .await;

    let page = api
        .client
        .list_events()
        .project_id(PROJECT)
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
    assert!(
        composing
            .app_event
            .as_ref()
            .unwrap()
            .composing_event
            .is_some()
    );

    let reaction = page.events[1]
        .contact_message_event
        .as_ref()
        .unwrap()
        .reaction_event
        .as_ref()
        .unwrap();
    assert_eq!(reaction.emoji.as_deref(), Some("\u{1F44D}"));
    assert_eq!(
        reaction.action,
        Some(types::ReactionAction::ReactionActionReact)
    );
    assert_eq!(reaction.message_id.as_deref(), Some("msg-1"));

    let payment = &page.events[2];
    assert_eq!(
        payment.processing_mode,
        Some(types::ProcessingMode::Dispatch)
    );
    assert_eq!(payment.conversation_id, None);
    let payment = payment
        .contact_message_event
        .as_ref()
        .unwrap()
        .payment_status_update_event
        .as_ref()
        .unwrap();
    assert_eq!(
        payment.payment_status,
        Some(types::PaymentStatus::PaymentStatusCaptured)
    );
    assert_eq!(
        payment.payment_transaction_status,
        Some(types::PaymentTransactionStatus::PaymentStatusTransactionSuccess)
    );

    let shortlink = page.events[3]
        .contact_message_event
        .as_ref()
        .unwrap()
        .shortlink_activated_event
        .as_ref()
        .unwrap();
    assert_eq!(shortlink.ref_.as_deref(), Some("winter"));
    assert_eq!(shortlink.type_.as_deref(), Some("OPEN_THREAD"));
    assert_eq!(shortlink.existing_thread, Some(true));
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
        .project_id(PROJECT)
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
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/events/evt-1"))
                .is_true(raw_query(None));
            then.status(200).json_body(json!({
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
            }));
        })
        .await;

    let event = api
        .client
        .get_event()
        .project_id(PROJECT)
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
    let comment = event
        .contact_event
        .as_ref()
        .unwrap()
        .comment_event
        .as_ref()
        .unwrap();
    assert_eq!(comment.text.as_deref(), Some("Love it!"));
    assert_eq!(comment.comment_type, Some(types::CommentEventType::Live));
    assert_eq!(comment.user.as_deref(), Some("ada"));
    assert_eq!(event.app_event, None);
}

#[tokio::test]
async fn get_event_keeps_unknown_enum_values() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/events/evt%20two"))
                .is_true(raw_path(api.path("/events/evt%20two")));
            then.status(200).json_body(json!({
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
            }));
        })
        .await;

    let event = api
        .client
        .get_event()
        .project_id(PROJECT)
        .event_id("evt two")
        .send()
        .await
        .expect("unknown enum values do not fail the response");

    mock.assert_async().await;
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
    let comment = event.contact_event.as_ref().unwrap().comment_event.as_ref();
    assert_eq!(
        comment.unwrap().comment_type,
        Some(types::CommentEventType::Other("REEL".into()))
    );
    let reaction = event
        .contact_message_event
        .as_ref()
        .unwrap()
        .reaction_event
        .as_ref();
    let action = reaction.unwrap().action.as_ref().unwrap();
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
        .project_id(PROJECT)
        .event_id("evt-5")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    let agent = &event
        .app_event
        .as_ref()
        .unwrap()
        .agent_left_event
        .as_ref()
        .unwrap()
        .agent;
    assert_eq!(agent.display_name, "Support bot");
    assert_eq!(agent.type_, types::AgentType::Bot);
    assert_eq!(agent.picture_url, None);
    let contact_event = event.contact_event.as_ref().unwrap();
    assert_eq!(
        contact_event.generic_event.as_ref().unwrap().payload["custom"],
        json!(true)
    );
    assert!(contact_event.conversation_deleted_event.is_some());
    assert!(contact_event.composing_end_event.is_some());
}

#[tokio::test]
async fn delete_event_sends_a_delete_to_the_event() {
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
        .delete_event()
        .project_id(PROJECT)
        .event_id("evt-1")
        .send()
        .await
        .expect("delete succeeds");

    mock.assert_async().await;
    assert_eq!(response.status(), 200);
}
