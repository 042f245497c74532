//! The exact JSON each message and event helper sends.

use httpmock::{Method::POST, MockServer};
use serde_json::{Value, json};
use sinch_conversation::{
    Client,
    error::Error,
    types::{
        AppEvent, AppMessage, CardHeight, CardMessage, Choice, ConversationChannel, MessageQueue,
        Recipient,
    },
};

async fn sends(message: AppMessage, expected: Value) {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/projects/p1/messages:send")
                .json_body(json!({
                    "app_id": "app-1",
                    "project_id": "p1",
                    "recipient": {"contact_id": "c1"},
                    "message": expected
                }));
            then.status(200).json_body(json!({"message_id": "m1"}));
        })
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .project_id("p1")
        .basic_auth("k", "s")
        .build()
        .unwrap();
    let response = client
        .message("app-1", Recipient::contact("c1"), message)
        .send()
        .await
        .unwrap();
    assert_eq!(response.message_id.as_deref(), Some("m1"));
    mock.assert_async().await;
}

#[tokio::test]
async fn text() {
    sends(
        AppMessage::text("Hi"),
        json!({"text_message": {"text": "Hi"}}),
    )
    .await;
}

#[tokio::test]
async fn media() {
    sends(
        AppMessage::media("https://x.test/a.jpg"),
        json!({"media_message": {"url": "https://x.test/a.jpg"}}),
    )
    .await;
}

#[tokio::test]
async fn choice() {
    sends(
        AppMessage::choice(
            "Pick one",
            [
                Choice::reply("Yes", "yes"),
                Choice::url("Docs", "https://x.test"),
                Choice::call("Call us", "+4670"),
                Choice::location(59.3, 18.0, "Office"),
            ],
        ),
        json!({"choice_message": {
            "text_message": {"text": "Pick one"},
            "choices": [
                {"text_message": {"text": "Yes"}, "postback_data": "yes"},
                {"url_message": {"title": "Docs", "url": "https://x.test"}},
                {"call_message": {"title": "Call us", "phone_number": "+4670"}},
                {"location_message": {"coordinates": {"latitude": 59.3, "longitude": 18.0}, "title": "Office"}}
            ]
        }}),
    )
    .await;
}

#[tokio::test]
async fn card() {
    sends(
        AppMessage::card(
            CardMessage::new("Title", "Text")
                .with_media("https://x.test/i.png")
                .with_height(CardHeight::Tall)
                .with_choices([Choice::reply("Buy", "buy")]),
        ),
        json!({"card_message": {
            "title": "Title",
            "description": "Text",
            "media_message": {"url": "https://x.test/i.png"},
            "height": "TALL",
            "choices": [{"text_message": {"text": "Buy"}, "postback_data": "buy"}]
        }}),
    )
    .await;
}

#[tokio::test]
async fn carousel() {
    sends(
        AppMessage::carousel([CardMessage::new("A", "a"), CardMessage::new("B", "b")]),
        json!({"carousel_message": {"cards": [{"title": "A", "description": "a"}, {"title": "B", "description": "b"}]}}),
    )
    .await;
}

#[tokio::test]
async fn location() {
    sends(
        AppMessage::location(59.5, 18.25, "Here"),
        json!({"location_message": {"coordinates": {"latitude": 59.5, "longitude": 18.25}, "title": "Here"}}),
    )
    .await;
}

#[tokio::test]
async fn template() {
    sends(
        AppMessage::template("tpl-1", "3", [("name".to_string(), "Ada".to_string())]),
        json!({"template_message": {"omni_template": {"template_id": "tpl-1", "version": "3", "parameters": {"name": "Ada"}}}}),
    )
    .await;
}

#[tokio::test]
async fn explicit_channel_message() {
    sends(
        AppMessage::explicit_channel([(
            ConversationChannel::Whatsapp,
            "{\"type\":\"text\"}".to_string(),
        )]),
        json!({"explicit_channel_message": {"WHATSAPP": "{\"type\":\"text\"}"}}),
    )
    .await;
}

#[tokio::test]
async fn send_text_to_a_channel_identity_with_every_option() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/projects/p1/messages:send").json_body(json!({
                "app_id": "app-1",
                "project_id": "p1",
                "recipient": {"identified_by": {"channel_identities": [{"channel": "SMS", "identity": "+46700000001"}]}},
                "message": {"text_message": {"text": "Hi"}},
                "channel_priority_order": ["WHATSAPP", "SMS"],
                "message_metadata": "order-1",
                "ttl": "90s",
                "callback_url": "https://cb.test/x",
                "queue": "HIGH_PRIORITY",
                "channel_properties": {"WHATSAPP_HEADER": "Hello"}
            }));
            then.status(200).json_body(json!({"message_id": "m9"}));
        })
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .project_id("p1")
        .basic_auth("k", "s")
        .build()
        .unwrap();

    let sent = client
        .send_text(
            "app-1",
            Recipient::channel(ConversationChannel::Sms, "+46700000001"),
            "Hi",
        )
        .channel_priority([ConversationChannel::Whatsapp, ConversationChannel::Sms])
        .metadata("order-1")
        .ttl(std::time::Duration::from_secs(90))
        .callback_url("https://cb.test/x")
        .queue(MessageQueue::HighPriority)
        .channel_property("WHATSAPP_HEADER", "Hello")
        .send()
        .await
        .unwrap();

    assert_eq!(sent.message_id.as_deref(), Some("m9"));
    mock.assert_async().await;
}

#[tokio::test]
async fn composing_and_comment_reply_events() {
    let server = MockServer::start_async().await;
    let composing = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/projects/p1/events:send").json_body(json!({
                "app_id": "app-1",
                "project_id": "p1",
                "recipient": {"identified_by": {"channel_identities": [
                    {"channel": "MESSENGER", "identity": "psid-1"}, {"channel": "SMS", "identity": "+4670"}
                ]}},
                "event": {"composing_event": {}}
            }));
            then.status(200).json_body(json!({"event_id": "e1"}));
        })
        .await;
    let reply = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/projects/p1/events:send")
                .json_body(json!({
                    "app_id": "app-1",
                    "project_id": "p1",
                    "recipient": {"contact_id": "c1"},
                    "event": {"comment_reply_event": {"text": "Thanks!"}},
                    "event_metadata": "meta"
                }));
            then.status(200).json_body(json!({"event_id": "e2"}));
        })
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .project_id("p1")
        .basic_auth("k", "s")
        .build()
        .unwrap();

    let recipient = Recipient::channels([
        (ConversationChannel::Messenger, "psid-1".to_string()),
        (ConversationChannel::Sms, "+4670".to_string()),
    ]);
    let first = client
        .event("app-1", recipient, AppEvent::composing())
        .send()
        .await
        .unwrap();
    let second = client
        .event(
            "app-1",
            Recipient::contact("c1"),
            AppEvent::comment_reply("Thanks!"),
        )
        .metadata("meta")
        .send()
        .await
        .unwrap();

    assert_eq!(first.event_id.as_deref(), Some("e1"));
    assert_eq!(second.event_id.as_deref(), Some("e2"));
    composing.assert_async().await;
    reply.assert_async().await;
}

#[tokio::test]
async fn helpers_need_a_project_id_and_say_so() {
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .basic_auth("k", "s")
        .build()
        .unwrap();
    let error = client
        .send_text("app", Recipient::contact("c"), "x")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidRequest(m) if m.contains("project id")),
        "{error}"
    );
}
