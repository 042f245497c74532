//! Model-level guarantees: open enums, JSON Schema export, recipient shapes.

use std::str::FromStr;

use serde_json::json;
use sinch_conversation::types::{self, ConversationChannel, WebhookTrigger};

#[test]
fn open_enums_round_trip_known_and_unknown_values() {
    for value in [
        "SMS",
        "WHATSAPP",
        "CHANNEL_UNSPECIFIED",
        "TELEGRAM",
        "KAKAOTALK",
        "lower-case-new",
    ] {
        let parsed: ConversationChannel = serde_json::from_value(json!(value)).unwrap();
        assert_eq!(serde_json::to_value(&parsed).unwrap(), json!(value));
        assert_eq!(parsed.to_string(), value);
        assert_eq!(ConversationChannel::from_str(value).unwrap(), parsed);
    }
    assert_eq!(ConversationChannel::from("SMS"), ConversationChannel::Sms);
    assert!(!ConversationChannel::Sms.is_other());
    // The channels are the official document's; anything newer is kept.
    assert_eq!(
        ConversationChannel::from("APPLEBC"),
        ConversationChannel::Applebc
    );
    assert_eq!(
        ConversationChannel::from("KAKAOTALKCHAT"),
        ConversationChannel::Kakaotalkchat
    );
    assert_eq!(
        ConversationChannel::from("NEXTGEN_CHAT"),
        ConversationChannel::Other("NEXTGEN_CHAT".into())
    );
    assert_eq!(ConversationChannel::KNOWN.len(), 13);
    // The official document lists neither `CHANNEL_UNSPECIFIED` nor `VIBER` (only `VIBERBM`):
    // they are kept as they came, like any value it does not know.
    assert_eq!(
        ConversationChannel::from("CHANNEL_UNSPECIFIED"),
        ConversationChannel::Other("CHANNEL_UNSPECIFIED".into())
    );
    assert_eq!(
        ConversationChannel::from("VIBER"),
        ConversationChannel::Other("VIBER".into())
    );
    assert_eq!(
        ConversationChannel::from("VIBERBM"),
        ConversationChannel::Viberbm
    );
}

#[test]
fn open_enum_collections_keep_unknown_members() {
    let triggers: Vec<WebhookTrigger> = serde_json::from_value(json!([
        "MESSAGE_INBOUND",
        "SMART_CONVERSATION",
        "NEXTGEN_TRIGGER"
    ]))
    .unwrap();
    assert_eq!(triggers[0], WebhookTrigger::MessageInbound);
    // `SMART_CONVERSATION` is the official document's trigger (the 2022 seed had `..._CONVERSATIONS`).
    assert_eq!(triggers[1], WebhookTrigger::SmartConversation);
    assert_eq!(triggers[1].as_str(), "SMART_CONVERSATION");
    assert!(!triggers[1].is_other());
    assert!(triggers[2].is_other());
    assert_eq!(triggers[2].as_str(), "NEXTGEN_TRIGGER");
    assert_eq!(
        serde_json::to_value(&triggers).unwrap(),
        json!(["MESSAGE_INBOUND", "SMART_CONVERSATION", "NEXTGEN_TRIGGER"])
    );
}

#[test]
fn open_enums_reject_non_strings() {
    assert!(serde_json::from_value::<ConversationChannel>(json!(3)).is_err());
    assert!(serde_json::from_value::<ConversationChannel>(json!(null)).is_err());
}

#[test]
fn recipient_is_either_a_contact_id_or_channel_identities_never_neither() {
    let by_contact: types::Recipient = serde_json::from_value(json!({"contact_id": "c1"})).unwrap();
    assert_eq!(
        by_contact.kind,
        types::RecipientBase::ContactId("c1".into())
    );
    let by_identity: types::Recipient = serde_json::from_value(json!({
        "identified_by": {"channel_identities": [{"channel": "SMS", "identity": "+4670"}]}
    }))
    .unwrap();
    let types::RecipientBase::IdentifiedBy(list) = &by_identity.kind else {
        panic!("expected identities: {:?}", by_identity.kind);
    };
    assert_eq!(list.channel_identities.len(), 1);
    assert_eq!(list.channel_identities[0].channel, ConversationChannel::Sms);
    assert_eq!(list.channel_identities[0].identity, "+4670");
    // Neither, or both at once, names no kind: the official one-of has no discriminator, so
    // such a recipient is kept as its raw JSON (`Unknown`), and the send helpers refuse it
    // before any request (see `message_helpers.rs`).
    let neither: types::Recipient = serde_json::from_value(json!({})).unwrap();
    assert_eq!(
        neither.kind,
        types::RecipientBase::Unknown(Default::default())
    );
    let both = json!({
        "contact_id": "c1",
        "identified_by": {"channel_identities": [{"channel": "SMS", "identity": "+4670"}]}
    });
    let both_parsed: types::Recipient = serde_json::from_value(both.clone()).unwrap();
    assert_eq!(
        both_parsed.kind,
        types::RecipientBase::Unknown(both.as_object().cloned().unwrap())
    );
    assert_eq!(serde_json::to_value(&both_parsed).unwrap(), both);
    // Open to fields added later (recipients come back in responses too).
    let newer: types::Recipient =
        serde_json::from_value(json!({"contact_id": "c1", "future_field": 1})).unwrap();
    assert_eq!(newer.kind, types::RecipientBase::ContactId("c1".into()));
    // Request and response recipients are the same one-of.
    let request = types::RecipientRequest::from(by_identity.clone());
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        serde_json::to_value(&by_identity).unwrap()
    );
}

#[test]
fn send_message_request_exports_a_json_schema() {
    let schema = schemars::schema_for!(types::SendMessageRequest);
    let schema = serde_json::to_value(&schema).unwrap();
    let properties = &schema["properties"];
    for field in [
        "app_id",
        "recipient",
        "message",
        "ttl",
        "channel_priority_order",
    ] {
        assert!(
            properties.get(field).is_some(),
            "schema lacks {field}: {schema:#}"
        );
    }
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in ["app_id", "recipient", "message"] {
        assert!(required.contains(&field), "{field} should be required");
    }
    // The project is a path parameter; the official body has no `project_id`.
    assert!(properties.get("project_id").is_none(), "{schema:#}");
    // Open enums are strings that list their known values without rejecting new ones.
    let channel = &schema["definitions"]["ConversationChannel"];
    assert_eq!(channel["type"], "string");
    assert!(channel.get("enum").is_none());
    assert!(
        channel["examples"]
            .as_array()
            .unwrap()
            .contains(&json!("WHATSAPP"))
    );
}

#[test]
fn credentials_in_models_are_hidden_from_debug_but_sent_as_is() {
    let webhook: types::Webhook = serde_json::from_value(json!({
        "app_id": "a1", "target": "https://example.com/cb", "triggers": ["MESSAGE_DELIVERY"],
        "secret": "webhook-secret-1"
    }))
    .unwrap();
    let app: types::AppResponse = serde_json::from_value(json!({
        "channel_credentials": [
            {"channel": "SMS", "static_bearer": {"claimed_identity": "plan", "token": "sms-token-1"},
             "callback_secret": "callback-secret-1"},
            {"channel": "TELEGRAM", "telegram_credentials": {"token": "telegram-token-1"}}
        ],
        "callback_settings": {"secret_for_overridden_callback_urls": "override-secret-1"}
    }))
    .unwrap();
    let shown = format!("{webhook:?} {app:?} {app:#?}");
    for secret in [
        "webhook-secret-1",
        "sms-token-1",
        "callback-secret-1",
        "telegram-token-1",
        "override-secret-1",
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains(r#"Secret("***")"#));
    assert_eq!(
        webhook.secret.as_ref().map(|s| s.expose()),
        Some("webhook-secret-1")
    );
    // On the wire they are the plain strings.
    let sent = serde_json::to_value(&app).unwrap();
    assert_eq!(
        sent["channel_credentials"][0]["static_bearer"]["token"],
        "sms-token-1"
    );
    assert_eq!(
        sent["channel_credentials"][1]["telegram_credentials"]["token"],
        "telegram-token-1"
    );
    assert_eq!(
        sent["callback_settings"]["secret_for_overridden_callback_urls"],
        "override-secret-1"
    );
    // The JSON Schema still says string.
    let schema = serde_json::to_value(schemars::schema_for!(types::Webhook)).unwrap();
    assert_eq!(
        schema.pointer("/definitions/Secret/type"),
        Some(&json!("string"))
    );
}
