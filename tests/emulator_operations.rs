//! Every operation of the spec against the emulator, through the generated client: the happy
//! path, the state it leaves, and the validation errors the API answers with 400.

mod emulator_support;

use emulator_support::{CallbackSink, client, create_app, create_webhook, emulator};
use serde_json::json;
use sinch_conversation::{
    ApiError, Client, Error,
    types::{self, ConversationChannel, Recipient},
    webhooks::{self, Event},
};
use sinch_conversation_emulator::Operation;

async fn api_error<T: std::fmt::Debug>(result: Result<T, Error>) -> ApiError {
    match result.expect_err("the call fails") {
        Error::Api(error) => *error,
        other => panic!("expected an API error, got {other:?}"),
    }
}

async fn assert_400<T: std::fmt::Debug>(result: Result<T, Error>, needle: &str) {
    let error = api_error(result).await;
    assert_eq!(error.status().as_u16(), 400, "{error}");
    let body = error.body().cloned().expect("API error body");
    assert_eq!(body.code, Some(400));
    let message = body.message.unwrap_or_default();
    assert!(
        message.contains(needle),
        "{message:?} should mention {needle:?}"
    );
}

fn from_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("valid model")
}

/// The text of a conversation message: an app message's or a contact message's.
fn text_of(message: &types::ConversationMessage) -> Option<&str> {
    match &message.kind {
        types::ConversationMessageTypes::AppMessage(m) => m.as_text(),
        types::ConversationMessageTypes::ContactMessage(m) => m.as_text(),
        _ => None,
    }
}

async fn contact(client: &Client, identity: &str) -> types::Contact {
    client
        .create_contact()
        .body(from_json::<types::ContactCreateRequest>(json!({
            "display_name": identity,
            "channel_identities": [{"channel": "SMS", "identity": identity}],
            "language": "EN_US",
        })))
        .send()
        .await
        .expect("contact created")
        .into_inner()
}

#[tokio::test]
async fn apps_and_webhooks() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let app_id = create_app(&client, "ops").await;

    let app = client.get_app().app_id(&app_id).send().await.unwrap();
    assert_eq!(app.display_name.as_deref(), Some("ops"));
    assert_eq!(
        app.conversation_metadata_report_view,
        Some(types::ConversationMetadataReportView::None)
    );
    let apps = client.list_apps().send().await.unwrap();
    assert_eq!(apps.apps.len(), 1);

    // Webhooks: create, list, get, update, the limit of 20 per app, delete.
    let sink = CallbackSink::start().await;
    let first = create_webhook(&client, &app_id, &sink.url, &["MESSAGE_DELIVERY"], None).await;
    let first_id = first.id.clone().unwrap();
    assert_eq!(first.target_type, Some(types::WebhookTargetType::Http));
    for _ in 1..20 {
        create_webhook(&client, &app_id, &sink.url, &["MESSAGE_INBOUND"], None).await;
    }
    let over: types::CreateWebhookBody = from_json(json!({
        "app_id": app_id, "target": sink.url, "triggers": ["MESSAGE_INBOUND"]
    }));
    let result = client.create_webhook().body(over).send().await;
    let error = api_error(result).await;
    assert_eq!(error.status().as_u16(), 400);
    assert_eq!(
        error.body().and_then(|b| b.status.as_deref()),
        Some("FAILED_PRECONDITION")
    );
    let listed = client.list_webhooks().app_id(&app_id).send().await.unwrap();
    assert_eq!(listed.webhooks.len(), 20);
    let got = client
        .get_webhook()
        .webhook_id(&first_id)
        .send()
        .await
        .unwrap();
    assert_eq!(got.target, sink.url);
    let moved = client
        .update_webhook()
        .webhook_id(&first_id)
        .body(from_json::<types::WebhookPatch>(
            json!({"target": "https://example.com/hook"}),
        ))
        .update_mask(vec!["target".to_owned()])
        .send()
        .await
        .unwrap();
    assert_eq!(moved.target, "https://example.com/hook");
    assert_eq!(moved.triggers, [types::WebhookTrigger::MessageDelivery]);
    client
        .delete_webhook()
        .webhook_id(&first_id)
        .send()
        .await
        .unwrap();
    let gone = client.get_webhook().webhook_id(&first_id).send().await;
    assert_eq!(api_error(gone).await.status().as_u16(), 404);

    // Validation.
    for (webhook, needle) in [
        (
            json!({"app_id": app_id, "target": "not a url", "triggers": ["MESSAGE_INBOUND"]}),
            "target",
        ),
        (
            json!({"app_id": app_id, "target": "https://e.com", "triggers": []}),
            "triggers",
        ),
        (
            json!({"app_id": app_id, "target": "https://e.com", "triggers": ["UNSPECIFIED_TRIGGER"]}),
            "UNSPECIFIED_TRIGGER",
        ),
        (
            json!({"app_id": "nope", "target": "https://e.com", "triggers": ["MESSAGE_INBOUND"]}),
            "nope",
        ),
    ] {
        let result = client
            .create_webhook()
            .body(from_json::<types::CreateWebhookBody>(webhook))
            .send()
            .await;
        assert_400(result, needle).await;
    }

    // Deleting the app takes its webhooks along.
    client.delete_app().app_id(&app_id).send().await.unwrap();
    assert!(emulator.webhooks().is_empty());
    let gone = client.get_app().app_id(&app_id).send().await;
    let error = api_error(gone).await;
    assert_eq!(error.status().as_u16(), 404);
    assert_eq!(
        error.body().and_then(|b| b.status.as_deref()),
        Some("NOT_FOUND")
    );
}

#[tokio::test]
async fn contacts() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let ada = contact(&client, "+46700000001").await;
    let id = ada.id.clone().unwrap();
    assert_eq!(id.len(), 26, "ULID-like ids");
    let got = client.get_contact().contact_id(&id).send().await.unwrap();
    assert_eq!(got.into_inner(), ada);
    let updated = client
        .update_contact()
        .contact_id(&id)
        .body(from_json::<types::ContactPatch>(
            json!({"email": "a@e.com"}),
        ))
        .update_mask(vec!["email".to_owned()])
        .send()
        .await
        .unwrap();
    assert_eq!(updated.email.as_deref(), Some("a@e.com"));
    let list = client.list_contacts().send().await.unwrap();
    assert_eq!(list.contacts.len(), 1);
    assert!(list.next_page_token.is_none());
    client
        .delete_contact()
        .contact_id(&id)
        .send()
        .await
        .unwrap();
    assert!(emulator.contacts().is_empty());

    let no_identity = client
        .create_contact()
        .body(from_json::<types::ContactCreateRequest>(
            json!({"language": "EN_US", "channel_identities": []}),
        ))
        .send()
        .await;
    assert_400(no_identity, "channel_identities").await;
    let clears_identities = client
        .update_contact()
        .contact_id(contact(&client, "+2").await.id.unwrap())
        .body(types::ContactPatch::default())
        .update_mask(vec!["channel_identities".to_owned()])
        .send()
        .await;
    assert_400(clears_identities, "channel_identities").await;
    let merge_self = client
        .merge_contact()
        .destination_id("x")
        .body(from_json::<types::MergeContactRequest>(
            json!({"source_id": "x"}),
        ))
        .send()
        .await;
    assert_400(merge_self, "different").await;
}

#[tokio::test]
async fn conversations() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let project = client.project().to_owned();
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
        from_json::<types::CreateConversationRequest>(json!({
            "app_id": app_id, "contact_id": contact_id, "active": active,
            "active_channel": "SMS", "metadata": "m"
        }))
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
        .body(from_json::<types::ConversationPatch>(
            json!({"metadata": "n", "active": false}),
        ))
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
    let injected: types::InjectMessageRequest = from_json(json!({
        "contact_message": {"text_message": {"text": "injected"}},
        "channel_identity": {"channel": "SMS", "identity": "+46700000001"},
        "accept_time": "2024-05-01T10:00:00Z", "direction": "TO_APP", "contact_id": contact_id,
    }));
    client
        .inject_message()
        .conversation_id(&id)
        .body(injected)
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
    let both: types::InjectMessageRequest = from_json(json!({
        "contact_message": {"text_message": {"text": "a"}},
        "app_message": {"text_message": {"text": "b"}},
        "channel_identity": {"channel": "SMS", "identity": "+46700000001"},
        "accept_time": "2024-05-01T10:00:00Z", "direction": "TO_APP", "contact_id": contact_id,
    }));
    let result = client
        .inject_message()
        .conversation_id(&id)
        .body(both)
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
    let http = reqwest::Client::new();
    let response = http
        .get(format!(
            "{}/v1/projects/{project}/conversations?app_id={app_id}",
            emulator.base_url()
        ))
        .basic_auth(emulator.key_id(), Some(emulator.key_secret()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let listed: types::ListConversationsResponse = response.json().await.unwrap();
    assert_eq!(
        (listed.conversations.len(), listed.total_size),
        (0, Some(0))
    );
    let response = http
        .get(format!(
            "{}/v1/projects/{project}/conversations?app_id={app_id}&only_active=maybe",
            emulator.base_url()
        ))
        .basic_auth(emulator.key_id(), Some(emulator.key_secret()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
}

#[tokio::test]
async fn messages() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let project = client.project().to_owned();
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
    for (body, needle) in [
        (json!({"text_message": {"text": ""}}), "text"),
        (json!({}), "empty"),
        (
            json!({"text_message": {"text": "a"}, "media_message": {"url": "https://e.com/a.png"}}),
            "exactly one",
        ),
    ] {
        let request: types::SendMessageRequest = from_json(json!({
            "app_id": app_id, "project_id": project,
            "recipient": {"contact_id": contact_id}, "message": body,
        }));
        let result = client.send_message().body(request).send().await;
        assert_400(result, needle).await;
    }
    let unknown_contact: types::SendMessageRequest = from_json(json!({
        "app_id": app_id, "project_id": project,
        "recipient": {"contact_id": "nobody"}, "message": {"text_message": {"text": "x"}},
    }));
    let result = client.send_message().body(unknown_contact).send().await;
    assert_400(result, "nobody").await;
    let no_filter = client.list_messages().send().await;
    assert_400(no_filter, "conversation_id").await;
}

#[tokio::test]
// Opt-in and opt-out registration: the overlay's operations, deprecated (absent from the
// official reference) but still answered, and so emulated.
#[allow(deprecated)]
async fn delivery_failures_and_consents() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let app_id = create_app(&client, "consents").await; // SMS credentials only
    let mut sink = CallbackSink::start().await;
    create_webhook(
        &client,
        &app_id,
        &sink.url,
        &["MESSAGE_DELIVERY", "OPT_IN", "OPT_OUT"],
        None,
    )
    .await;
    let number = "+46700000006";
    let recipient = Recipient::channel(ConversationChannel::Sms, number);

    let opt_out: types::OptOut = from_json(json!({
        "app_id": app_id, "channels": ["SMS"],
        "recipient": {"identified_by": {"channel_identities": [{"channel": "SMS", "identity": number}]}},
    }));
    let response = client
        .register_opt_out()
        .request_id("req-1")
        .body(opt_out)
        .send()
        .await
        .unwrap();
    assert_eq!(response.request_id.as_deref(), Some("req-1"));
    let Event::OptOut(notification) = webhooks::parse(&sink.next().await.body).unwrap() else {
        panic!("expected the opt-out notification");
    };
    assert_eq!(notification.payload.request_id.as_deref(), Some("req-1"));
    assert_eq!(
        notification
            .payload
            .status
            .map(|s| s.as_str().to_owned())
            .as_deref(),
        Some("OPT_OUT_SUCCEEDED")
    );

    // Opted out: accepted, then FAILED with RECIPIENT_NOT_OPTED_IN.
    client
        .send_text(&app_id, recipient.clone(), "blocked")
        .send()
        .await
        .unwrap();
    let reports = sink
        .until(|r| r.json()["message_delivery_report"]["status"] == "FAILED")
        .await;
    assert_eq!(
        reports.last().unwrap().json()["message_delivery_report"]["reason"]["code"],
        "RECIPIENT_NOT_OPTED_IN"
    );

    // Opting in again lifts it.
    let opt_in: types::OptIn = from_json(json!({
        "app_id": app_id, "channels": ["SMS"],
        "recipient": {"identified_by": {"channel_identities": [{"channel": "SMS", "identity": number}]}},
    }));
    let response = client.register_opt_in().body(opt_in).send().await.unwrap();
    assert!(response.request_id.is_some());
    sink.until(|r| r.json().get("opt_in_notification").is_some())
        .await;
    client
        .send_text(&app_id, recipient.clone(), "allowed")
        .send()
        .await
        .unwrap();
    sink.until(|r| r.json()["message_delivery_report"]["status"] == "DELIVERED")
        .await;

    // A channel the app has no credentials for fails with CHANNEL_CONFIGURATION_MISSING.
    client
        .send_text(
            &app_id,
            Recipient::channel(ConversationChannel::Whatsapp, number),
            "no whatsapp",
        )
        .send()
        .await
        .unwrap();
    let reports = sink
        .until(|r| r.json()["message_delivery_report"]["status"] == "FAILED")
        .await;
    assert_eq!(
        reports.last().unwrap().json()["message_delivery_report"]["reason"]["code"],
        "CHANNEL_CONFIGURATION_MISSING"
    );
}

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

    let query: types::QueryCapability = from_json(json!({
        "app_id": app_id,
        "recipient": {"identified_by": {"channel_identities": [{"channel": "SMS", "identity": "+46700000007"}]}},
    }));
    let response = client.query_capability().body(query).send().await.unwrap();
    let request_id = response.request_id.clone().unwrap();
    let Event::Capability(capability) = webhooks::parse(&sink.next().await.body).unwrap() else {
        panic!("expected a capability notification");
    };
    assert_eq!(
        capability.payload.request_id.as_deref(),
        Some(request_id.as_str())
    );

    let transcode: types::TranscodeMessageRequest = from_json(json!({
        "app_id": app_id, "from": "Sinch", "to": "+46700000007",
        "app_message": {"text_message": {"text": "Hello"}},
        "channels": ["SMS", "WHATSAPP", "MESSENGER", "RCS", "VIBERBM", "MMS"],
    }));
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

    let no_channels: types::TranscodeMessageRequest = from_json(json!({
        "app_id": app_id, "app_message": {"text_message": {"text": "Hello"}}, "channels": [],
    }));
    let result = client.transcode_message().body(no_channels).send().await;
    assert_400(result, "channels").await;
    let no_event: types::SendEventRequest = from_json(json!({
        "app_id": app_id, "recipient": {"contact_id": "x"}, "event": {},
    }));
    let result = client.send_event().body(no_event).send().await;
    assert_400(result, "event").await;

    // Every operation of the client's table has its own counter, and the token endpoint too.
    let stats = emulator.stats();
    assert_eq!(stats.operations.len(), Operation::ALL.len());
    assert_eq!(stats.operation(Operation::TranscodeMessage).succeeded, 1);
    assert_eq!(stats.operation(Operation::TranscodeMessage).failed, 1);
    assert_eq!(stats.operation(Operation::Token).succeeded, 1);
}

#[tokio::test]
async fn basic_auth_and_admin_api() {
    let emulator = emulator().await;
    let client = emulator
        .client_builder()
        .basic_auth(emulator.key_id(), emulator.key_secret())
        .build()
        .unwrap();
    let app_id = create_app(&client, "basic").await;
    assert_eq!(client.token_requests(), 0);
    let wrong = emulator
        .client_builder()
        .basic_auth(emulator.key_id(), "wrong")
        .build()
        .unwrap();
    let result = wrong.list_apps().project_id(wrong.project()).send().await;
    assert_eq!(api_error(result).await.status().as_u16(), 401);

    // The admin API: a fault, a reply, the counters, a reset.
    let http = reqwest::Client::new();
    let admin = |path: &str| format!("{}/_emulator/{path}", emulator.base_url());
    let response = http
        .post(admin("faults"))
        .header("content-type", "application/json")
        .body(r#"{"operation":"list_apps","status":503,"retry_after_ms":10}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    client.list_apps().send().await.expect("503 retried");
    let response = http
        .post(admin("reply"))
        .header("content-type", "application/json")
        .body(
            json!({"app_id": app_id, "channel": "SMS", "identity": "+1555", "text": "yo"})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let reply: types::ConversationMessage = response.json().await.unwrap();
    assert_eq!(reply.direction, Some(types::ConversationDirection::ToApp));
    let stats: serde_json::Value = http
        .get(admin("stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["operations"]["list_apps"]["injected"], 1);
    assert_eq!(stats["operations"]["list_apps"]["received"], 3);
    let bad = http
        .post(admin("faults"))
        .header("content-type", "application/json")
        .body(r#"{"operation":"nope","status":500}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    http.post(admin("reset")).send().await.unwrap();
    assert!(emulator.apps().is_empty());
}

#[tokio::test]
// Opt-in and opt-out registration: the overlay's operations, deprecated (absent from the
// official reference) but still answered, and so emulated.
#[allow(deprecated)]
async fn consents_profiles_and_identity_conflicts() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let app_id = create_app(&client, "consents").await;
    let number = "+46700000020";
    let recipient =
        json!({"identified_by": {"channel_identities": [{"channel": "SMS", "identity": number}]}});
    for opt_in in [false, true, false] {
        if opt_in {
            let body: types::OptIn =
                from_json(json!({"app_id": app_id, "channels": ["SMS"], "recipient": recipient}));
            client.register_opt_in().body(body).send().await.unwrap();
        } else {
            let body: types::OptOut =
                from_json(json!({"app_id": app_id, "channels": ["SMS"], "recipient": recipient}));
            client.register_opt_out().body(body).send().await.unwrap();
        }
    }
    let opted_out = client
        .get_consents()
        .app_id(&app_id)
        .list_type(types::ConsentsListType::OptOutAll)
        .send()
        .await
        .unwrap();
    assert_eq!(opted_out.identities.len(), 1);
    assert_eq!(opted_out.identities[0].identity.as_deref(), Some(number));
    let audit = client
        .get_consents_audit_records()
        .app_id(&app_id)
        .identity(number)
        .send()
        .await
        .unwrap();
    let operations: Vec<String> = audit
        .audit_records
        .iter()
        .filter_map(|r| r.operation.as_ref().map(ToString::to_string))
        .collect();
    assert_eq!(
        operations,
        ["OPERATION_INSERT", "OPERATION_DELETE", "OPERATION_INSERT"]
    );

    // Two contacts sharing an identity are a conflict.
    contact(&client, "+46700000021").await;
    contact(&client, "+46700000021").await;
    let conflicts = client.list_identity_conflicts().send().await.unwrap();
    assert_eq!(conflicts.conflicts.len(), 1);
    assert_eq!(conflicts.conflicts[0].contact_ids.len(), 2);

    let viber: types::ContactCreateRequest = from_json(json!({
        "display_name": "Vera",
        "channel_identities": [{"channel": "VIBER", "identity": "viber-1"}],
        "language": "EN_US",
    }));
    let vera = client.create_contact().body(viber).send().await.unwrap();
    let request: types::GetChannelProfileRequest = from_json(json!({
        "app_id": app_id, "channel": "VIBER", "recipient": {"contact_id": vera.id},
    }));
    let profile = client
        .get_channel_profile()
        .body(request)
        .send()
        .await
        .unwrap();
    assert_eq!(profile.profile_name.as_deref(), Some("Vera"));
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

    let request: types::ListMessagesByChannelIdentityRequest = from_json(json!({
        "app_id": app_id, "channel_identities": ["+46700000030", "+46700000031"],
        "messages_source": "CONVERSATION_SOURCE",
    }));
    let last = client
        .list_messages_by_channel_identity()
        .body(request)
        .send()
        .await
        .unwrap();
    assert_eq!(last.messages.len(), 2);
    assert_eq!(last.messages[0].id, sent.message_id);

    let updated = client
        .update_message_metadata()
        .message_id(sent.message_id.clone().unwrap())
        .body(from_json::<types::UpdateMessageMetadataRequest>(
            json!({"metadata": "tagged"}),
        ))
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
    let injected: types::InjectConversationEventRequest = from_json(json!({
        "accept_time": "2024-01-01T00:00:00Z",
        "app_event": {"composing_event": {}},
    }));
    let injected = client
        .inject_event()
        .conversation_id(&conversation_id)
        .body(injected)
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

#[tokio::test]
async fn project_settings_and_templates() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let project = client.project().to_owned();

    let missing = client.get_settings().send().await;
    assert_eq!(api_error(missing).await.status().as_u16(), 404);
    let created = client
        .create_settings()
        .body(from_json::<types::ProjectSettingsRequest>(json!({
            "contact_settings": {"unified_contact_id_enabled": false}
        })))
        .send()
        .await
        .unwrap();
    assert_eq!(created.project_id.as_deref(), Some(project.as_str()));
    let updated = client
        .update_settings()
        .body(from_json::<types::ProjectSettingsRequest>(json!({
            "contact_settings": {"unified_contact_id_enabled": true}
        })))
        .send()
        .await
        .unwrap();
    let enabled = updated
        .settings
        .as_ref()
        .and_then(|s| s.contact_settings.as_ref())
        .and_then(|c| c.unified_contact_id_enabled);
    assert_eq!(enabled, Some(true));
    client.delete_settings().send().await.unwrap();

    // Templates live on the Template API host; with a base URL the client sends them here too.
    let template: types::V2Template = from_json(json!({
        "description": "greeting",
        "translations": [
            {"language_code": "en-US", "text_message": {"text": "Hello ${name}"},
             "variables": [{"key": "name", "preview_value": "Ada"}]},
            {"language_code": "sv-SE", "text_message": {"text": "Hej ${name}"}}
        ],
    }));
    let created = client
        .create_template()
        .body(template.clone())
        .send()
        .await
        .unwrap();
    let id = created.id.clone().unwrap();
    assert_eq!(
        (created.version, created.default_translation.as_deref()),
        (Some(1), Some("en-US"))
    );
    let mut next = template;
    next.version = Some(1);
    next.description = Some("greeting v2".into());
    let updated = client
        .update_template()
        .template_id(&id)
        .body(next.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.version, Some(2));
    let stale = client
        .update_template()
        .template_id(&id)
        .body(next)
        .send()
        .await;
    assert_400(stale, "latest version").await;
    let swedish = client
        .list_translations()
        .template_id(&id)
        .language_code("sv-SE")
        .send()
        .await
        .unwrap();
    assert_eq!(swedish.translations.len(), 1);
    let all = client.list_templates().send().await.unwrap();
    assert_eq!(all.templates.len(), 1);
    client
        .delete_template()
        .template_id(&id)
        .send()
        .await
        .unwrap();
    let gone = client.get_template().template_id(&id).send().await;
    assert_eq!(api_error(gone).await.status().as_u16(), 404);
    assert_eq!(
        emulator.operation_stats(Operation::UpdateTemplate).failed,
        1
    );
}

/// A raw request to the emulated API with the emulator's key in Basic auth.
fn raw(
    emulator: &sinch_conversation_emulator::Emulator,
    method: reqwest::Method,
    path: &str,
) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(
            method,
            format!(
                "{}/v1/projects/{}{path}",
                emulator.base_url(),
                emulator.project_id()
            ),
        )
        .basic_auth(emulator.key_id(), Some(emulator.key_secret()))
}

#[tokio::test]
async fn bodies_without_project_id_take_the_project_from_the_path() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let app_id = create_app(&client, "raw").await;
    let recipient = json!({"identified_by": {"channel_identities": [{"channel": "SMS", "identity": "+46700000040"}]}});

    // messages:send without project_id, then with "project_id": null.
    let mut ids = Vec::new();
    for (text, project_id) in [("absent", None), ("null", Some(serde_json::Value::Null))] {
        let mut body = json!({
            "app_id": app_id, "recipient": recipient, "message": {"text_message": {"text": text}},
        });
        if let Some(project_id) = project_id {
            body["project_id"] = project_id;
        }
        let response = raw(&emulator, reqwest::Method::POST, "/messages:send")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "project_id {text}");
        let sent: types::SendMessageResponse = response.json().await.unwrap();
        ids.push(sent.message_id.expect("message id"));
    }
    let stored: Vec<(Option<String>, Option<String>)> = emulator
        .messages()
        .into_iter()
        .map(|m| (m.common.id.clone(), text_of(&m).map(str::to_owned)))
        .collect();
    assert_eq!(
        stored,
        [
            (Some(ids[0].clone()), Some("absent".to_owned())),
            (Some(ids[1].clone()), Some("null".to_owned())),
        ]
    );

    // events:send and capability:query without project_id.
    let response = raw(&emulator, reqwest::Method::POST, "/events:send")
        .json(&json!({"app_id": app_id, "recipient": recipient, "event": {"composing_event": {}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let event: types::SendEventResponse = response.json().await.unwrap();
    assert!(event.event_id.is_some());
    let response = raw(&emulator, reqwest::Method::POST, "/capability:query")
        .json(&json!({"app_id": app_id, "recipient": recipient}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);

    // Other problems of such a body are still reported.
    let response = raw(&emulator, reqwest::Method::POST, "/messages:send")
        .json(&json!({"recipient": recipient, "message": {"text_message": {"text": "x"}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let error: serde_json::Value = response.json().await.unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("missing field `app_id`"),
        "{error}"
    );
    assert_eq!(
        emulator.operation_stats(Operation::SendMessage).succeeded,
        2
    );
}

#[tokio::test]
async fn dispatch_mode_keeps_no_contacts_and_lists_by_message_source() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let app: types::AppCreateRequest = from_json(json!({
        "display_name": "dispatch", "channel_credentials": [], "processing_mode": "DISPATCH",
    }));
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

    let list = |app: &str, source: Option<types::MessageSource>, only_recipient: Option<bool>| {
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
        .body(from_json::<types::UpdateMessageMetadataRequest>(
            json!({"metadata": "tagged"}),
        ))
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
    let last = |source: Option<&str>| {
        let mut body = json!({"channel_identities": [number]});
        if let Some(source) = source {
            body["messages_source"] = json!(source);
        }
        client
            .list_messages_by_channel_identity()
            .body(from_json::<types::ListMessagesByChannelIdentityRequest>(
                body,
            ))
            .send()
    };
    let dispatched = last(None).await.unwrap();
    assert_eq!(dispatched.messages.len(), 1);
    assert_eq!(dispatched.messages[0].id, reply.id);
    let conversed = last(Some("CONVERSATION_SOURCE")).await.unwrap();
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

#[tokio::test]
async fn admin_api_faults_delays_and_token_expiry_over_http() {
    use std::time::{Duration, Instant};

    let emulator = emulator().await;
    let client = client(&emulator);
    let app_id = create_app(&client, "admin").await;
    let http = reqwest::Client::new();
    let admin = |path: &str| format!("{}/_emulator/{path}", emulator.base_url());
    let add_fault = |body: serde_json::Value| http.post(admin("faults")).json(&body).send();
    let app_path = format!("/apps/{app_id}");
    let get_app = |http: reqwest::Client| {
        let request = raw(&emulator, reqwest::Method::GET, &app_path);
        async move {
            let started = Instant::now();
            let result = http.execute(request.build().unwrap()).await;
            (result, started.elapsed())
        }
    };

    // Only error statuses, at least once; a rejected request changes nothing (no delay either).
    for (body, message) in [
        (
            json!({"operation": "get_app", "status": 200}),
            "status 200 is not an error status: use 400 to 599",
        ),
        (
            json!({"operation": "get_app", "status": 399}),
            "status 399 is not an error status: use 400 to 599",
        ),
        (
            json!({"operation": "get_app", "status": 600, "delay_ms": 5000}),
            "status 600 is not an error status: use 400 to 599",
        ),
        (
            json!({"operation": "get_app", "status": 500, "times": 0}),
            "times must be at least 1",
        ),
        (
            json!({"operation": "get_app", "delay_ms": 5000, "times": 0}),
            "times must be at least 1",
        ),
    ] {
        let response = add_fault(body.clone()).await.unwrap();
        assert_eq!(response.status().as_u16(), 400, "{body}");
        // The admin API answers in the API's error shape.
        let error: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error["error"]["message"], message, "{body}");
        assert_eq!(error["error"]["status"], "INVALID_ARGUMENT");
    }
    for status in [400, 599] {
        let response = add_fault(json!({"operation": "get_app", "status": status}))
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 204);
        let (result, elapsed) = get_app(http.clone()).await;
        assert_eq!(result.unwrap().status().as_u16(), status);
        assert!(elapsed < Duration::from_secs(4), "no delay was left behind");
    }

    // Drop: the connection closes without an answer, once.
    let response = add_fault(json!({"operation": "get_app", "drop": true}))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let (dropped, _) = get_app(reqwest::Client::new()).await;
    assert!(dropped.is_err(), "{dropped:?}");
    let (after, _) = get_app(reqwest::Client::new()).await;
    assert_eq!(after.unwrap().status().as_u16(), 200);
    assert_eq!(emulator.operation_stats(Operation::GetApp).injected, 3);

    // Delays: of one operation, then of every operation.
    let response = add_fault(json!({"operation": "get_app", "delay_ms": 150}))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let (result, elapsed) = get_app(http.clone()).await;
    assert_eq!(result.unwrap().status().as_u16(), 200);
    assert!(elapsed >= Duration::from_millis(150), "{elapsed:?}");
    let response = add_fault(json!({"operation": "*", "delay_ms": 100}))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let started = Instant::now();
    client.list_apps().send().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(100));

    // DELETE /faults removes queued faults and delays.
    for body in [
        json!({"operation": "get_app", "status": 500, "times": 3}),
        json!({"operation": "get_app", "delay_ms": 5000}),
        json!({"operation": "*", "delay_ms": 5000}),
    ] {
        let response = add_fault(body).await.unwrap();
        assert_eq!(response.status().as_u16(), 204);
    }
    let response = http.delete(admin("faults")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let (result, elapsed) = get_app(http.clone()).await;
    assert_eq!(result.unwrap().status().as_u16(), 200);
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
    assert_eq!(emulator.operation_stats(Operation::GetApp).injected, 3);

    // tokens/expire: a token that worked is rejected as expired; a new one works.
    let token = || async {
        let response = http
            .post(emulator.token_url())
            .basic_auth(emulator.key_id(), Some(emulator.key_secret()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .unwrap();
        let token: serde_json::Value = response.json().await.unwrap();
        token["access_token"].as_str().unwrap().to_owned()
    };
    let apps = format!(
        "{}/v1/projects/{}/apps",
        emulator.base_url(),
        emulator.project_id()
    );
    let old = token().await;
    let response = http.get(&apps).bearer_auth(&old).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let response = http.post(admin("tokens/expire")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let response = http.get(&apps).bearer_auth(&old).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(
        response.headers()["www-authenticate"],
        r#"Bearer error="invalid_token", error_description="Jwt expired""#
    );
    let new = token().await;
    let response = http.get(&apps).bearer_auth(&new).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn templates_v1_endpoints_are_gone() {
    // The Template Management v1 operations left the official documents (unreachable since
    // 2026-01-31): their paths route to no operation and answer 404 with the API's error body,
    // while the same template paths under /v2 are served.
    let emulator = emulator().await;
    let client = client(&emulator);
    let body =
        json!({"translations": [{"language_code": "en-US", "text_message": {"text": "Hi"}}]});
    for (method, path) in [
        (reqwest::Method::GET, "/templates"),
        (reqwest::Method::POST, "/templates"),
        (reqwest::Method::GET, "/templates/t1"),
        (reqwest::Method::PATCH, "/templates/t1"),
        (reqwest::Method::DELETE, "/templates/t1"),
    ] {
        let response = raw(&emulator, method.clone(), path)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 404, "{method} /v1/..{path}");
        let error: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], 404, "{method} {path}");
        assert_eq!(error["error"]["status"], "NOT_FOUND", "{method} {path}");
    }
    assert!(
        Operation::ALL
            .iter()
            .filter_map(|op| op.info())
            .all(|info| !(info.path.starts_with("/v1/") && info.path.contains("/templates"))),
        "no v1 template operation in the client's table"
    );
    let created = client
        .create_template()
        .body(from_json::<types::V2Template>(body))
        .send()
        .await
        .unwrap();
    assert_eq!(created.version, Some(1));
    let listed = client.list_templates().send().await.unwrap();
    assert_eq!(listed.templates.len(), 1);
}
