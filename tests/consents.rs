//! Consents area: the identities of a consent list, the audit records of an identity, and the
//! (deprecated) opt-in and opt-out registration; on httpmock, then against the emulator.

mod common;
mod emulator_support;

use chrono::{DateTime, Utc};
use common::{Api, PROJECT};
use httpmock::Method::{GET, POST};
use serde_json::json;
use sinch_conversation::types;

fn ts(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 timestamp")
}

#[tokio::test]
async fn get_consents_sends_the_list_type_and_page_parameters() {
    let api = Api::start().await;
    let page = api
        .expect(GET, "/apps/app-1/consents/OPT_OUT_MARKETING")
        .query("page_size=50&page_token=tok-1")
        .reply(json!({
            "identities": [
                {"identity": "+46700000001"},
                {"identity": "+46700000002"}
            ],
            "next_page_token": "tok-2"
        }))
        .run(
            api.client
                .get_consents()
                .app_id("app-1")
                .list_type(types::ConsentsListType::OptOutMarketing)
                .page_size(50)
                .page_token("tok-1")
                .send(),
        )
        .await
        .expect("list succeeds");

    let identities: Vec<&str> = page
        .identities
        .iter()
        .map(|i| i.identity.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(identities, ["+46700000001", "+46700000002"]);
    assert_eq!(page.next_page_token.as_deref(), Some("tok-2"));
}

#[tokio::test]
async fn get_consents_of_every_known_list_type() {
    let api = Api::start().await;
    for (list_type, wire) in [
        (types::ConsentsListType::OptOutAll, "OPT_OUT_ALL"),
        (
            types::ConsentsListType::OptOutNotification,
            "OPT_OUT_NOTIFICATION",
        ),
        // A list type this version does not know still goes out as given.
        (
            types::ConsentsListType::Other("OPT_OUT_SURVEYS".into()),
            "OPT_OUT_SURVEYS",
        ),
    ] {
        let page = api
            .expect(GET, &format!("/apps/app-1/consents/{wire}"))
            .reply(json!({"identities": []}))
            .run(
                api.client
                    .get_consents()
                    .app_id("app-1")
                    .list_type(list_type)
                    .send(),
            )
            .await
            .unwrap();

        assert!(page.identities.is_empty());
        assert_eq!(page.next_page_token, None);
    }
}

#[tokio::test]
async fn get_consents_audit_records_parses_the_records_of_an_identity() {
    let api = Api::start().await;
    let records = api
        .expect(GET, "/apps/app-1/consents/identities/+46700000001")
        .reply(json!({
            "identity": {"identity": "+46700000001"},
            "audit_records": [
                {
                    "origin": "ORIGIN_MO",
                    "operation": "OPERATION_INSERT",
                    "list_type": "OPT_OUT_ALL",
                    "project_id": PROJECT,
                    "app_id": "app-1",
                    "datetime": "2026-11-20T08:00:00Z"
                },
                {
                    "origin": "ORIGIN_API",
                    "operation": "OPERATION_DELETE",
                    "list_type": "OPT_OUT_ALL",
                    "project_id": PROJECT,
                    "app_id": "app-1",
                    "datetime": "2026-11-25T09:30:00.5Z"
                }
            ]
        }))
        .run(
            api.client
                .get_consents_audit_records()
                .app_id("app-1")
                .identity("+46700000001")
                .send(),
        )
        .await
        .expect("list succeeds");

    assert_eq!(
        records.identity.as_ref().unwrap().identity.as_deref(),
        Some("+46700000001")
    );
    assert_eq!(records.audit_records.len(), 2);
    let first = &records.audit_records[0];
    assert_eq!(first.origin, Some(types::AuditRecordOrigin::OriginMo));
    assert_eq!(
        first.operation,
        Some(types::AuditRecordOperation::OperationInsert)
    );
    assert_eq!(first.list_type, Some(types::ConsentsListType::OptOutAll));
    assert_eq!(first.app_id.as_deref(), Some("app-1"));
    assert_eq!(first.datetime, Some(ts("2026-11-20T08:00:00Z")));
    assert_eq!(
        records.audit_records[1].operation,
        Some(types::AuditRecordOperation::OperationDelete)
    );
}

#[tokio::test]
async fn get_consents_audit_records_keeps_unknown_enum_values() {
    let api = Api::start().await;
    let records = api
        .expect(GET, "/apps/app-1/consents/identities/alice")
        .reply(json!({
            "identity": {"identity": "alice"},
            "audit_records": [{
                "origin": "ORIGIN_DASHBOARD",
                "operation": "OPERATION_MERGE",
                "list_type": "OPT_OUT_SURVEYS",
                "datetime": "2026-11-20T08:00:00Z"
            }]
        }))
        .run(
            api.client
                .get_consents_audit_records()
                .app_id("app-1")
                .identity("alice")
                .send(),
        )
        .await
        .expect("unknown values do not fail the response");

    let record = &records.audit_records[0];
    assert_eq!(
        record.origin,
        Some(types::AuditRecordOrigin::Other("ORIGIN_DASHBOARD".into()))
    );
    assert_eq!(
        record.operation,
        Some(types::AuditRecordOperation::Other("OPERATION_MERGE".into()))
    );
    assert_eq!(
        record.list_type.as_ref().map(|t| t.as_str()),
        Some("OPT_OUT_SURVEYS")
    );
}

#[tokio::test]
// The opt-in/opt-out registration is deprecated (absent from the current reference).
#[allow(deprecated)]
async fn register_opt_in_sends_request_id_query() {
    let api = Api::start().await;
    let body =
        json!({"app_id": "app-1", "channels": ["WHATSAPP"], "recipient": {"contact_id": "c1"}});
    let opt_in = types::OptIn {
        app_id: "app-1".into(),
        channels: vec![types::ConversationChannel::Whatsapp],
        recipient: Some(types::Recipient::contact("c1")),
    };
    let response = api
        .expect(POST, "/optins:register")
        .query("request_id=r-1")
        .json_body(body.clone())
        .reply(json!({"request_id": "r-1", "opt_in": body}))
        .run(
            api.client
                .register_opt_in()
                .request_id("r-1")
                .body(opt_in)
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(response.request_id.as_deref(), Some("r-1"));
    assert_eq!(
        response.opt_in.as_ref().unwrap().channels,
        vec![types::ConversationChannel::Whatsapp]
    );
}

#[tokio::test]
// The opt-in/opt-out registration is deprecated (absent from the current reference).
#[allow(deprecated)]
async fn register_opt_out() {
    let api = Api::start().await;
    let body =
        json!({"app_id": "app-1", "channels": ["SMS", "VIBER"], "recipient": {"contact_id": "c1"}});
    let opt_out = types::OptOut {
        app_id: "app-1".into(),
        channels: vec![
            types::ConversationChannel::Sms,
            types::ConversationChannel::from("VIBER"),
        ],
        recipient: Some(types::Recipient::contact("c1")),
    };
    let response = api
        .expect(POST, "/optouts:register")
        .json_body(body.clone())
        .reply(json!({"request_id": "r-2", "opt_out": body}))
        .run(api.client.register_opt_out().body(opt_out).send())
        .await
        .unwrap();

    assert_eq!(response.opt_out.as_ref().unwrap().app_id, "app-1");
}

/// Against the emulator: opting out blocks sends (and opting in lifts it), the consent lists
/// and their audit records, and the profiles and identity conflicts of contacts.
mod emulator {
    use sinch_conversation::{
        types::{self, ConversationChannel, Recipient},
        webhooks::{self, Event},
    };

    use crate::emulator_support::{
        CallbackSink, client, contact, create_app, create_webhook, emulator,
    };

    fn opt_out(app_id: &str, recipient: &Recipient) -> types::OptOut {
        types::OptOut {
            app_id: app_id.into(),
            channels: vec![ConversationChannel::Sms],
            recipient: Some(recipient.clone()),
        }
    }

    fn opt_in(app_id: &str, recipient: &Recipient) -> types::OptIn {
        types::OptIn {
            app_id: app_id.into(),
            channels: vec![ConversationChannel::Sms],
            recipient: Some(recipient.clone()),
        }
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

        let response = client
            .register_opt_out()
            .request_id("req-1")
            .body(opt_out(&app_id, &recipient))
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
        let response = client
            .register_opt_in()
            .body(opt_in(&app_id, &recipient))
            .send()
            .await
            .unwrap();
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
    // Opt-in and opt-out registration: the overlay's operations, deprecated (absent from the
    // official reference) but still answered, and so emulated.
    #[allow(deprecated)]
    async fn consents_profiles_and_identity_conflicts() {
        let emulator = emulator().await;
        let client = client(&emulator);
        let app_id = create_app(&client, "consents").await;
        let number = "+46700000020";
        let recipient = Recipient::channel(ConversationChannel::Sms, number);
        for opting_in in [false, true, false] {
            if opting_in {
                let body = opt_in(&app_id, &recipient);
                client.register_opt_in().body(body).send().await.unwrap();
            } else {
                let body = opt_out(&app_id, &recipient);
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

        let viber = types::ChannelIdentity {
            app_id: None,
            channel: ConversationChannel::from("VIBER"),
            identity: "viber-1".into(),
        };
        let viber = types::ContactCreateRequest::new(vec![viber], types::ContactLanguage::EnUs)
            .with_display_name("Vera");
        let vera = client.create_contact().body(viber).send().await.unwrap();
        let request = types::GetChannelProfileRequest {
            app_id: app_id.clone(),
            channel: types::GetChannelProfileConversationChannel::Viber,
            recipient: Recipient::contact(vera.id.clone().unwrap()),
        };
        let profile = client
            .get_channel_profile()
            .body(request)
            .send()
            .await
            .unwrap();
        assert_eq!(profile.profile_name.as_deref(), Some("Vera"));
    }
}
