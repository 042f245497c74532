//! Messages area: send, get, update metadata, delete, list (every filter), list the last
//! messages by channel identity, and transcode; on httpmock, then against the emulator
//! (including Dispatch Mode).

mod common;
mod emulator_support;

use chrono::{DateTime, Utc};
use common::Api;
use httpmock::Method::{DELETE, GET, PATCH, POST};
use serde_json::json;
use sinch_conversation::{
    Error,
    types::{self, ConversationChannel, Recipient},
};

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
async fn send_message_posts_the_exact_body_and_parses_the_response() {
    let api = Api::start().await;
    let request = types::SendMessageRequest::builder()
        .app_id("app-1")
        .recipient(Recipient::channel(ConversationChannel::Sms, "+46700000001"))
        .message(types::AppMessage::text("Hi"))
        .channel_priority_order(vec![
            ConversationChannel::Whatsapp,
            ConversationChannel::Sms,
        ])
        .ttl(Some("30s".to_owned()))
        .callback_url(Some("https://example.com/cb".to_owned()))
        .message_metadata(Some("order-7".to_owned()));
    let response = api
        .expect(POST, "/messages:send")
        .json_body(json!({
            "app_id": "app-1",
            "recipient": {"identified_by": {"channel_identities": [{"channel": "SMS", "identity": "+46700000001"}]}},
            "message": {"text_message": {"text": "Hi"}},
            "channel_priority_order": ["WHATSAPP", "SMS"],
            "ttl": "30s",
            "callback_url": "https://example.com/cb",
            "message_metadata": "order-7"
        }))
        .reply(json!({"message_id": "msg-1", "accepted_time": "2026-11-26T10:00:00Z"}))
        .run(
            api.client
                .send_message()
                .body(types::SendMessageRequest::try_from(request).unwrap())
                .send(),
        )
        .await
        .expect("send succeeds");

    assert_eq!(response.status(), 200);
    assert_eq!(response.message_id.as_deref(), Some("msg-1"));
    assert_eq!(response.accepted_time.unwrap().timestamp(), 1_795_687_200);
}

#[tokio::test]
async fn send_message_to_a_contact_id_sends_only_the_contact_id() {
    let api = Api::start().await;
    let response = api
        .expect(POST, "/messages:send")
        .json_body(json!({
            "app_id": "app-1",
            "recipient": {"contact_id": "contact-9"},
            "message": {"text_message": {"text": "Hello"}}
        }))
        .reply(json!({"message_id": "msg-2"}))
        .run(
            api.client
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
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(response.message_id.as_deref(), Some("msg-2"));
}

#[tokio::test]
async fn get_message_parses_a_full_conversation_message() {
    let api = Api::start().await;
    let message = api
        .expect(GET, "/messages/msg-1")
        .reply(json!({
            "id": "msg-1",
            "direction": "TO_CONTACT",
            "app_message": {"text_message": {"text": "Hi"}},
            "channel_identity": {"channel": "SMS", "identity": "+46700000001", "app_id": "app-1"},
            "conversation_id": "conv-1",
            "contact_id": "contact-1",
            "metadata": "m",
            "accept_time": "2026-11-26T10:00:00Z"
        }))
        .run(api.client.get_message().message_id("msg-1").send())
        .await
        .unwrap();

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
async fn get_message_sends_the_messages_source() {
    let api = Api::start().await;
    let message = api
        .expect(GET, "/messages/msg-1")
        .query("messages_source=DISPATCH_SOURCE")
        .reply(dispatch_message_json("msg-1"))
        .run(
            api.client
                .get_message()
                .message_id("msg-1")
                .messages_source(types::MessageSource::DispatchSource)
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(message.common.id.as_deref(), Some("msg-1"));
    assert_eq!(
        message.common.processing_mode,
        Some(types::ProcessingMode::Dispatch)
    );
    assert_eq!(message.common.sender_id.as_deref(), Some("SinchShop"));
}

#[tokio::test]
async fn update_message_metadata_patches_the_metadata_of_a_dispatch_message() {
    let api = Api::start().await;
    let message = api
        .expect(PATCH, "/messages/msg-1")
        .query("messages_source=DISPATCH_SOURCE")
        .json_body(json!({"metadata": "order-42"}))
        .reply(dispatch_message_json("msg-1"))
        .run(
            api.client
                .update_message_metadata()
                .message_id("msg-1")
                .messages_source(types::MessageSource::DispatchSource)
                .body(types::UpdateMessageMetadataRequest {
                    metadata: "order-42".into(),
                })
                .send(),
        )
        .await
        .expect("update succeeds");

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
    let message = api
        .expect(PATCH, "/messages/msg%2F2")
        .json_body(json!({"metadata": ""}))
        .reply(json!({"id": "msg/2", "metadata": ""}))
        .run(
            api.client
                .update_message_metadata()
                .message_id("msg/2")
                .body_map(|body| body.metadata(String::new()))
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(message.common.id.as_deref(), Some("msg/2"));
    assert_eq!(message.common.metadata.as_deref(), Some(""));
}

#[tokio::test]
async fn update_message_metadata_error_keeps_the_sinch_error_body() {
    let api = Api::start().await;
    let error = api
        .expect(PATCH, "/messages/msg-1")
        .query("messages_source=CONVERSATION_SOURCE")
        .json_body(json!({"metadata": "x"}))
        .reply_status(
            400,
            json!({"error": {
                "code": 400,
                "message": "Message metadata can only be updated in Dispatch Mode",
                "status": "INVALID_ARGUMENT",
                "details": []
            }}),
        )
        .run(
            api.client
                .update_message_metadata()
                .message_id("msg-1")
                .messages_source(types::MessageSource::ConversationSource)
                .body(types::UpdateMessageMetadataRequest {
                    metadata: "x".into(),
                })
                .send(),
        )
        .await
        .unwrap_err();

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
async fn delete_message_accepts_an_empty_body() {
    let api = Api::start().await;
    let response = api
        .expect(DELETE, "/messages/msg-1")
        .run(api.client.delete_message().message_id("msg-1").send())
        .await;

    assert_eq!(response.expect("an empty 200 is a success").status(), 200);
}

#[tokio::test]
async fn delete_message_accepts_an_empty_json_object() {
    let api = Api::start().await;
    api.expect(DELETE, "/messages/msg-1")
        .reply(json!({}))
        .run(api.client.delete_message().message_id("msg-1").send())
        .await
        .unwrap();
}

#[tokio::test]
async fn delete_message_sends_the_messages_source() {
    let api = Api::start().await;
    let response = api
        .expect(DELETE, "/messages/msg-1")
        .query("messages_source=CONVERSATION_SOURCE")
        .reply(json!({}))
        .run(
            api.client
                .delete_message()
                .message_id("msg-1")
                .messages_source(types::MessageSource::ConversationSource)
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn list_messages_sends_every_filter_and_parses_the_page() {
    let api = Api::start().await;
    let page = api
        .expect(GET, "/messages")
        .query("contact_id=contact-1&conversation_id=conv-1&page_size=2&page_token=tok-1&view=WITHOUT_METADATA")
        .reply(json!({
            "messages": [
                {"id": "m1", "direction": "TO_APP", "contact_message": {"text_message": {"text": "yo"}}},
                {"id": "m2", "direction": "TO_CONTACT"}
            ],
            "next_page_token": "tok-2"
        }))
        .run(
            api.client
                .list_messages()
                .conversation_id("conv-1")
                .contact_id("contact-1")
                .page_size(2)
                .page_token("tok-1")
                .view(types::ConversationMessagesView::WithoutMetadata)
                .send(),
        )
        .await
        .unwrap();

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
    let page = api
        .expect(GET, "/messages")
        .reply(json!({"messages": []}))
        .run(api.client.list_messages().send())
        .await
        .unwrap();

    assert!(page.messages.is_empty());
    assert_eq!(page.next_page_token, None);
}

#[tokio::test]
async fn list_messages_sends_the_newer_filters() {
    let api = Api::start().await;
    let page = api
        .expect(GET, "/messages")
        .query(
            "app_id=app-1&channel=WHATSAPP&channel_identity=%2B46700000001&direction=TO_APP\
             &end_time=2026-11-30T23%3A59%3A59Z&messages_source=DISPATCH_SOURCE\
             &only_recipient_originated=true&start_time=2026-11-01T00%3A00%3A00Z",
        )
        .reply(json!({
            "messages": [{
                "id": "m1",
                "direction": "TO_APP",
                "contact_message": {"text_message": {"text": "Stop"}},
                "channel_identity": {"channel": "WHATSAPP", "identity": "+46700000001", "app_id": "app-1"},
                "accept_time": "2026-11-20T08:30:00Z",
                "processing_mode": "DISPATCH"
            }],
            "next_page_token": ""
        }))
        .run(
            api.client
                .list_messages()
                .app_id("app-1")
                .channel_identity("+46700000001")
                .start_time(ts("2026-11-01T00:00:00Z"))
                .end_time(ts("2026-11-30T23:59:59Z"))
                .channel(types::ConversationChannel::Whatsapp)
                .messages_source(types::MessageSource::DispatchSource)
                .only_recipient_originated(true)
                .direction(types::ConversationDirection::ToApp)
                .send(),
        )
        .await
        .unwrap();

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
    let page = api
        .expect(GET, "/messages")
        .query(
            "channel=INSTAGRAM&contact_id=contact-1&messages_source=CONVERSATION_SOURCE\
             &only_recipient_originated=false&page_size=20&start_time=2026-11-01T12%3A30%3A00.250Z",
        )
        .reply(json!({"messages": []}))
        .run(
            api.client
                .list_messages()
                .contact_id("contact-1")
                .channel(types::ConversationChannel::Instagram)
                .messages_source(types::MessageSource::ConversationSource)
                .only_recipient_originated(false)
                .start_time(ts("2026-11-01T12:30:00.250Z"))
                .page_size(20)
                .send(),
        )
        .await
        .unwrap();

    assert!(page.messages.is_empty());
}

#[tokio::test]
async fn list_messages_by_channel_identity_posts_every_filter_to_the_colon_path() {
    let api = Api::start().await;
    let page = api
        .expect(POST, "/messages:fetch-last-message")
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
        }))
        .reply(json!({
            "messages": [dispatch_message_json("m1"), dispatch_message_json("m2")],
            "next_page_token": "tok-2"
        }))
        .run(
            api.client
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
                .send(),
        )
        .await
        .unwrap();

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
    let page = api
        .expect(POST, "/messages:fetch-last-message")
        // The official document gives `page_size` a default (10), which the model always sends.
        .json_body(json!({
            "contact_ids": ["contact-1"],
            "messages_source": "CONVERSATION_SOURCE",
            "page_size": 10
        }))
        .reply(json!({
            "messages": [{
                "id": "m9",
                "direction": "TO_APP",
                "contact_message": {"text_message": {"text": "Thanks!"}},
                "contact_id": "contact-1",
                "conversation_id": "conv-1",
                "processing_mode": "A_FUTURE_MODE"
            }]
        }))
        .run(
            api.client
                .list_messages_by_channel_identity()
                .body_map(|body| {
                    body.contact_ids(vec!["contact-1".to_string()])
                        .messages_source(Some(types::MessageSource::ConversationSource))
                })
                .send(),
        )
        .await
        .unwrap();

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
async fn transcode_message_posts_to_the_colon_path() {
    let api = Api::start().await;
    let request = types::TranscodeMessageRequest {
        app_id: "app-1".into(),
        app_message: types::AppMessage::text("Hi"),
        channels: vec![
            ConversationChannel::Whatsapp,
            ConversationChannel::Messenger,
        ],
        from: None,
        to: None,
    };
    let response = api
        .expect(POST, "/messages:transcode")
        .json_body(json!({
            "app_id": "app-1",
            "app_message": {"text_message": {"text": "Hi"}},
            "channels": ["WHATSAPP", "MESSENGER"]
        }))
        .reply(json!({
            "transcoded_message": {"WHATSAPP": "{\"text\":{\"body\":\"Hi\"}}", "MESSENGER": "{\"message\":{\"text\":\"Hi\"}}"}
        }))
        .run(api.client.transcode_message().body(request).send())
        .await
        .unwrap();

    assert_eq!(response.transcoded_message.len(), 2);
    assert!(response.transcoded_message["WHATSAPP"].contains("body"));
}

/// Against the emulator: sends, pages, the view without metadata, Dispatch Mode's separate
/// source, and the 400s it answers with.
mod emulator {
    use sinch_conversation::types::{self, AppMessage, ConversationChannel, Recipient};

    use crate::emulator_support::{
        CallbackSink, api_error, assert_400, client, create_app, create_webhook, emulator,
        several_kinds, text_of,
    };

    #[tokio::test]
    async fn messages() {
        let emulator = emulator().await;
        let client = client(&emulator);
        let app_id = create_app(&client, "messages").await;

        // Sends create the contact and conversation once, then reuse them.
        let mut ids = Vec::new();
        for text in ["one", "two", "three"] {
            let sent = client
                .send_text(
                    &app_id,
                    Recipient::channel(ConversationChannel::Sms, "+46700000005"),
                    text,
                )
                .metadata(format!("meta-{text}"))
                .send()
                .await
                .unwrap();
            ids.push(sent.message_id.unwrap());
        }
        assert_eq!(emulator.contacts().len(), 1);
        assert_eq!(emulator.conversations().len(), 1);
        let contact_id = emulator.contacts()[0].id.clone().unwrap();

        // To a contact id, preferring the identity on the priority channel.
        let sent = client
            .send_text(&app_id, Recipient::contact(&contact_id), "by id")
            .send()
            .await
            .unwrap();
        let by_id = client
            .get_message()
            .message_id(sent.message_id.unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(by_id.contact_id.as_deref(), Some(contact_id.as_str()));
        assert_eq!(
            by_id
                .channel_identity
                .as_ref()
                .map(|ci| ci.identity.as_str()),
            Some("+46700000005")
        );

        // Newest first, pages, and the view without metadata.
        let page = client
            .list_messages()
            .contact_id(&contact_id)
            .page_size(2)
            .send()
            .await
            .unwrap();
        assert_eq!(page.messages.len(), 2);
        assert_eq!(page.messages[1].id.as_deref(), Some(ids[2].as_str()));
        let rest = client
            .list_messages()
            .contact_id(&contact_id)
            .page_size(2)
            .page_token(page.next_page_token.clone().unwrap())
            .view(types::ConversationMessagesView::WithoutMetadata)
            .send()
            .await
            .unwrap();
        assert_eq!(rest.messages.len(), 2);
        assert!(rest.next_page_token.is_none());
        assert!(rest.messages.iter().all(|m| m.metadata.is_none()));
        assert_eq!(page.messages[1].metadata.as_deref(), Some("meta-three"));

        client
            .delete_message()
            .message_id(&ids[0])
            .send()
            .await
            .unwrap();
        let gone = client.get_message().message_id(&ids[0]).send().await;
        assert_eq!(api_error(gone).await.status().as_u16(), 404);

        // Validation of sends.
        let no_app = client
            .send_text("no-such-app", Recipient::contact(&contact_id), "x")
            .send()
            .await
            .expect_err("unknown app");
        assert_eq!(no_app.status().map(|s| s.as_u16()), Some(404));
        let no_kind = AppMessage {
            common: types::AppMessageCommonProps::default(),
            kind: types::AppMessageTypes::Unknown(serde_json::Map::new()),
        };
        let two_kinds = AppMessage {
            common: types::AppMessageCommonProps::default(),
            kind: types::AppMessageTypes::Unknown(several_kinds(&[
                serde_json::to_value(AppMessage::text("a")).unwrap(),
                serde_json::to_value(AppMessage::media("https://e.com/a.png")).unwrap(),
            ])),
        };
        for (message, needle) in [
            (AppMessage::text(""), "text"),
            (no_kind, "empty"),
            (two_kinds, "exactly one"),
        ] {
            let result = client
                .send_message()
                .body_map(|body| {
                    body.app_id(&app_id)
                        .recipient(Recipient::contact(&contact_id))
                        .message(message)
                })
                .send()
                .await;
            assert_400(result, needle).await;
        }
        let result = client
            .send_message()
            .body_map(|body| {
                body.app_id(&app_id)
                    .recipient(Recipient::contact("nobody"))
                    .message(AppMessage::text("x"))
            })
            .send()
            .await;
        assert_400(result, "nobody").await;
        let no_filter = client.list_messages().send().await;
        assert_400(no_filter, "conversation_id").await;
    }

    #[tokio::test]
    async fn dispatch_mode_keeps_no_contacts_and_lists_by_message_source() {
        let emulator = emulator().await;
        let client = client(&emulator);
        let app = types::AppCreateRequest::new(vec![], "dispatch").with_processing_mode("DISPATCH");
        let dispatch_app = client
            .create_app()
            .body(app)
            .send()
            .await
            .unwrap()
            .id
            .clone()
            .unwrap();
        let conversation_app = create_app(&client, "conversation").await;
        let mut sink = CallbackSink::start().await;
        create_webhook(
            &client,
            &dispatch_app,
            &sink.url,
            &[
                "CONTACT_CREATE",
                "CONVERSATION_START",
                "MESSAGE_DELIVERY",
                "MESSAGE_INBOUND",
            ],
            None,
        )
        .await;

        // A send creates no contact and no conversation; the reports say DISPATCH, with no ids.
        let number = "+46700000050";
        let sent = client
            .send_text(
                &dispatch_app,
                Recipient::channel(ConversationChannel::Sms, number),
                "dispatched",
            )
            .send()
            .await
            .unwrap();
        let sent_id = sent.message_id.clone().unwrap();
        let reports = sink
            .until(|r| r.json()["message_delivery_report"]["status"] == "DELIVERED")
            .await;
        let reports: Vec<serde_json::Value> = reports
            .iter()
            .map(|r| r.json()["message_delivery_report"].clone())
            .collect();
        assert_eq!(
            reports.len(),
            2,
            "no contact or conversation callbacks first"
        );
        for report in &reports {
            assert_eq!(report["processing_mode"], "DISPATCH");
            assert_eq!(report["contact_id"], "");
            assert_eq!(report["conversation_id"], "");
            assert_eq!(report["message_id"], sent_id.as_str());
        }
        let reply = emulator
            .reply_text(&dispatch_app, ConversationChannel::Sms, number, "answer")
            .unwrap();
        let inbound = sink.next().await.json();
        assert_eq!(inbound["message"]["processing_mode"], "DISPATCH");
        assert_eq!(inbound["message"]["contact_id"], "");
        assert_eq!(inbound["message"]["conversation_id"], "");
        assert_eq!(reply.processing_mode, Some(types::ProcessingMode::Dispatch));
        assert!(emulator.contacts().is_empty());
        assert!(emulator.conversations().is_empty());

        // Without contacts, a contact id is no recipient.
        let by_contact = client
            .send_text(&dispatch_app, Recipient::contact("someone"), "x")
            .send()
            .await
            .expect_err("no contacts in DISPATCH mode");
        assert_eq!(by_contact.status().map(|s| s.as_u16()), Some(400));

        // The same exchange with the conversation app.
        client
            .send_text(
                &conversation_app,
                Recipient::channel(ConversationChannel::Sms, number),
                "conversed",
            )
            .send()
            .await
            .unwrap();
        emulator
            .reply_text(&conversation_app, ConversationChannel::Sms, number, "back")
            .unwrap();
        assert_eq!(emulator.contacts().len(), 1);
        assert_eq!(emulator.conversations().len(), 1);

        let list =
            |app: &str, source: Option<types::MessageSource>, only_recipient: Option<bool>| {
                let mut request = client.list_messages().app_id(app);
                if let Some(source) = source {
                    request = request.messages_source(source);
                }
                if let Some(only) = only_recipient {
                    request = request.only_recipient_originated(only);
                }
                async move {
                    request
                        .send()
                        .await
                        .unwrap()
                        .into_inner()
                        .messages
                        .into_iter()
                        .map(|m| {
                            let text = text_of(&m).unwrap_or_default().to_owned();
                            (text, m.common.processing_mode.clone())
                        })
                        .collect::<Vec<_>>()
                }
            };
        let dispatch = Some(types::ProcessingMode::Dispatch);
        let conversation = Some(types::ProcessingMode::Conversation);
        let s = |t: &str| t.to_owned();
        use types::MessageSource::{ConversationSource, DispatchSource};
        // CONVERSATION_SOURCE is the default; only_recipient_originated applies to DISPATCH_SOURCE.
        assert_eq!(list(&dispatch_app, None, None).await, []);
        assert_eq!(
            list(&dispatch_app, Some(DispatchSource), None).await,
            [
                (s("answer"), dispatch.clone()),
                (s("dispatched"), dispatch.clone())
            ]
        );
        assert_eq!(
            list(&dispatch_app, Some(DispatchSource), Some(true)).await,
            [(s("answer"), dispatch.clone())]
        );
        assert_eq!(
            list(&conversation_app, None, Some(true)).await,
            [
                (s("back"), conversation.clone()),
                (s("conversed"), conversation.clone())
            ]
        );
        assert_eq!(
            list(&conversation_app, Some(ConversationSource), None).await,
            [
                (s("back"), conversation.clone()),
                (s("conversed"), conversation.clone())
            ]
        );
        assert_eq!(
            list(&conversation_app, Some(DispatchSource), None).await,
            []
        );

        // get, update and delete look in one source too (CONVERSATION_SOURCE by default).
        let missing = client.get_message().message_id(&sent_id).send().await;
        assert_eq!(api_error(missing).await.status().as_u16(), 404);
        let found = client
            .get_message()
            .message_id(&sent_id)
            .messages_source(DispatchSource)
            .send()
            .await
            .unwrap();
        assert_eq!(found.processing_mode, dispatch);
        assert_eq!((&found.contact_id, &found.conversation_id), (&None, &None));
        let updated = client
            .update_message_metadata()
            .message_id(&sent_id)
            .messages_source(DispatchSource)
            .body(types::UpdateMessageMetadataRequest {
                metadata: "tagged".into(),
            })
            .send()
            .await
            .unwrap();
        assert_eq!(updated.metadata.as_deref(), Some("tagged"));
        let not_here = client.delete_message().message_id(&sent_id).send().await;
        assert_eq!(api_error(not_here).await.status().as_u16(), 404);
        client
            .delete_message()
            .message_id(&sent_id)
            .messages_source(DispatchSource)
            .send()
            .await
            .unwrap();
        assert_eq!(
            list(&dispatch_app, Some(DispatchSource), None).await,
            [(s("answer"), dispatch.clone())]
        );

        // The last message per identity defaults to DISPATCH_SOURCE.
        let last = |source: Option<types::MessageSource>| {
            client
                .list_messages_by_channel_identity()
                .body_map(|body| {
                    body.channel_identities(vec![number.to_owned()])
                        .messages_source(source)
                })
                .send()
        };
        let dispatched = last(None).await.unwrap();
        assert_eq!(dispatched.messages.len(), 1);
        assert_eq!(dispatched.messages[0].id, reply.id);
        let conversed = last(Some(ConversationSource)).await.unwrap();
        assert_eq!(conversed.messages.len(), 1);
        assert_eq!(conversed.messages[0].processing_mode, conversation);

        // An unknown source is a 400.
        let bad = client
            .list_messages()
            .app_id(&dispatch_app)
            .messages_source(types::MessageSource::Other("SIDEWAYS".into()))
            .send()
            .await;
        assert_400(bad, "messages_source").await;
    }
}
