//! End-to-end: the client against the emulator, over real HTTP: whole flows across areas,
//! callbacks, retries, tokens, Basic auth, and the emulator's admin API.
//! (Each area's own emulator tests live in that area's file.)

mod emulator_support;

use std::{collections::HashSet, time::Duration};

use chrono::Utc;
use emulator_support::{
    CALLBACK_BACKOFF, CallbackSink, api_error, client, create_app, create_webhook, emulator, raw,
    text_of,
};
use futures_util::TryStreamExt as _;
use serde_json::json;
use sinch_conversation::{
    Error,
    field_mask::{FieldMask, PatchExt as _},
    pagination::Paginate as _,
    types::{self, ConversationChannel, Recipient},
    webhooks::{self, Event, Receiver},
};
use sinch_conversation_emulator::{Fault, Operation};

fn sms(number: &str) -> Recipient {
    Recipient::channel(ConversationChannel::Sms, number)
}

/// A contact's identity on `channel`, of no app in particular.
fn identity(channel: ConversationChannel, identity: &str) -> types::ChannelIdentity {
    types::ChannelIdentity {
        app_id: None,
        channel,
        identity: identity.into(),
    }
}

/// The text of an app message kept as a conversation message.
fn app_text(message: &types::ConversationMessage) -> Option<&str> {
    match &message.kind {
        types::ConversationMessageTypes::AppMessage(m) => m.as_text(),
        _ => None,
    }
}

#[tokio::test]
async fn quickstart_flow() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let mut sink = CallbackSink::start().await;
    let app_id = create_app(&client, "quickstart").await;
    let secret = "quickstart-secret";
    create_webhook(
        &client,
        &app_id,
        &sink.url,
        &["MESSAGE_DELIVERY", "MESSAGE_INBOUND"],
        Some(secret),
    )
    .await;

    let sent = client
        .send_text(&app_id, sms("+46700000001"), "Hello from Rust")
        .send()
        .await
        .expect("message accepted");
    let message_id = sent.message_id.clone().expect("message id");
    assert!(sent.accepted_time.is_some());

    let receiver = Receiver::new(secret);
    let mut statuses = Vec::new();
    let mut conversation_id = None;
    while statuses.last().map(String::as_str) != Some("DELIVERED") {
        let callback = sink.next().await;
        let event = receiver
            .receive(&callback.headers, &callback.body, Utc::now())
            .expect("signed callback verifies and parses");
        let Event::MessageDelivery(report) = event else {
            panic!("unexpected {event:?}");
        };
        assert_eq!(report.envelope.app_id.as_deref(), Some(app_id.as_str()));
        assert_eq!(
            report.envelope.project_id.as_deref(),
            Some(emulator.project_id())
        );
        assert_eq!(
            report.payload.message_id.as_deref(),
            Some(message_id.as_str())
        );
        conversation_id = report.payload.conversation_id.clone();
        statuses.push(report.payload.status.expect("status").as_str().to_owned());
    }
    assert_eq!(statuses, ["QUEUED_ON_CHANNEL", "DELIVERED"]);

    let conversation_id = conversation_id.expect("conversation id in the report");
    let messages = client
        .list_messages()
        .conversation_id(&conversation_id)
        .send()
        .await
        .expect("messages listed");
    assert_eq!(messages.messages.len(), 1);
    let listed = &messages.messages[0];
    assert_eq!(listed.id.as_deref(), Some(message_id.as_str()));
    assert_eq!(
        listed.direction,
        Some(types::ConversationDirection::ToContact)
    );
    assert_eq!(app_text(listed), Some("Hello from Rust"));
    let got = client
        .get_message()
        .message_id(&message_id)
        .send()
        .await
        .expect("message found");
    assert_eq!(
        got.conversation_id.as_deref(),
        Some(conversation_id.as_str())
    );
    assert_eq!(
        emulator.operation_stats(Operation::SendMessage).succeeded,
        1
    );
    assert_eq!(client.token_requests(), 1);
}

#[tokio::test]
async fn pagination_over_50_contacts() {
    let emulator = emulator().await;
    let client = client(&emulator);
    for i in 0..50 {
        let contact = types::ContactCreateRequest::new(
            vec![identity(
                ConversationChannel::Sms,
                &format!("+4670000{i:04}"),
            )],
            types::ContactLanguage::EnUs,
        )
        .with_display_name(format!("Contact {i:02}"));
        client
            .create_contact()
            .body(contact)
            .send()
            .await
            .expect("contact created");
    }

    // Default page size is 10.
    let first = client.list_contacts().send().await.unwrap();
    assert_eq!(first.contacts.len(), 10);
    assert!(first.next_page_token.is_some());

    // By hand: 20 (the maximum, even when more is asked), 20, 10, then no token.
    let mut token: Option<String> = None;
    let mut sizes = Vec::new();
    let mut names = Vec::new();
    loop {
        let mut request = client.list_contacts().page_size(100);
        if let Some(token) = &token {
            request = request.page_token(token);
        }
        let page = request.send().await.expect("page");
        sizes.push(page.contacts.len());
        names.extend(page.contacts.iter().filter_map(|c| c.display_name.clone()));
        match page.next_page_token.clone().filter(|t| !t.is_empty()) {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(sizes, [20, 20, 10]);
    let expected: Vec<String> = (0..50).map(|i| format!("Contact {i:02}")).collect();
    assert_eq!(names, expected);

    // The client's stream sees the same 50, once each.
    let all: Vec<types::Contact> = client
        .list_contacts()
        .page_size(7)
        .items()
        .try_collect()
        .await
        .expect("stream");
    let ids: HashSet<_> = all.iter().filter_map(|c| c.id.clone()).collect();
    assert_eq!((all.len(), ids.len()), (50, 50));
    assert_eq!(
        emulator.operation_stats(Operation::ListContacts).succeeded,
        1 + 3 + 8
    );

    let bad = client
        .list_contacts()
        .page_token("not-a-token")
        .send()
        .await;
    let error = api_error(bad).await;
    assert_eq!(error.status().as_u16(), 400);
    assert_eq!(
        error.body().and_then(|b| b.status.as_deref()),
        Some("INVALID_ARGUMENT")
    );
}

#[tokio::test]
async fn update_masks_change_only_masked_fields() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let contact = types::ContactCreateRequest::new(
        vec![identity(ConversationChannel::Sms, "+46700000001")],
        types::ContactLanguage::EnUs,
    )
    .with_display_name("Ada")
    .with_email("ada@example.com")
    .with_metadata("vip");
    let created = client.create_contact().body(contact).send().await.unwrap();
    let id = created.id.clone().unwrap();

    // Derived mask: only display_name, although the body could be read as clearing others.
    let patch = types::ContactPatch {
        display_name: Some("Ada Lovelace".into()),
        ..Default::default()
    };
    let updated = client
        .update_contact()
        .contact_id(&id)
        .patch(patch)
        .unwrap()
        .send()
        .await
        .expect("masked update");
    assert_eq!(updated.display_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(updated.email.as_deref(), Some("ada@example.com"));
    assert_eq!(updated.metadata.as_deref(), Some("vip"));
    assert_eq!(updated.language, Some(types::ContactLanguage::EnUs));

    // A body field outside the mask is ignored; a masked field absent from the body is cleared.
    let body = types::ContactPatch {
        metadata: Some("ignored".into()),
        display_name: Some("ignored too".into()),
        ..Default::default()
    };
    let cleared = client
        .update_contact()
        .contact_id(&id)
        .body(body)
        .mask(FieldMask::<types::ContactPatch>::new(["email"]).unwrap())
        .send()
        .await
        .expect("explicit mask");
    assert_eq!(cleared.email, None);
    assert_eq!(cleared.metadata.as_deref(), Some("vip"));
    assert_eq!(cleared.display_name.as_deref(), Some("Ada Lovelace"));

    // Nested paths: only delivery_report_based_fallback.enabled of the app changes.
    let app_id = create_app(&client, "masks").await;
    let patch = types::AppPatch {
        display_name: Some("not applied".into()),
        delivery_report_based_fallback: Some(types::DeliveryReportBasedFallback {
            enabled: true,
            delivery_report_waiting_time: Some(999),
        }),
        ..Default::default()
    };
    let app = client
        .update_app()
        .app_id(&app_id)
        .body(patch)
        .update_mask(vec!["delivery_report_based_fallback.enabled".to_owned()])
        .send()
        .await
        .expect("nested mask");
    let fallback = app.delivery_report_based_fallback.clone().unwrap();
    assert!(fallback.enabled);
    assert_eq!(
        fallback.delivery_report_waiting_time, None,
        "the unmasked sibling is not applied"
    );
    assert_eq!(app.display_name.as_deref(), Some("masks"));
    assert_eq!(app.channel_credentials.len(), 1);

    // An unknown path is a 400 with the API's error body, and nothing changes.
    let bad = client
        .update_app()
        .app_id(&app_id)
        .body(types::AppPatch::default())
        .update_mask(vec!["display_nam".to_owned()])
        .send()
        .await;
    let error = api_error(bad).await;
    assert_eq!(error.status().as_u16(), 400);
    let body = error.body().cloned().unwrap();
    assert_eq!(body.code, Some(400));
    assert!(body.message.unwrap().contains("display_nam"));
    let stored = emulator
        .apps()
        .into_iter()
        .find(|a| a.id.as_deref() == Some(app_id.as_str()))
        .unwrap();
    assert!(stored.delivery_report_based_fallback.unwrap().enabled);

    // Webhook triggers replaced through a mask; the target stays.
    let sink = CallbackSink::start().await;
    let webhook = create_webhook(&client, &app_id, &sink.url, &["MESSAGE_DELIVERY"], None).await;
    let patch = types::WebhookPatch {
        triggers: vec![
            types::WebhookTrigger::MessageInbound,
            types::WebhookTrigger::ContactCreate,
        ],
        ..Default::default()
    };
    let updated = client
        .update_webhook()
        .webhook_id(webhook.id.clone().unwrap())
        .patch(patch)
        .unwrap()
        .send()
        .await
        .expect("webhook updated");
    assert_eq!(updated.target, sink.url);
    assert_eq!(
        updated.triggers,
        [
            types::WebhookTrigger::MessageInbound,
            types::WebhookTrigger::ContactCreate
        ]
    );
}

#[tokio::test]
async fn merge_moves_identities_conversations_and_messages() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let app_id = create_app(&client, "merge").await;
    let mut sink = CallbackSink::start().await;
    create_webhook(&client, &app_id, &sink.url, &["CONTACT_MERGE"], None).await;

    // The source contact comes from a send to a new number; the destination is created.
    client
        .send_text(&app_id, sms("+46700000002"), "to the source")
        .send()
        .await
        .unwrap();
    let source = emulator.contacts().pop().unwrap();
    let source_id = source.id.clone().unwrap();
    let destination = types::ContactCreateRequest::new(
        vec![identity(ConversationChannel::Whatsapp, "+46700000003")],
        types::ContactLanguage::EnGb,
    )
    .with_display_name("Grace");
    let destination = client
        .create_contact()
        .body(destination)
        .send()
        .await
        .unwrap();
    let destination_id = destination.id.clone().unwrap();

    let request = types::MergeContactRequest {
        source_id: source_id.clone(),
        strategy: Some(types::ConversationMergeStrategy::Merge),
    };
    let merged = client
        .merge_contact()
        .destination_id(&destination_id)
        .body(request)
        .send()
        .await
        .expect("merged");
    assert_eq!(merged.id.as_deref(), Some(destination_id.as_str()));
    assert_eq!(merged.display_name.as_deref(), Some("Grace"));
    let identities: Vec<_> = merged
        .channel_identities
        .iter()
        .map(|ci| (ci.channel.to_string(), ci.identity.clone()))
        .collect();
    assert_eq!(
        identities,
        [
            ("WHATSAPP".to_owned(), "+46700000003".to_owned()),
            ("SMS".to_owned(), "+46700000002".to_owned())
        ]
    );

    let gone = client.get_contact().contact_id(&source_id).send().await;
    assert_eq!(api_error(gone).await.status().as_u16(), 404);
    let conversations = client
        .list_conversations()
        .contact_id(&destination_id)
        .only_active(true)
        .send()
        .await
        .unwrap();
    assert_eq!(conversations.conversations.len(), 1);
    let messages = client
        .list_messages()
        .contact_id(&destination_id)
        .send()
        .await
        .unwrap();
    assert_eq!(messages.messages.len(), 1);

    // The next send to the old number reaches the merged contact.
    client
        .send_text(&app_id, sms("+46700000002"), "after the merge")
        .send()
        .await
        .unwrap();
    assert_eq!(emulator.contacts().len(), 1);
    assert!(
        emulator
            .messages()
            .iter()
            .all(|m| m.contact_id.as_deref() == Some(destination_id.as_str()))
    );

    let event = webhooks::parse(&sink.next().await.body).expect("merge callback parses");
    let Event::ContactMerge(merge) = event else {
        panic!("unexpected {event:?}");
    };
    let preserved = merge.payload.preserved_contact.unwrap();
    assert_eq!(preserved.id.as_deref(), Some(destination_id.as_str()));
    let deleted = merge.payload.deleted_contact.unwrap();
    assert_eq!(deleted.id.as_deref(), Some(source_id.as_str()));
}

#[tokio::test]
async fn webhook_delivery_is_signed_retried_and_verifiable() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let app_id = create_app(&client, "webhooks").await;
    // This target fails twice before it accepts: the emulator retries with backoff.
    let mut flaky = CallbackSink::failing_first(2).await;
    let mut plain = CallbackSink::start().await;
    create_webhook(
        &client,
        &app_id,
        &flaky.url,
        &["MESSAGE_DELIVERY"],
        Some("s3cret"),
    )
    .await;
    create_webhook(&client, &app_id, &plain.url, &["MESSAGE_DELIVERY"], None).await;

    let sent = client
        .send_text(&app_id, sms("+46700000009"), "ping")
        .send()
        .await
        .unwrap();
    let message_id = sent.message_id.unwrap();

    let signed = flaky
        .until(|r| r.json()["message_delivery_report"]["status"] == "DELIVERED")
        .await;
    assert_eq!(flaky.failures_answered(), 2);
    // The retries wait out a backoff that doubles: at least 20 ms, then at least 40 ms.
    let arrivals = flaky.arrivals();
    assert_eq!(
        arrivals.len(),
        4,
        "two failed attempts, then each report once"
    );
    let gaps: Vec<Duration> = arrivals.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        gaps[0] >= CALLBACK_BACKOFF,
        "first retry too early: {gaps:?}"
    );
    assert!(
        gaps[1] >= CALLBACK_BACKOFF * 2,
        "second retry too early: {gaps:?}"
    );
    let statuses: Vec<String> = signed
        .iter()
        .map(|r| {
            r.json()["message_delivery_report"]["status"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        statuses,
        ["QUEUED_ON_CHANNEL", "DELIVERED"],
        "order kept across retries"
    );
    for callback in &signed {
        assert_eq!(
            callback.headers[webhooks::ALGORITHM_HEADER],
            webhooks::ALGORITHM
        );
        webhooks::verify(&callback.headers, &callback.body, "s3cret", Utc::now())
            .expect("signature verifies");
        assert!(
            webhooks::verify(&callback.headers, &callback.body, "wrong", Utc::now()).is_err(),
            "a wrong secret fails"
        );
        let mut tampered = callback.body.to_vec();
        tampered.push(b' ');
        assert!(webhooks::verify(&callback.headers, &tampered, "s3cret", Utc::now()).is_err());
        let event = webhooks::parse(&callback.body).unwrap();
        assert_eq!(
            event.trigger(),
            Some(types::WebhookTrigger::MessageDelivery)
        );
    }
    assert_eq!(
        signed[0].json()["message_delivery_report"]["message_id"],
        message_id.as_str()
    );

    // Without a secret, callbacks come unsigned.
    let unsigned = plain
        .until(|r| r.json()["message_delivery_report"]["status"] == "DELIVERED")
        .await;
    assert_eq!(unsigned.len(), 2);
    assert!(
        unsigned[0]
            .headers
            .get(webhooks::SIGNATURE_HEADER)
            .is_none()
    );

    // The counters move once the emulator has read each answer.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while emulator.stats().callbacks.delivered < 4 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let stats = emulator.stats().callbacks;
    assert_eq!(stats.delivered, 4);
    assert_eq!(stats.failed_attempts, 2);
    assert_eq!(stats.abandoned, 0);
}

#[tokio::test]
async fn contact_reply_is_delivered_as_message_inbound() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let app_id = create_app(&client, "inbound").await;
    // The first callback is held: one sent before it is answered would be recorded first.
    let mut sink = CallbackSink::slow_first(1, Duration::from_millis(100)).await;
    create_webhook(
        &client,
        &app_id,
        &sink.url,
        &["MESSAGE_INBOUND", "CONTACT_CREATE", "CONVERSATION_START"],
        Some("in"),
    )
    .await;
    let reply = emulator
        .reply_text(
            &app_id,
            ConversationChannel::Sms,
            "+46700000042",
            "Hi there",
        )
        .expect("reply");
    let callbacks = sink.until(|r| r.json().get("message").is_some()).await;
    let triggers: Vec<String> = callbacks
        .iter()
        .map(|r| {
            Receiver::new("in")
                .receive(&r.headers, &r.body, Utc::now())
                .unwrap()
                .trigger_name()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        triggers,
        ["CONTACT_CREATE", "CONVERSATION_START", "MESSAGE_INBOUND"]
    );
    // Contacts belong to the project, not to an app: their triggers carry an empty app id.
    let app_ids: Vec<String> = callbacks
        .iter()
        .map(|r| r.json()["app_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(app_ids, ["", app_id.as_str(), app_id.as_str()]);
    let Event::MessageInbound(inbound) = webhooks::parse(&callbacks[2].body).unwrap() else {
        panic!("not inbound");
    };
    assert_eq!(inbound.payload.id, reply.id);
    let text = inbound
        .payload
        .contact_message
        .as_ref()
        .and_then(|m| m.as_text());
    assert_eq!(text, Some("Hi there"));
    assert!(
        emulator
            .reply_text("no-such-app", ConversationChannel::Sms, "+1", "x")
            .is_err()
    );
}

#[tokio::test]
async fn too_many_requests_with_retry_after_is_retried_and_succeeds() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let app_id = create_app(&client, "retries").await;
    emulator.inject(
        Operation::SendMessage,
        2,
        Fault::too_many_requests(Duration::from_millis(20)),
    );
    let sent = client
        .send_text(&app_id, sms("+46700000010"), "eventually")
        .send()
        .await
        .expect("third attempt succeeds");
    assert!(sent.message_id.is_some());
    let stats = emulator.operation_stats(Operation::SendMessage);
    assert_eq!((stats.received, stats.injected, stats.succeeded), (3, 2, 1));
    assert_eq!(emulator.messages().len(), 1, "accepted exactly once");

    // The raw answer: 429, Retry-After, the API's error body.
    emulator.fail_next(Operation::ListApps, 1, 429);
    let response = raw(&emulator, reqwest::Method::GET, "/apps")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers()["retry-after"], "1");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], 429);
    assert_eq!(body["error"]["status"], "RESOURCE_EXHAUSTED");
    assert_eq!(body["error"]["details"], json!([]));

    // 500 is not retried by the client; it surfaces with the API's body.
    emulator.fail_next(Operation::GetApp, 1, 500);
    let failed = client.get_app().app_id(&app_id).send().await;
    assert_eq!(api_error(failed).await.status().as_u16(), 500);
    assert_eq!(emulator.operation_stats(Operation::GetApp).received, 1);
}

#[tokio::test]
async fn concurrent_sends_across_forced_token_expiry_are_accepted_exactly_once() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let app_id = create_app(&client, "expiry").await;
    assert_eq!(client.token_requests(), 1);

    // Every send waits a little on arrival, so all 64 are in flight when the tokens expire;
    // credentials are checked after the wait, so each is first rejected as expired.
    emulator.delay(Operation::SendMessage, Duration::from_millis(200));
    let sends = (0..64).map(|i| {
        let client = client.clone();
        let app_id = app_id.clone();
        async move {
            client
                .send_text(
                    &app_id,
                    sms(&format!("+4671{i:07}")),
                    format!("message {i}"),
                )
                .send()
                .await
        }
    });
    let all = futures_util::future::join_all(sends);
    let expire = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        emulator.expire_tokens();
    };
    let (results, ()) = tokio::join!(all, expire);

    let ids: HashSet<String> = results
        .into_iter()
        .map(|r| r.expect("every send succeeds").message_id.clone().unwrap())
        .collect();
    assert_eq!(ids.len(), 64);
    let stats = emulator.operation_stats(Operation::SendMessage);
    assert_eq!(stats.succeeded, 64, "each message accepted once");
    assert_eq!(stats.failed, 64, "each first attempt met the expired token");
    assert_eq!(stats.received, 128);
    let texts: HashSet<String> = emulator
        .messages()
        .iter()
        .filter_map(|m| app_text(m).map(str::to_owned))
        .collect();
    assert_eq!(texts.len(), 64);
    assert_eq!(emulator.messages().len(), 64);
    assert_eq!(
        client.token_requests(),
        2,
        "one refresh for all 64 (single flight)"
    );
    assert_eq!(emulator.stats().tokens_issued, 2);
}

#[tokio::test]
async fn credentials_and_errors_use_the_api_shapes() {
    let emulator = emulator().await;
    let http = reqwest::Client::new();
    let apps = format!(
        "{}/v1/projects/{}/apps",
        emulator.base_url(),
        emulator.project_id()
    );

    let missing = http.get(&apps).send().await.unwrap();
    assert_eq!(missing.status().as_u16(), 401);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["status"], "UNAUTHENTICATED");
    assert_eq!(body["error"]["code"], 401);

    let client = client(&emulator);
    client.authenticate().await.unwrap();
    emulator.expire_tokens();
    // A raw request with a stale token sees the expiry; the client refreshes transparently.
    let token = {
        let response = http
            .post(emulator.token_url())
            .basic_auth(emulator.key_id(), Some(emulator.key_secret()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .unwrap();
        let token: serde_json::Value = response.json().await.unwrap();
        assert_eq!(token["token_type"], "bearer");
        assert_eq!(token["expires_in"], 3600);
        token["access_token"].as_str().unwrap().to_owned()
    };
    emulator.expire_tokens();
    let expired = http.get(&apps).bearer_auth(&token).send().await.unwrap();
    assert_eq!(expired.status().as_u16(), 401);
    let challenge = expired.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        challenge,
        r#"Bearer error="invalid_token", error_description="Jwt expired""#
    );
    assert!(client.list_apps().send().await.is_ok());

    let wrong_key = http
        .post(emulator.token_url())
        .basic_auth(emulator.key_id(), Some("nope"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_key.status().as_u16(), 401);

    let malformed = raw(&emulator, reqwest::Method::POST, "/messages:send")
        .header("content-type", "application/json")
        .body("{\"app_id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status().as_u16(), 400);
    let body: serde_json::Value = malformed.json().await.unwrap();
    assert_eq!(body["error"]["status"], "INVALID_ARGUMENT");
    assert_eq!(body["error"]["details"], json!([]));

    let other_project = http
        .get(format!(
            "{}/v1/projects/someone-else/apps",
            emulator.base_url()
        ))
        .basic_auth(emulator.key_id(), Some(emulator.key_secret()))
        .send()
        .await
        .unwrap();
    assert_eq!(other_project.status().as_u16(), 403);

    let unknown = http
        .get(format!("{}/v2/nothing", emulator.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
}

#[tokio::test]
async fn dropped_connections_and_unavailable() {
    let emulator = emulator().await;
    let client = client(&emulator);
    client.authenticate().await.unwrap();

    // A GET whose connection drops is retried (idempotent) and succeeds.
    emulator.drop_next(Operation::ListApps, 1);
    client
        .list_apps()
        .send()
        .await
        .expect("retried after the drop");
    assert_eq!(emulator.operation_stats(Operation::ListApps).injected, 1);

    // A send whose connection drops is not retried (it may have been accepted): a transport error.
    let app_id = create_app(&client, "drops").await;
    emulator.drop_next(Operation::SendMessage, 1);
    let result = client
        .send_text(&app_id, sms("+46700000011"), "lost?")
        .send()
        .await;
    match result.expect_err("dropped") {
        Error::Transport(_) => {}
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert_eq!(emulator.operation_stats(Operation::SendMessage).received, 1);

    // 503 with Retry-After is retried.
    emulator.inject(
        Operation::GetApp,
        1,
        Fault::unavailable(Duration::from_millis(10)),
    );
    client
        .get_app()
        .app_id(&app_id)
        .send()
        .await
        .expect("retried after 503");
    assert_eq!(emulator.operation_stats(Operation::GetApp).received, 2);
}

#[tokio::test]
async fn http2_clients_and_submit_notifications() {
    let emulator = emulator().await;
    let client = emulator
        .client_builder()
        .http2_prior_knowledge()
        .retry_policy(emulator_support::quick_retries())
        .build()
        .unwrap();
    let app_id = create_app(&client, "h2").await;
    let mut sink = CallbackSink::start().await;
    create_webhook(&client, &app_id, &sink.url, &["MESSAGE_SUBMIT"], None).await;
    let sent = client
        .send_text(&app_id, sms("+46700000012"), "over h2")
        .send()
        .await
        .expect("served over HTTP/2");
    let Event::MessageSubmit(submit) = webhooks::parse(&sink.next().await.body).unwrap() else {
        panic!("expected a submit notification");
    };
    assert_eq!(submit.payload.message_id, sent.message_id);
    let text = submit
        .payload
        .submitted_message
        .as_ref()
        .and_then(|m| m.as_text());
    assert_eq!(text, Some("over h2"));
}

#[tokio::test]
async fn callbacks_of_one_call_arrive_in_order_and_contact_triggers_have_no_app() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let app_id = create_app(&client, "order").await;
    let other_app = create_app(&client, "other").await;
    let mut sink = CallbackSink::slow_first(1, Duration::from_millis(100)).await;
    let mut other = CallbackSink::start().await;
    create_webhook(
        &client,
        &app_id,
        &sink.url,
        &[
            "CONTACT_CREATE",
            "CONVERSATION_START",
            "MESSAGE_SUBMIT",
            "MESSAGE_DELIVERY",
        ],
        None,
    )
    .await;
    create_webhook(&client, &other_app, &other.url, &["CONTACT_CREATE"], None).await;

    // One send to a new number: five callbacks to one webhook, in the order they happen,
    // although the first is answered only after 100 ms.
    client
        .send_text(&app_id, sms("+46700000013"), "in order")
        .send()
        .await
        .unwrap();
    let received = sink
        .until(|r| r.json()["message_delivery_report"]["status"] == "DELIVERED")
        .await;
    let seen: Vec<(String, String)> = received
        .iter()
        .map(|r| {
            let json = r.json();
            let event = webhooks::parse(&r.body).unwrap();
            (
                event.trigger_name().unwrap().to_owned(),
                json["app_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let app = app_id.as_str();
    assert_eq!(
        seen,
        [
            ("CONTACT_CREATE", ""),
            ("CONVERSATION_START", app),
            ("MESSAGE_SUBMIT", app),
            ("MESSAGE_DELIVERY", app),
            ("MESSAGE_DELIVERY", app),
        ]
        .map(|(t, a)| (t.to_owned(), a.to_owned()))
    );
    assert_eq!(
        received[3].json()["message_delivery_report"]["status"],
        "QUEUED_ON_CHANNEL"
    );

    // The contact trigger reaches the other app's webhook too, with the same empty app id.
    let created = other.next().await.json();
    assert_eq!(created["app_id"], "");
    assert_eq!(
        created["contact_create_notification"]["contact"]["channel_identities"][0]["identity"],
        "+46700000013"
    );
    assert!(other.drain(Duration::from_millis(50)).await.is_empty());
}

#[tokio::test]
async fn overridden_callback_url_is_signed_with_the_app_secret() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let secret = "override-secret";
    let app = types::AppCreateRequest::new(vec![], "override").with_callback_settings(
        types::CallbackSettings {
            secret_for_overridden_callback_urls: Some(secret.into()),
        },
    );
    let app_id = client
        .create_app()
        .body(app)
        .send()
        .await
        .unwrap()
        .id
        .clone()
        .unwrap();
    let unsigned_app = create_app(&client, "no override secret").await;
    let mut sink = CallbackSink::start().await;
    let mut plain = CallbackSink::start().await;
    // The app's webhook (with its own secret) gets nothing: the reports go to the override.
    let mut webhook = CallbackSink::start().await;
    create_webhook(
        &client,
        &app_id,
        &webhook.url,
        &["MESSAGE_DELIVERY"],
        Some("webhook-secret"),
    )
    .await;

    let sent = client
        .send_text(&app_id, sms("+46700000014"), "signed override")
        .callback_url(&sink.url)
        .send()
        .await
        .unwrap();
    let reports = sink
        .until(|r| r.json()["message_delivery_report"]["status"] == "DELIVERED")
        .await;
    assert_eq!(reports.len(), 2);
    let receiver = Receiver::new(secret);
    for report in &reports {
        webhooks::verify(&report.headers, &report.body, secret, Utc::now())
            .expect("signed with secret_for_overridden_callback_urls");
        assert!(
            webhooks::verify(&report.headers, &report.body, "webhook-secret", Utc::now()).is_err()
        );
        let Event::MessageDelivery(delivery) = receiver
            .receive(&report.headers, &report.body, Utc::now())
            .unwrap()
        else {
            panic!("expected a delivery report");
        };
        assert_eq!(delivery.envelope.app_id.as_deref(), Some(app_id.as_str()));
        assert_eq!(delivery.payload.message_id, sent.message_id);
    }
    assert!(webhook.drain(Duration::from_millis(50)).await.is_empty());

    // An app without that secret sends the overridden reports unsigned.
    client
        .send_text(&unsigned_app, sms("+46700000015"), "unsigned override")
        .callback_url(&plain.url)
        .send()
        .await
        .unwrap();
    let reports = plain
        .until(|r| r.json()["message_delivery_report"]["status"] == "DELIVERED")
        .await;
    assert_eq!(reports.len(), 2);
    for report in &reports {
        assert!(report.headers.get(webhooks::SIGNATURE_HEADER).is_none());
        assert!(report.headers.get(webhooks::NONCE_HEADER).is_none());
    }
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
