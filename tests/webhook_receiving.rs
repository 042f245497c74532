//! Webhooks: signature verification, typed callback events, robustness, and the axum extractor.

mod common;

use std::{collections::HashMap, time::Duration};

use common::webhooks::{NONCE, SECRET, SIGNATURE, TIMESTAMP};

use chrono::{DateTime, TimeZone, Utc};
use sinch_conversation::{
    types::{
        CapabilityEventCapabilityNotificationCapabilityStatus, CommentEventCommentType,
        ContactEvent, ContactLanguage, ContactMessageEvent, ContactMessageTypes,
        ConversationChannel, ConversationDirection, ConversationMessage, ConversationMessageTypes,
        DeliveryStatus, EventInboundEventDirection, MessageInboundEventItemDirection,
        OffensiveAnalysisEvaluation, OptInEventOptInNotificationStatus,
        OptOutEventOptOutNotificationStatus, ProcessingMode, ReactionAction, ReasonCode,
        ReasonSubCode, RecordNotificationEventRecordNotificationRecordStatus, Sentiment,
        WebhookTrigger,
    },
    webhooks::{
        self, ALGORITHM_HEADER, Callback, Envelope, Event, HeaderLookup, NONCE_HEADER, ParseError,
        Parser, Receiver, SIGNATURE_HEADER, SignatureError, TIMESTAMP_HEADER, Verifier, events,
        parse, sign, sign_headers, verify,
    },
};

// ---------------------------------------------------------------------------------------------
// Helpers

/// The documented test vector body, byte for byte.
const VECTOR_BODY: &str = r#"{"app_id":"","accepted_time":"2021-10-18T17:49:13.813615Z","project_id":"e2df3a34-a71b-4448-9db5-a8d2baad28e4","contact_create_notification":{"contact":{"id":"01FJA8B466Y0R2GNXD78MD9SM1","channel_identities":[{"channel":"SMS","identity":"48123456789","app_id":""}],"display_name":"New Test Contact","email":"new.contact@email.com","external_id":"","metadata":"","language":"EN_US"}},"message_metadata":""}"#;

const APP: &str = "01EB37HMH1M6SV18ASNS3G135H";
const PROJECT: &str = "c36f3d3d-1513-4edd-ae42-11995557ff61";
const CONTACT: &str = "01EKA07N79THJ20ZSN6AS30TMW";
const CONVERSATION: &str = "01EKA07N79THJ20ZSN6AS30TMX";

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).unwrap()
}

/// The test vector's headers, with names in the casing a proxy might use.
fn vector_headers() -> Vec<(String, String)> {
    vec![
        ("X-Sinch-Webhook-Signature".into(), SIGNATURE.into()),
        ("X-Sinch-Webhook-Signature-Nonce".into(), NONCE.into()),
        (
            "X-Sinch-Webhook-Signature-Timestamp".into(),
            TIMESTAMP.to_string(),
        ),
        (
            "X-Sinch-Webhook-Signature-Algorithm".into(),
            "HmacSHA256".into(),
        ),
    ]
}

fn without(headers: &[(String, String)], name: &str) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case(name))
        .cloned()
        .collect()
}

fn replace(headers: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut out = without(headers, name);
    out.push((name.to_owned(), value.to_owned()));
    out
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/resources/webhooks/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn all_fixtures() -> Vec<(String, Vec<u8>)> {
    common::webhooks::all_fixtures(env!("CARGO_MANIFEST_DIR"))
}

fn event(name: &str) -> Event {
    parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Unwraps one variant of [`Event`], failing the test with the actual event otherwise.
macro_rules! variant {
    ($event:expr, $variant:path) => {
        match $event {
            $variant(inner) => inner,
            other => panic!("expected {}, got {other:?}", stringify!($variant)),
        }
    };
}

fn assert_standard_envelope(envelope: &Envelope) {
    assert_eq!(envelope.app_id.as_deref(), Some(APP));
    assert_eq!(envelope.project_id.as_deref(), Some(PROJECT));
    assert_eq!(
        envelope.accepted_time,
        Some(
            "2020-11-17T16:05:51.724083Z"
                .parse::<DateTime<Utc>>()
                .unwrap()
        )
    );
    assert_eq!(envelope.event_time, Some(at(1_605_629_145)));
}

// ---------------------------------------------------------------------------------------------
// Signatures

#[test]
fn sign_matches_the_documented_test_vector() {
    assert_eq!(
        sign(SECRET, VECTOR_BODY.as_bytes(), NONCE, TIMESTAMP),
        SIGNATURE
    );
    // The fixture file is the same bytes.
    assert_eq!(fixture("signed_contact_create"), VECTOR_BODY.as_bytes());
}

#[test]
fn verify_accepts_the_documented_test_vector_with_an_injected_clock() {
    let headers = vector_headers();
    assert_eq!(
        verify(&headers, VECTOR_BODY.as_bytes(), SECRET, at(TIMESTAMP)),
        Ok(())
    );
    assert_eq!(
        verify(
            &headers,
            VECTOR_BODY.as_bytes(),
            SECRET,
            at(TIMESTAMP + 299)
        ),
        Ok(())
    );
    // And the body then parses into the contact it describes.
    let cb = variant!(parse(VECTOR_BODY.as_bytes()).unwrap(), Event::ContactCreate);
    let contact = cb.payload.contact.unwrap();
    assert_eq!(contact.id.as_deref(), Some("01FJA8B466Y0R2GNXD78MD9SM1"));
    assert_eq!(contact.language, Some(ContactLanguage::EnUs));
    assert_eq!(cb.envelope.app_id.as_deref(), Some(""));
    assert_eq!(cb.envelope.message_metadata.as_deref(), Some(""));
}

#[test]
fn header_names_are_case_insensitive_for_every_header_container() {
    let body = VECTOR_BODY.as_bytes();
    let now = at(TIMESTAMP);

    let upper: Vec<(String, String)> = vector_headers()
        .into_iter()
        .map(|(k, v)| (k.to_uppercase(), v))
        .collect();
    assert_eq!(verify(&upper, body, SECRET, now), Ok(()));

    let slice: &[(String, String)] = &upper;
    assert_eq!(verify(slice, body, SECRET, now), Ok(()));

    let map: HashMap<String, String> = vector_headers().into_iter().collect();
    assert_eq!(verify(&map, body, SECRET, now), Ok(()));

    let mut header_map = http::HeaderMap::new();
    for (k, v) in vector_headers() {
        header_map.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            http::HeaderValue::from_str(&v).unwrap(),
        );
    }
    assert_eq!(verify(&header_map, body, SECRET, now), Ok(()));

    let array = sign_headers(SECRET, body, NONCE, TIMESTAMP);
    assert_eq!(verify(&array, body, SECRET, now), Ok(()));
    assert_eq!(
        array.header(SIGNATURE_HEADER),
        Some(SIGNATURE.as_bytes()),
        "sign_headers carries the documented signature"
    );
}

#[test]
fn each_missing_header_is_named() {
    for name in [
        SIGNATURE_HEADER,
        NONCE_HEADER,
        TIMESTAMP_HEADER,
        ALGORITHM_HEADER,
    ] {
        let headers = without(&vector_headers(), name);
        assert_eq!(
            verify(&headers, VECTOR_BODY.as_bytes(), SECRET, at(TIMESTAMP)),
            Err(SignatureError::MissingHeader { name }),
        );
    }
    let none: [(&str, &str); 0] = [];
    let err = verify(&none, b"{}", SECRET, at(TIMESTAMP)).unwrap_err();
    assert!(matches!(err, SignatureError::MissingHeader { .. }));
    assert!(err.to_string().contains("x-sinch-webhook-signature"));
}

#[test]
fn an_unsupported_algorithm_is_rejected() {
    for algorithm in ["HmacSHA1", "HmacSHA512", "none", ""] {
        let headers = replace(&vector_headers(), ALGORITHM_HEADER, algorithm);
        assert_eq!(
            verify(&headers, VECTOR_BODY.as_bytes(), SECRET, at(TIMESTAMP)),
            Err(SignatureError::UnsupportedAlgorithm {
                algorithm: algorithm.to_owned()
            }),
        );
    }
    // Only the ASCII case of the algorithm name is forgiven.
    let headers = replace(&vector_headers(), ALGORITHM_HEADER, "hmacsha256");
    assert_eq!(
        verify(&headers, VECTOR_BODY.as_bytes(), SECRET, at(TIMESTAMP)),
        Ok(())
    );
    // The echoed name is bounded.
    let long = "A".repeat(10_000);
    let headers = replace(&vector_headers(), ALGORITHM_HEADER, &long);
    let err = verify(&headers, VECTOR_BODY.as_bytes(), SECRET, at(TIMESTAMP)).unwrap_err();
    assert!(err.to_string().len() < 200, "{err}");
}

#[test]
fn a_malformed_timestamp_is_rejected() {
    for timestamp in [
        "",
        "abc",
        "-1634579353",
        "+1634579353",
        "1634579353.5",
        "1e9",
        "99999999999999999999",
    ] {
        let headers = replace(&vector_headers(), TIMESTAMP_HEADER, timestamp);
        assert_eq!(
            verify(&headers, VECTOR_BODY.as_bytes(), SECRET, at(TIMESTAMP)),
            Err(SignatureError::InvalidTimestamp),
            "{timestamp:?}"
        );
    }
}

#[test]
fn a_timestamp_outside_the_tolerance_is_rejected_both_ways() {
    let headers = vector_headers();
    let body = VECTOR_BODY.as_bytes();
    // Exactly at the edge of the default five minutes: accepted.
    assert_eq!(verify(&headers, body, SECRET, at(TIMESTAMP + 300)), Ok(()));
    assert_eq!(verify(&headers, body, SECRET, at(TIMESTAMP - 300)), Ok(()));
    // One second beyond, either way: rejected.
    assert_eq!(
        verify(&headers, body, SECRET, at(TIMESTAMP + 301)),
        Err(SignatureError::TimestampOutsideTolerance {
            timestamp: TIMESTAMP,
            now: TIMESTAMP + 301,
            tolerance: Duration::from_secs(300),
        })
    );
    assert!(matches!(
        verify(&headers, body, SECRET, at(TIMESTAMP - 301)),
        Err(SignatureError::TimestampOutsideTolerance { .. })
    ));
    // The real clock: the 2021 vector is a replay.
    assert!(matches!(
        verify(&headers, body, SECRET, Utc::now()),
        Err(SignatureError::TimestampOutsideTolerance { .. })
    ));
}

#[test]
fn the_tolerance_is_configurable() {
    let headers = vector_headers();
    let body = VECTOR_BODY.as_bytes();
    let strict = Verifier::new(SECRET).with_tolerance(Duration::from_secs(10));
    assert_eq!(strict.tolerance(), Duration::from_secs(10));
    assert_eq!(strict.verify(&headers, body, at(TIMESTAMP + 10)), Ok(()));
    assert!(matches!(
        strict.verify(&headers, body, at(TIMESTAMP + 11)),
        Err(SignatureError::TimestampOutsideTolerance { .. })
    ));
    let lenient = Verifier::new(SECRET).with_tolerance(Duration::from_secs(3600));
    assert_eq!(lenient.verify(&headers, body, at(TIMESTAMP + 3600)), Ok(()));
    let exact = Verifier::new(SECRET).with_tolerance(Duration::ZERO);
    assert_eq!(exact.verify(&headers, body, at(TIMESTAMP)), Ok(()));
    assert!(exact.verify(&headers, body, at(TIMESTAMP + 1)).is_err());
}

#[test]
fn a_signature_that_is_not_base64_is_rejected() {
    for signature in [
        "not base64!",
        "6bpJoRmFoXVjfJIVglMoJzYXxnoxRujzR4k2GOXewOE",
        "====",
        &"A".repeat(500),
    ] {
        let headers = replace(&vector_headers(), SIGNATURE_HEADER, signature);
        assert_eq!(
            verify(&headers, VECTOR_BODY.as_bytes(), SECRET, at(TIMESTAMP)),
            Err(SignatureError::InvalidSignatureEncoding),
            "{signature:?}"
        );
    }
}

#[test]
fn any_change_to_secret_body_nonce_timestamp_or_signature_is_a_mismatch() {
    let body = VECTOR_BODY.as_bytes();
    let now = at(TIMESTAMP);
    let headers = vector_headers();
    let mismatch = Err(SignatureError::SignatureMismatch);

    assert_eq!(verify(&headers, body, "foo_secret1235", now), mismatch);

    let mut changed = body.to_vec();
    changed[10] ^= 1;
    assert_eq!(verify(&headers, &changed, SECRET, now), mismatch);

    // Re-serialised JSON is not the body that was signed.
    let reserialised =
        serde_json::to_vec_pretty(&serde_json::from_slice::<serde_json::Value>(body).unwrap())
            .unwrap();
    assert_eq!(verify(&headers, &reserialised, SECRET, now), mismatch);

    let other_nonce = replace(&headers, NONCE_HEADER, "01FJA8B4A7BM43YGWSG9GBV068");
    assert_eq!(verify(&other_nonce, body, SECRET, now), mismatch);

    let other_timestamp = replace(&headers, TIMESTAMP_HEADER, &(TIMESTAMP + 1).to_string());
    assert_eq!(verify(&other_timestamp, body, SECRET, now), mismatch);

    let truncated = replace(
        &headers,
        SIGNATURE_HEADER,
        "6bpJoRmFoXVjfJIVglMoJzYXxnoxRujzR4k2GOXe",
    );
    assert_eq!(verify(&truncated, body, SECRET, now), mismatch);

    let other = replace(
        &headers,
        SIGNATURE_HEADER,
        &sign(SECRET, b"{}", NONCE, TIMESTAMP),
    );
    assert_eq!(verify(&other, body, SECRET, now), mismatch);
}

#[test]
fn an_empty_secret_is_refused() {
    let body = b"{}";
    let headers = sign_headers("", body, NONCE, TIMESTAMP);
    assert_eq!(
        verify(&headers, body, "", at(TIMESTAMP)),
        Err(SignatureError::EmptySecret)
    );
}

#[test]
fn surrounding_whitespace_in_header_values_is_ignored() {
    let headers: Vec<(String, String)> = vector_headers()
        .into_iter()
        .map(|(k, v)| (k, format!(" {v}\t")))
        .collect();
    assert_eq!(
        verify(&headers, VECTOR_BODY.as_bytes(), SECRET, at(TIMESTAMP)),
        Ok(())
    );
}

#[test]
fn secrets_never_appear_in_debug_or_errors() {
    let verifier = Verifier::new(SECRET);
    assert!(!format!("{verifier:?}").contains(SECRET));
    let receiver = Receiver::new(SECRET);
    assert!(!format!("{receiver:?}").contains(SECRET));
    let headers = vector_headers();
    let err = verify(&headers, b"tampered", SECRET, at(TIMESTAMP)).unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains(SECRET) && !shown.contains(SIGNATURE),
        "{shown}"
    );
}

// ---------------------------------------------------------------------------------------------
// Typed events, one per trigger

#[test]
fn message_inbound() {
    let event = event("message_inbound");
    assert_eq!(event.trigger(), Some(WebhookTrigger::MessageInbound));
    assert_eq!(event.trigger_name(), Some("MESSAGE_INBOUND"));
    assert_eq!(event.payload_field(), Some("message"));
    let cb = variant!(event, Event::MessageInbound);
    assert_standard_envelope(&cb.envelope);
    assert_eq!(cb.envelope.message_metadata.as_deref(), Some(""));
    assert_eq!(cb.envelope.correlation_id.as_deref(), Some(""));
    let m = cb.payload;
    assert_eq!(m.id.as_deref(), Some("01EQBC1A3BEK731GY4YXEN0C2R"));
    assert_eq!(m.direction, Some(MessageInboundEventItemDirection::ToApp));
    assert_eq!(m.conversation_id.as_deref(), Some(CONVERSATION));
    assert_eq!(m.contact_id.as_deref(), Some(CONTACT));
    assert_eq!(m.sender_id.as_deref(), Some("46700000000"));
    assert_eq!(m.processing_mode, Some(ProcessingMode::Conversation));
    assert_eq!(m.injected, Some(false));
    let identity = m.channel_identity.clone().unwrap();
    assert_eq!(identity.channel, ConversationChannel::Whatsapp);
    assert_eq!(identity.identity, "46732001122");
    let content = m.contact_message.clone().unwrap();
    assert_eq!(content.as_text(), Some("Hello, is anyone there?"));
    assert_eq!(
        content.reply_to.as_ref().map(|r| r.message_id.as_str()),
        Some("01EQBC0PEPJ0YA1A6N8W2GN1ZD")
    );
    // The payload converts to the API's generic message model (through its JSON form: the
    // generated models have no direct conversion).
    let generic: ConversationMessage =
        serde_json::from_value(serde_json::to_value(&m).unwrap()).unwrap();
    assert_eq!(generic.id.as_deref(), Some("01EQBC1A3BEK731GY4YXEN0C2R"));
    assert_eq!(generic.direction, Some(ConversationDirection::ToApp));
    assert!(matches!(
        generic.kind,
        ConversationMessageTypes::ContactMessage(_)
    ));
}

#[test]
fn message_inbound_with_media_on_an_app_scoped_identity() {
    let cb = variant!(event("message_inbound_media"), Event::MessageInbound);
    let m = cb.payload;
    match m.contact_message.unwrap().kind {
        ContactMessageTypes::MediaMessage(media) => {
            assert_eq!(media.url, "https://example.com/cat.jpg");
        }
        other => panic!("expected a media message, got {other:?}"),
    }
    let identity = m.channel_identity.unwrap();
    assert_eq!(identity.channel, ConversationChannel::Messenger);
    assert_eq!(identity.app_id.as_deref(), Some(APP));
    assert_eq!(cb.envelope.message_metadata, None);
}

#[test]
fn message_inbound_smart_conversation_redaction() {
    let event = event("message_inbound_redaction");
    assert_eq!(
        event.trigger_name(),
        Some("MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION")
    );
    let cb = variant!(event, Event::MessageInboundSmartConversationRedaction);
    assert_standard_envelope(&cb.envelope);
    assert_eq!(
        cb.payload.contact_message.unwrap().as_text(),
        Some("My card number is {CREDIT_CARD}")
    );
}

#[test]
fn message_submit() {
    let event = event("message_submit");
    assert_eq!(event.trigger_name(), Some("MESSAGE_SUBMIT"));
    let cb = variant!(event, Event::MessageSubmit);
    assert_standard_envelope(&cb.envelope);
    assert_eq!(cb.envelope.message_metadata.as_deref(), Some("order-1234"));
    assert_eq!(cb.envelope.correlation_id.as_deref(), Some("corr-77"));
    let n = cb.payload;
    assert_eq!(n.message_id.as_deref(), Some("01EQ8235TD19N21XQTH12B145D"));
    assert_eq!(n.conversation_id.as_deref(), Some(CONVERSATION));
    assert_eq!(n.contact_id.as_deref(), Some(CONTACT));
    assert_eq!(n.metadata.as_deref(), Some("order-1234"));
    assert_eq!(
        n.submitted_message.unwrap().as_text(),
        Some("Your order has shipped")
    );
}

#[test]
fn message_delivery_report_delivered() {
    let event = event("message_delivery_delivered");
    assert_eq!(event.trigger(), Some(WebhookTrigger::MessageDelivery));
    let cb = variant!(event, Event::MessageDelivery);
    assert_standard_envelope(&cb.envelope);
    assert_eq!(cb.envelope.correlation_id.as_deref(), Some("corr-77"));
    let r = cb.payload;
    assert_eq!(r.status, Some(DeliveryStatus::Delivered));
    assert_eq!(r.message_id.as_deref(), Some("01EQ8235TD19N21XQTH12B145D"));
    assert_eq!(r.reason, None);
    assert_eq!(r.processing_mode, Some(ProcessingMode::Conversation));
}

#[test]
fn message_delivery_report_failed_with_reason() {
    let cb = variant!(event("message_delivery_failed"), Event::MessageDelivery);
    let r = cb.payload;
    assert_eq!(r.status, Some(DeliveryStatus::Failed));
    let reason = r.reason.unwrap();
    assert_eq!(reason.code, Some(ReasonCode::RecipientNotReachable));
    assert_eq!(reason.sub_code, Some(ReasonSubCode::UnspecifiedSubCode));
    assert_eq!(
        reason.description.as_deref(),
        Some("The recipient could not be reached")
    );
    assert_eq!(
        r.channel_identity.unwrap().channel,
        ConversationChannel::Sms
    );
}

#[test]
fn event_inbound_composing() {
    let event = event("event_inbound_composing");
    assert_eq!(event.trigger(), Some(WebhookTrigger::EventInbound));
    assert_eq!(event.payload_field(), Some("event"));
    let cb = variant!(event, Event::EventInbound);
    assert_standard_envelope(&cb.envelope);
    let e = cb.payload;
    assert_eq!(e.id.as_deref(), Some("01EQBC1A3BEK731GY4YXEN0C2U"));
    assert_eq!(e.direction, Some(EventInboundEventDirection::ToApp));
    // The contact event is a one-of: a composing event (empty) and so no comment event.
    match e.contact_event.unwrap() {
        ContactEvent::ComposingEvent(composing) => assert_eq!(*composing, serde_json::Map::new()),
        other => panic!("expected a composing event, got {other:?}"),
    }
    assert_eq!(e.contact_message_event, None);
}

#[test]
fn event_inbound_instagram_comment() {
    let cb = variant!(event("event_inbound_comment"), Event::EventInbound);
    let e = cb.payload;
    assert_eq!(
        e.channel_identity.unwrap().channel,
        ConversationChannel::from("INSTAGRAM")
    );
    let comment = match e.contact_event.unwrap() {
        ContactEvent::CommentEvent(comment) => comment,
        other => panic!("expected a comment event, got {other:?}"),
    };
    assert_eq!(comment.text.as_deref(), Some("Love this!"));
    assert_eq!(comment.comment_type, Some(CommentEventCommentType::Feed));
    assert_eq!(comment.user.as_deref(), Some("ada.l"));
}

#[test]
fn event_inbound_reaction() {
    let cb = variant!(event("event_inbound_reaction"), Event::EventInbound);
    let reaction = match cb.payload.contact_message_event.unwrap() {
        ContactMessageEvent::ReactionEvent(reaction) => reaction,
        other => panic!("expected a reaction event, got {other:?}"),
    };
    assert_eq!(reaction.emoji.as_deref(), Some("\u{2764}\u{fe0f}"));
    assert_eq!(reaction.action, Some(ReactionAction::ReactionActionReact));
    assert_eq!(
        reaction.message_id.as_deref(),
        Some("01EQ8235TD19N21XQTH12B145D")
    );
    assert_eq!(reaction.reaction_category.as_deref(), Some("love"));
}

#[test]
fn event_delivery_report() {
    let event = event("event_delivery");
    assert_eq!(event.trigger(), Some(WebhookTrigger::EventDelivery));
    let cb = variant!(event, Event::EventDelivery);
    assert_standard_envelope(&cb.envelope);
    assert_eq!(
        cb.payload.event_id.as_deref(),
        Some("01EQ8235TD19N21XQTH12B145F")
    );
    assert_eq!(cb.payload.status, Some(DeliveryStatus::Delivered));
    assert_eq!(cb.payload.contact_id.as_deref(), Some(CONTACT));
}

#[test]
fn conversation_start_stop_delete() {
    let start = event("conversation_start");
    assert_eq!(start.trigger(), Some(WebhookTrigger::ConversationStart));
    let cb = variant!(start, Event::ConversationStart);
    assert_standard_envelope(&cb.envelope);
    let conversation = cb.payload.conversation.unwrap();
    assert_eq!(conversation.id.as_deref(), Some(CONVERSATION));
    assert_eq!(conversation.contact_id.as_deref(), Some(CONTACT));
    assert_eq!(conversation.active, Some(true));
    assert_eq!(
        conversation.active_channel,
        Some(ConversationChannel::Whatsapp)
    );
    assert_eq!(conversation.last_received, Some(at(1_605_629_145)));

    let stop = event("conversation_stop");
    assert_eq!(stop.trigger(), Some(WebhookTrigger::ConversationStop));
    let cb = variant!(stop, Event::ConversationStop);
    assert_eq!(cb.payload.conversation.unwrap().active, Some(false));

    let delete = event("conversation_delete");
    assert_eq!(delete.trigger(), Some(WebhookTrigger::ConversationDelete));
    let cb = variant!(delete, Event::ConversationDelete);
    assert_eq!(
        cb.payload.conversation.unwrap().id.as_deref(),
        Some(CONVERSATION)
    );
}

#[test]
fn contact_create_delete_update() {
    let create = event("contact_create");
    assert_eq!(create.trigger(), Some(WebhookTrigger::ContactCreate));
    let cb = variant!(create, Event::ContactCreate);
    assert_eq!(
        cb.envelope.app_id.as_deref(),
        Some(""),
        "contact events are project-level"
    );
    assert_eq!(cb.envelope.project_id.as_deref(), Some(PROJECT));
    let contact = cb.payload.contact.unwrap();
    assert_eq!(contact.id.as_deref(), Some(CONTACT));
    assert_eq!(contact.display_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(contact.email.as_deref(), Some("ada@example.com"));
    assert_eq!(contact.external_id.as_deref(), Some("crm-42"));
    assert_eq!(contact.language, Some(ContactLanguage::EnUs));
    assert_eq!(contact.channel_identities.len(), 2);
    assert_eq!(
        contact.channel_priority,
        vec![ConversationChannel::Whatsapp, ConversationChannel::Sms]
    );

    let delete = event("contact_delete");
    assert_eq!(delete.trigger(), Some(WebhookTrigger::ContactDelete));
    let cb = variant!(delete, Event::ContactDelete);
    assert_eq!(cb.payload.contact.unwrap().id.as_deref(), Some(CONTACT));

    let update = event("contact_update");
    assert_eq!(update.trigger_name(), Some("CONTACT_UPDATE"));
    let cb = variant!(update, Event::ContactUpdate);
    assert_eq!(
        cb.payload.contact.unwrap().display_name.as_deref(),
        Some("Ada King")
    );
}

#[test]
fn contact_merge() {
    let event = event("contact_merge");
    assert_eq!(event.trigger(), Some(WebhookTrigger::ContactMerge));
    let cb = variant!(event, Event::ContactMerge);
    let preserved = cb.payload.preserved_contact.unwrap();
    let deleted = cb.payload.deleted_contact.unwrap();
    assert_eq!(preserved.id.as_deref(), Some(CONTACT));
    assert_eq!(deleted.id.as_deref(), Some("01EKA07N79THJ20ZSN6AS30TMZ"));
    assert_eq!(
        deleted.channel_identities[0].channel,
        ConversationChannel::Messenger
    );
    assert!(deleted.channel_priority.is_empty());
}

#[test]
fn contact_identities_duplication() {
    let event = event("contact_identities_duplication");
    assert_eq!(event.trigger_name(), Some("CONTACT_IDENTITIES_DUPLICATION"));
    assert_eq!(
        event.payload_field(),
        Some("duplicated_contact_identities_notification")
    );
    let cb = variant!(event, Event::ContactIdentitiesDuplication);
    assert_standard_envelope(&cb.envelope);
    let dup = &cb.payload.duplicated_identities[0];
    assert_eq!(dup.channel, Some(ConversationChannel::Sms));
    assert_eq!(dup.contact_ids, [CONTACT, "01EKA07N79THJ20ZSN6AS30TMZ"]);
}

#[test]
fn capability() {
    let event = event("capability");
    assert_eq!(event.trigger(), Some(WebhookTrigger::Capability));
    let cb = variant!(event, Event::Capability);
    let n = cb.payload;
    assert_eq!(n.request_id.as_deref(), Some("01EQBC1A3BEK731GY4YXEN0C30"));
    assert_eq!(n.channel, Some(ConversationChannel::from("RCS")));
    assert_eq!(n.identity.as_deref(), Some("46732001122"));
    assert_eq!(
        n.capability_status,
        Some(CapabilityEventCapabilityNotificationCapabilityStatus::CapabilityPartial)
    );
    assert_eq!(n.channel_capabilities, ["RICHCARD", "ACTIONS"]);
    assert_eq!(n.reason.unwrap().code, Some(ReasonCode::Unknown));
}

#[test]
fn opt_in_and_opt_out() {
    let opt_in = event("opt_in");
    assert_eq!(opt_in.trigger(), Some(WebhookTrigger::OptIn));
    let cb = variant!(opt_in, Event::OptIn);
    assert_eq!(
        cb.payload.status,
        Some(OptInEventOptInNotificationStatus::OptInSucceeded)
    );
    assert_eq!(cb.payload.channel, Some(ConversationChannel::Whatsapp));
    assert_eq!(cb.payload.error_details, None);

    let opt_out = event("opt_out");
    assert_eq!(opt_out.trigger(), Some(WebhookTrigger::OptOut));
    let cb = variant!(opt_out, Event::OptOut);
    assert_eq!(
        cb.payload.status,
        Some(OptOutEventOptOutNotificationStatus::OptOutFailed)
    );
    assert_eq!(
        cb.payload.error_details.unwrap().description.as_deref(),
        Some("Opt-out not supported for this number")
    );
}

#[test]
fn channel_event() {
    let event = event("channel_event");
    assert_eq!(event.trigger_name(), Some("CHANNEL_EVENT"));
    let cb = variant!(event, Event::ChannelEvent);
    let e = cb.payload.channel_event.unwrap();
    assert_eq!(e.channel, Some(ConversationChannel::Whatsapp));
    assert_eq!(
        e.event_type.as_deref(),
        Some("WHATSAPP_QUALITY_RATING_CHANGED")
    );
    assert_eq!(e.additional_data["quality_rating"], "GREEN");
}

#[test]
fn unsupported_callback() {
    let event = event("unsupported");
    assert_eq!(event.trigger(), Some(WebhookTrigger::Unsupported));
    let cb = variant!(event, Event::Unsupported);
    let u = cb.payload;
    assert_eq!(u.channel, Some(ConversationChannel::Messenger));
    let channel_payload: serde_json::Value =
        serde_json::from_str(u.payload.as_deref().unwrap()).unwrap();
    assert_eq!(channel_payload["object"], "page");
    assert_eq!(u.conversation_id.as_deref(), Some(CONVERSATION));
}

#[test]
fn smart_conversations() {
    let event = event("smart_conversations");
    // The official trigger is `SMART_CONVERSATION` (`WebhookTrigger::SmartConversation`).
    assert_eq!(event.trigger_name(), Some("SMART_CONVERSATION"));
    assert_eq!(event.trigger(), Some(WebhookTrigger::SmartConversation));
    let cb = variant!(event, Event::SmartConversations);
    let n = cb.payload;
    assert_eq!(n.channel_identity.as_deref(), Some("46732001122"));
    assert_eq!(n.message_id.as_deref(), Some("01EQBC1A3BEK731GY4YXEN0C2R"));
    let results = n.analysis_results.unwrap();
    let sentiment = &results.ml_sentiment_result[0];
    assert_eq!(sentiment.sentiment, Some(Sentiment::Positive));
    assert_eq!(sentiment.score, Some(0.93));
    assert_eq!(sentiment.results.len(), 3);
    assert_eq!(
        results.ml_nlu_result[0].intent.as_deref(),
        Some("general.yes_or_agreed")
    );
    let image = &results.ml_image_recognition_result[0];
    assert_eq!(
        image
            .document_image_classification
            .as_ref()
            .unwrap()
            .doc_type
            .as_deref(),
        Some("passport")
    );
    assert_eq!(
        image.optical_character_recognition.as_ref().unwrap().result[0].data,
        ["PASSPORT", "ADA"]
    );
    assert_eq!(
        image.document_field_classification.as_ref().unwrap().result[0]["surname"].data,
        ["LOVELACE"]
    );
    assert_eq!(
        results.ml_pii_result[0].masked.as_deref(),
        Some("Call me at {PHONE_NUMBER}")
    );
    assert_eq!(
        results.ml_offensive_analysis_result.as_ref().unwrap()[0].evaluation,
        Some(OffensiveAnalysisEvaluation::Safe)
    );
}

#[test]
fn record_notification_in_camel_or_snake_case() {
    let body = fixture("record_notification");
    let event = parse(&body).unwrap();
    assert_eq!(event.trigger_name(), Some("RECORD_NOTIFICATION"));
    variant!(event, Event::RecordNotification);
    // official schema has no camelCase field names (`entityId`, `recordStatus`, ...): the
    // fixture's camelCase fields are read after renaming them to the schema's snake_case.
    let mut value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let camel = value["record_notification"].as_object().unwrap().clone();
    value["record_notification"] = camel
        .into_iter()
        .map(|(key, v)| {
            let mut snake = String::new();
            for c in key.chars() {
                if c.is_ascii_uppercase() {
                    snake.push('_');
                }
                snake.push(c.to_ascii_lowercase());
            }
            (snake, v)
        })
        .collect();
    let event = parse(&serde_json::to_vec(&value).unwrap()).unwrap();
    let cb = variant!(event, Event::RecordNotification);
    let r = cb.payload;
    assert_eq!(r.entity_id.as_deref(), Some("01EQBC1A3BEK731GY4YXEN0C34"));
    assert_eq!(
        r.record_status,
        Some(RecordNotificationEventRecordNotificationRecordStatus::EventRecordStored)
    );
    assert_eq!(r.processing_mode, Some(ProcessingMode::Conversation));
    assert_eq!(r.contact_id.as_deref(), Some(CONTACT));
    assert_eq!(r.conversation_id.as_deref(), Some(CONVERSATION));
    assert_eq!(r.channel_identity.unwrap().identity, "46732001122");

    let snake = parse(
        br#"{"app_id":"A","project_id":"P","record_notification":{"entity_id":"E","record_status":"EVENT_RECORD_STORED"}}"#,
    )
    .unwrap();
    let cb = variant!(snake, Event::RecordNotification);
    assert_eq!(cb.payload.entity_id.as_deref(), Some("E"));
}

#[test]
fn an_unknown_trigger_keeps_the_raw_json() {
    let body = fixture("unknown_trigger");
    let event = parse(&body).unwrap();
    assert_eq!(event.trigger(), None);
    assert_eq!(event.payload_field(), None);
    assert_eq!(event.envelope().app_id.as_deref(), Some(APP));
    assert_eq!(event.envelope().correlation_id.as_deref(), Some("corr-1"));
    let unknown = variant!(event, Event::Unknown);
    assert_eq!(
        unknown.raw,
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()
    );
    assert_eq!(
        unknown.raw["brand_new_notification"]["thing"]["nested"][2],
        3
    );

    // A body naming its trigger keeps the name.
    let named = parse(br#"{"app_id":"A","project_id":"P","trigger":"BRAND_NEW","x":{}}"#).unwrap();
    assert_eq!(named.trigger_name(), Some("BRAND_NEW"));
    assert_eq!(named.trigger(), Some(WebhookTrigger::from("BRAND_NEW")));
    // The smallest object is an unknown callback with an empty envelope.
    let empty = parse(b"{}").unwrap();
    assert_eq!(empty.envelope(), &Envelope::default());
}

#[test]
fn unknown_fields_and_unknown_enum_values_are_accepted() {
    let body = br#"{"app_id":"A","project_id":"P","new_envelope_field":[1,{"x":null}],
        "message_delivery_report":{"message_id":"M","status":"BOUNCED_ON_MARS",
        "processing_mode":"TELEPATHY","future":{"deep":[true]},
        "channel_identity":{"channel":"CARRIER_PIGEON","identity":"42","extra":1},
        "reason":{"code":"NEW_CODE","sub_code":"NEW_SUB","description":"d","more":2}}}"#;
    let cb = variant!(parse(body).unwrap(), Event::MessageDelivery);
    let r = cb.payload;
    assert_eq!(
        r.status,
        Some(DeliveryStatus::Other("BOUNCED_ON_MARS".into()))
    );
    assert_eq!(
        r.processing_mode,
        Some(ProcessingMode::Other("TELEPATHY".into()))
    );
    assert!(r.channel_identity.unwrap().channel.is_other());
    assert_eq!(r.reason.unwrap().code, Some(ReasonCode::from("NEW_CODE")));
}

#[test]
fn a_null_payload_field_does_not_select_a_trigger() {
    let body = br#"{"app_id":"A","project_id":"P","message":null,"opt_in_notification":{"status":"OPT_IN_FAILED"}}"#;
    let cb = variant!(parse(body).unwrap(), Event::OptIn);
    assert_eq!(
        cb.payload.status,
        Some(OptInEventOptInNotificationStatus::OptInFailed)
    );
}

#[test]
fn every_fixture_round_trips_through_serialisation() {
    for (name, body) in all_fixtures() {
        let event = parse(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
        let written = serde_json::to_vec(&event).unwrap();
        let reparsed = parse(&written).unwrap_or_else(|e| panic!("{name} (re-parsed): {e}"));
        assert_eq!(reparsed, event, "{name}");
        assert_eq!(reparsed.trigger_name(), event.trigger_name(), "{name}");
    }
}

#[test]
fn every_trigger_has_a_fixture() {
    let mut seen: Vec<String> = all_fixtures()
        .iter()
        .filter_map(|(_, body)| parse(body).unwrap().trigger_name().map(str::to_owned))
        .collect();
    seen.sort();
    seen.dedup();
    let expected = [
        "CAPABILITY",
        "CHANNEL_EVENT",
        "CONTACT_CREATE",
        "CONTACT_DELETE",
        "CONTACT_IDENTITIES_DUPLICATION",
        "CONTACT_MERGE",
        "CONTACT_UPDATE",
        "CONVERSATION_DELETE",
        "CONVERSATION_START",
        "CONVERSATION_STOP",
        "EVENT_DELIVERY",
        "EVENT_INBOUND",
        "MESSAGE_DELIVERY",
        "MESSAGE_INBOUND",
        "MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION",
        "MESSAGE_SUBMIT",
        "OPT_IN",
        "OPT_OUT",
        "RECORD_NOTIFICATION",
        "SMART_CONVERSATION",
        "UNSUPPORTED",
    ];
    assert_eq!(seen, expected);
}

#[test]
fn an_event_builds_and_serialises_to_the_wire_shape() {
    let event = Event::OptOut(Callback {
        envelope: Envelope {
            app_id: Some("A".into()),
            project_id: Some("P".into()),
            accepted_time: Some(at(1_700_000_000)),
            ..Envelope::default()
        },
        payload: events::OptOutNotification {
            status: Some(OptOutEventOptOutNotificationStatus::OptOutSucceeded),
            ..Default::default()
        },
    });
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        serde_json::json!({
            "app_id": "A",
            "project_id": "P",
            "accepted_time": "2023-11-14T22:13:20Z",
            "opt_out_notification": {"status": "OPT_OUT_SUCCEEDED"}
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Malformed bodies: each a typed error

#[test]
fn a_body_of_several_megabytes_is_too_large_by_default_and_parses_under_a_raised_limit() {
    let text = "x".repeat(6 * 1024 * 1024);
    let body = serde_json::to_vec(&serde_json::json!({
        "app_id": "A", "project_id": "P",
        "message": {"contact_message": {"text_message": {"text": text}}}
    }))
    .unwrap();
    assert!(body.len() > 6_000_000);
    assert!(matches!(
        parse(&body),
        Err(ParseError::TooLarge { limit: 1_048_576 })
    ));

    let roomy = Parser::new().with_max_body_size(8 * 1024 * 1024);
    let cb = variant!(roomy.parse(&body).unwrap(), Event::MessageInbound);
    assert_eq!(
        cb.payload
            .contact_message
            .unwrap()
            .as_text()
            .map(|t| t.len()),
        Some(text.len())
    );
}

#[test]
fn a_body_over_the_limit_is_too_large() {
    let body = vec![b' '; webhooks::DEFAULT_MAX_BODY_SIZE + 1];
    assert!(matches!(
        parse(&body),
        Err(ParseError::TooLarge { limit }) if limit == webhooks::DEFAULT_MAX_BODY_SIZE
    ));
    let small = Parser::new().with_max_body_size(3 * 1024 * 1024);
    let body = format!(r#"{{"app_id":"{}"}}"#, "y".repeat(4 * 1024 * 1024));
    assert!(matches!(
        small.parse(body.as_bytes()),
        Err(ParseError::TooLarge { limit: 3_145_728 })
    ));
    // The receiver refuses it before computing any MAC.
    let receiver = Receiver::new(SECRET).with_max_body_size(1024);
    let none: [(&str, &str); 0] = [];
    assert!(matches!(
        receiver.receive(&none, body.as_bytes(), Utc::now()),
        Err(webhooks::Error::Parse(ParseError::TooLarge { limit: 1024 }))
    ));
}

#[test]
fn invalid_utf8_is_a_typed_error() {
    let mut body = br#"{"app_id":"caf"#.to_vec();
    body.extend_from_slice(&[0xC3, 0x28]);
    body.extend_from_slice(br#"","project_id":"P"}"#);
    assert!(matches!(
        parse(&body),
        Err(ParseError::InvalidUtf8 { valid_up_to: 14 })
    ));
    assert!(matches!(
        parse(&[0xFF, 0xFE, b'{', b'}']),
        Err(ParseError::InvalidUtf8 { valid_up_to: 0 })
    ));
}

#[test]
fn deeply_nested_json_is_a_typed_error_without_stack_overflow() {
    for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
        let depth = 100_000; // deep, yet under the 1 MiB body limit
        let body = format!(
            r#"{{"app_id":"A","x":{}{}}}"#,
            open.repeat(depth),
            close.repeat(depth)
        );
        assert!(matches!(
            parse(body.as_bytes()),
            Err(ParseError::TooDeep { limit: 64 })
        ));
        // Unbalanced nesting is caught too.
        assert!(matches!(
            parse(open.repeat(depth).as_bytes()),
            Err(ParseError::TooDeep { .. })
        ));
    }
    // Up to the limit is fine, and brackets inside strings do not count.
    let ok = format!(
        r#"{{"app_id":"[[[[{{{{","x":{}{}}}"#,
        "[".repeat(63),
        "]".repeat(63)
    );
    assert!(matches!(parse(ok.as_bytes()), Ok(Event::Unknown(_))));
    let escaped = br#"{"app_id":"\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}"#;
    assert!(parse(escaped).is_ok());
    // The limit is configurable, and capped below serde_json's own.
    let shallow = Parser::new().with_max_depth(3);
    assert!(matches!(
        shallow.parse(br#"{"a":{"b":{"c":{}}}}"#),
        Err(ParseError::TooDeep { limit: 3 })
    ));
    let deep = Parser::new().with_max_depth(1_000);
    assert_eq!(deep.max_depth(), webhooks::MAX_DEPTH_LIMIT);
    let body = format!("{}{}", "[".repeat(127), "]".repeat(127));
    assert!(matches!(
        deep.parse(body.as_bytes()),
        Err(ParseError::NotAnObject { found: "array" })
    ));
    let body = format!("{}{}", "[".repeat(128), "]".repeat(128));
    assert!(matches!(
        deep.parse(body.as_bytes()),
        Err(ParseError::TooDeep { limit: 127 })
    ));
}

#[test]
fn invalid_json_and_non_objects_are_typed_errors() {
    for body in [
        &b""[..],
        b"{",
        b"{\"app_id\":}",
        b"nul",
        b"{}{}",
        b"{\"a\":1,}",
    ] {
        assert!(
            matches!(parse(body), Err(ParseError::InvalidJson(_))),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }
    for (body, found) in [
        (&b"null"[..], "null"),
        (b"true", "boolean"),
        (b"12.5", "number"),
        (b"\"text\"", "string"),
        (b"[{}]", "array"),
    ] {
        assert!(matches!(parse(body), Err(ParseError::NotAnObject { found: f }) if f == found));
    }
}

#[test]
fn malformed_envelopes_and_payloads_are_typed_errors() {
    assert!(matches!(
        parse(br#"{"app_id":5,"project_id":"P"}"#),
        Err(ParseError::InvalidEnvelope(_))
    ));
    assert!(matches!(
        parse(br#"{"app_id":"A","accepted_time":"yesterday"}"#),
        Err(ParseError::InvalidEnvelope(_))
    ));
    let err = parse(br#"{"app_id":"A","message_delivery_report":{"status":42}}"#).unwrap_err();
    assert!(matches!(
        err,
        ParseError::InvalidPayload {
            field: "message_delivery_report",
            ..
        }
    ));
    assert!(err.to_string().contains("message_delivery_report"), "{err}");
    assert!(matches!(
        parse(br#"{"message":"not an object"}"#),
        Err(ParseError::InvalidPayload {
            field: "message",
            ..
        })
    ));
    // A contact without its required channel identity fields.
    assert!(matches!(
        parse(br#"{"contact_create_notification":{"contact":{"channel_identities":[{}],"language":"EN_US"}}}"#),
        Err(ParseError::InvalidPayload { field: "contact_create_notification", .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Receiver: verify, then parse

#[test]
fn the_receiver_verifies_then_parses() {
    let receiver = Receiver::new(SECRET);
    let event = receiver
        .receive(&vector_headers(), VECTOR_BODY.as_bytes(), at(TIMESTAMP + 1))
        .unwrap();
    assert_eq!(event.trigger(), Some(WebhookTrigger::ContactCreate));

    let err = receiver
        .receive(&vector_headers(), b"{}", at(TIMESTAMP))
        .unwrap_err();
    assert!(matches!(
        err,
        webhooks::Error::Signature(SignatureError::SignatureMismatch)
    ));

    // A correctly signed body that is not a callback is a parse error.
    let body = b"[]";
    let headers = sign_headers(SECRET, body, NONCE, TIMESTAMP);
    assert!(matches!(
        receiver.receive(&headers, body, at(TIMESTAMP)),
        Err(webhooks::Error::Parse(ParseError::NotAnObject { .. }))
    ));
}

// Property tests (no input makes the parser or the verifier panic) live in
// `checks/tests/webhook_properties.rs`, out of the library's dev-dependencies.

// ---------------------------------------------------------------------------------------------
// axum: a real server on a local port

#[cfg(feature = "axum")]
mod axum_extractor {
    use axum::{
        Router,
        extract::{FromRef, State},
        http::StatusCode,
        routing::post,
    };
    use sinch_conversation::webhooks::axum::{VerifiedEvent, WebhookRejection};

    use super::*;

    /// Application state holding the receiver among other things.
    #[derive(Clone)]
    struct AppState {
        receiver: Receiver,
        name: &'static str,
    }

    impl FromRef<AppState> for Receiver {
        fn from_ref(state: &AppState) -> Self {
            state.receiver.clone()
        }
    }

    async fn callback(
        State(state): State<AppState>,
        VerifiedEvent(event): VerifiedEvent,
    ) -> String {
        serde_json::json!({
            "app": state.name,
            "trigger": event.trigger_name(),
            "app_id": event.envelope().app_id,
        })
        .to_string()
    }

    async fn logged(result: Result<VerifiedEvent, WebhookRejection>) -> (StatusCode, String) {
        match result {
            Ok(VerifiedEvent(event)) => (StatusCode::NO_CONTENT, format!("{:?}", event.trigger())),
            Err(rejection) => (StatusCode::IM_A_TEAPOT, format!("{}", rejection.status())),
        }
    }

    /// Serves the router on 127.0.0.1:0; returns its base URL.
    async fn serve(receiver: Receiver) -> String {
        let app = Router::new()
            .route("/callbacks", post(callback))
            .route("/logged", post(logged))
            .with_state(AppState {
                receiver,
                name: "test",
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}")
    }

    fn client() -> reqwest::Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::new()
    }

    async fn post_signed(
        base: &str,
        path: &str,
        body: Vec<u8>,
        headers: &[(&str, String)],
    ) -> (StatusCode, String) {
        let mut request = client().post(format!("{base}{path}")).body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.unwrap();
        let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
        (status, response.text().await.unwrap())
    }

    fn signed_now(body: &[u8]) -> Vec<(&'static str, String)> {
        sign_headers(SECRET, body, "nonce-1", Utc::now().timestamp()).to_vec()
    }

    #[tokio::test]
    async fn a_signed_callback_is_verified_and_parsed() {
        let base = serve(Receiver::new(SECRET)).await;
        let body = fixture("message_inbound");
        let (status, text) =
            post_signed(&base, "/callbacks", body.clone(), &signed_now(&body)).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["trigger"], "MESSAGE_INBOUND");
        assert_eq!(json["app_id"], APP);
        assert_eq!(json["app"], "test");

        // Header names in other casing arrive lowercased by HTTP/1 servers anyway.
        let headers: Vec<(&str, String)> = vec![
            (
                "X-SINCH-WEBHOOK-SIGNATURE",
                sign(SECRET, &body, "n2", Utc::now().timestamp()),
            ),
            ("X-Sinch-Webhook-Signature-Nonce", "n2".into()),
            (
                "X-Sinch-Webhook-Signature-Timestamp",
                Utc::now().timestamp().to_string(),
            ),
            ("X-Sinch-Webhook-Signature-Algorithm", "HmacSHA256".into()),
        ];
        let (status, _) = post_signed(&base, "/callbacks", body, &headers).await;
        assert_eq!(status, StatusCode::OK);
    }

    #[tokio::test]
    async fn a_bad_signature_gets_401() {
        let base = serve(Receiver::new(SECRET)).await;
        let body = fixture("opt_in");

        let wrong_secret = sign_headers("other", &body, "n", Utc::now().timestamp()).to_vec();
        let (status, text) = post_signed(&base, "/callbacks", body.clone(), &wrong_secret).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(text.contains("does not match"), "{text}");
        assert!(!text.contains(SECRET));

        let mut missing = signed_now(&body);
        missing.retain(|(k, _)| *k != NONCE_HEADER);
        let (status, text) = post_signed(&base, "/callbacks", body.clone(), &missing).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(text.contains(NONCE_HEADER), "{text}");

        let (status, _) = post_signed(&base, "/callbacks", body.clone(), &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        // The test vector is a perfectly signed replay from 2021.
        let replay = sign_headers(SECRET, VECTOR_BODY.as_bytes(), NONCE, TIMESTAMP).to_vec();
        assert_eq!(replay[0].1, SIGNATURE);
        let (status, text) = post_signed(
            &base,
            "/callbacks",
            VECTOR_BODY.as_bytes().to_vec(),
            &replay,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(text.contains("tolerance"), "{text}");
    }

    #[tokio::test]
    async fn a_signed_bad_body_gets_400_and_an_oversized_one_413() {
        let base = serve(Receiver::new(SECRET).with_max_body_size(64 * 1024)).await;

        for body in [
            &b"not json"[..],
            b"[1,2,3]",
            b"\xff\xfe",
            b"{\"message\":42}",
        ] {
            let (status, text) =
                post_signed(&base, "/callbacks", body.to_vec(), &signed_now(body)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
        }
        let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000)).into_bytes();
        let (status, _) = post_signed(&base, "/callbacks", deep.clone(), &signed_now(&deep)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        let big = vec![b' '; 64 * 1024 + 1];
        let (status, _) = post_signed(&base, "/callbacks", big.clone(), &signed_now(&big)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

        // Streamed without a Content-Length, the limit still holds.
        let response = client()
            .post(format!("{base}/callbacks"))
            .body(reqwest::Body::wrap_stream(Chunks(65)))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 413);
    }

    /// A body of `n` chunks of 1 KiB, streamed (so sent without a Content-Length).
    struct Chunks(usize);

    impl futures_core::Stream for Chunks {
        type Item = Result<Vec<u8>, std::io::Error>;

        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            if self.0 == 0 {
                return std::task::Poll::Ready(None);
            }
            self.0 -= 1;
            std::task::Poll::Ready(Some(Ok(vec![b' '; 1024])))
        }
    }

    #[tokio::test]
    async fn a_handler_can_take_the_rejection_itself() {
        let base = serve(Receiver::new(SECRET)).await;
        let body = fixture("capability");
        let (status, text) = post_signed(&base, "/logged", body.clone(), &signed_now(&body)).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
        let (status, text) = post_signed(&base, "/logged", body, &[]).await;
        assert_eq!(status, StatusCode::IM_A_TEAPOT);
        assert_eq!(text, "401 Unauthorized");
    }
}

// ---------------------------------------------------------------------------------------------
// Repeated signature headers (issue 13): rejected whichever value is genuine

/// For each signature header: the test vector's value and a forged one.
fn genuine_and_forged() -> [(&'static str, String, String); 4] {
    [
        (
            SIGNATURE_HEADER,
            SIGNATURE.to_owned(),
            sign("forger", VECTOR_BODY.as_bytes(), NONCE, TIMESTAMP),
        ),
        (NONCE_HEADER, NONCE.to_owned(), "forged-nonce".to_owned()),
        (
            TIMESTAMP_HEADER,
            TIMESTAMP.to_string(),
            (TIMESTAMP + 1).to_string(),
        ),
        (ALGORITHM_HEADER, "HmacSHA256".to_owned(), "none".to_owned()),
    ]
}

/// The three orders tested: [genuine, forged], [forged, genuine], [genuine, genuine].
fn orders(genuine: &str, forged: &str) -> [(&'static str, [String; 2]); 3] {
    [
        ("[genuine, forged]", [genuine.to_owned(), forged.to_owned()]),
        ("[forged, genuine]", [forged.to_owned(), genuine.to_owned()]),
        (
            "[genuine, genuine]",
            [genuine.to_owned(), genuine.to_owned()],
        ),
    ]
}

/// The test vector's headers with `name` carried twice, as `values`, in the casing of
/// [`vector_headers`] for the first and lowercase for the second.
fn twice(name: &str, values: &[String; 2]) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    for (k, v) in vector_headers() {
        if k.eq_ignore_ascii_case(name) {
            headers.push((k, values[0].clone()));
            headers.push((name.to_owned(), values[1].clone()));
        } else {
            headers.push((k, v));
        }
    }
    headers
}

#[test]
fn each_signature_header_sent_twice_is_rejected_in_every_order() {
    let body = VECTOR_BODY.as_bytes();
    let now = at(TIMESTAMP);
    // Sent once, each genuine value verifies and each forged one does not.
    assert_eq!(verify(&vector_headers(), body, SECRET, now), Ok(()));
    for (name, genuine, forged) in genuine_and_forged() {
        let once = replace(&vector_headers(), name, &forged);
        assert!(verify(&once, body, SECRET, now).is_err(), "{name} forged");

        for (order, values) in orders(&genuine, &forged) {
            let expected = Err(SignatureError::DuplicateHeader { name });
            let headers = twice(name, &values);

            assert_eq!(
                verify(&headers, body, SECRET, now),
                expected,
                "{name} {order}: Vec"
            );
            let slice: &[(String, String)] = &headers;
            assert_eq!(
                verify(slice, body, SECRET, now),
                expected,
                "{name} {order}: slice"
            );
            assert_eq!(
                Verifier::new(SECRET).verify(&headers, body, now),
                expected,
                "{name} {order}: Verifier"
            );

            let mut header_map = http::HeaderMap::new();
            for (k, v) in &headers {
                header_map.append(
                    http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    http::HeaderValue::from_str(v).unwrap(),
                );
            }
            assert_eq!(header_map.get_all(name).iter().count(), 2);
            assert_eq!(
                verify(&header_map, body, SECRET, now),
                expected,
                "{name} {order}: HeaderMap"
            );

            // A map can carry a name twice only in two casings; that is the same header.
            let map: HashMap<String, String> = headers.iter().cloned().collect();
            assert_eq!(map.len(), 5);
            assert_eq!(
                verify(&map, body, SECRET, now),
                expected,
                "{name} {order}: HashMap"
            );

            assert!(
                matches!(
                    Receiver::new(SECRET).receive(&headers, body, now),
                    Err(webhooks::Error::Signature(SignatureError::DuplicateHeader { name: n })) if n == name
                ),
                "{name} {order}: Receiver"
            );
        }
    }
}

#[test]
fn a_repeated_header_is_rejected_before_any_other_check_and_named() {
    let body = VECTOR_BODY.as_bytes();
    // Even with the clock far off (a replay) or the other headers missing, the repeat is what
    // is reported, and it names the header without echoing either value.
    let headers = twice(SIGNATURE_HEADER, &[SIGNATURE.to_owned(), "AAAA".to_owned()]);
    let err = verify(&headers, body, SECRET, at(TIMESTAMP + 10_000)).unwrap_err();
    assert_eq!(
        err,
        SignatureError::DuplicateHeader {
            name: SIGNATURE_HEADER
        }
    );
    let message = err.to_string();
    assert!(message.contains(SIGNATURE_HEADER), "{message}");
    assert!(message.contains("more than once"), "{message}");
    assert!(
        !message.contains(SIGNATURE) && !message.contains("AAAA"),
        "{message}"
    );

    let only_nonces = [(NONCE_HEADER, NONCE), (NONCE_HEADER, NONCE)];
    assert_eq!(
        verify(&only_nonces, body, SECRET, at(TIMESTAMP)),
        Err(SignatureError::MissingHeader {
            name: SIGNATURE_HEADER
        }),
        "headers are checked in order: the signature is missing before the nonce repeats"
    );
    let three = twice(
        TIMESTAMP_HEADER,
        &[TIMESTAMP.to_string(), TIMESTAMP.to_string()],
    )
    .into_iter()
    .chain([(TIMESTAMP_HEADER.to_owned(), TIMESTAMP.to_string())])
    .collect::<Vec<_>>();
    assert_eq!(
        verify(&three, body, SECRET, at(TIMESTAMP)),
        Err(SignatureError::DuplicateHeader {
            name: TIMESTAMP_HEADER
        })
    );
}

/// The axum extractor over a real local server: repeated headers arrive as repeated header
/// lines and get `401 Unauthorized`, in every order.
#[cfg(feature = "axum")]
mod axum_repeated_headers {
    use axum::{Router, http::StatusCode, routing::post};
    use sinch_conversation::webhooks::axum::VerifiedEvent;

    use super::*;

    async fn callback(VerifiedEvent(event): VerifiedEvent) -> String {
        format!("{:?}", event.trigger())
    }

    async fn serve() -> String {
        let app = Router::new()
            .route("/callbacks", post(callback))
            .with_state(Receiver::new(SECRET));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn each_signature_header_sent_twice_gets_401_in_every_order() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let base = serve().await;
        let client = reqwest::Client::new();
        let body = fixture("message_inbound");
        let timestamp = Utc::now().timestamp();
        let signed = sign_headers(SECRET, &body, NONCE, timestamp);
        let forged = [
            sign("forger", &body, NONCE, timestamp),
            "forged-nonce".to_owned(),
            (timestamp + 1).to_string(),
            "none".to_owned(),
        ];

        let post = |headers: Vec<(&'static str, String)>| {
            let mut request = client.post(format!("{base}/callbacks")).body(body.clone());
            for (name, value) in headers {
                // `RequestBuilder::header` appends: a repeated name is sent as two lines.
                request = request.header(name, value);
            }
            async move {
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                (status, response.text().await.unwrap())
            }
        };

        let (status, text) = post(signed.to_vec()).await;
        assert_eq!(status, 200, "sent once, the callback is accepted: {text}");

        for ((name, genuine), forged) in signed.iter().zip(&forged) {
            for (order, values) in orders(genuine, forged) {
                let mut headers = Vec::new();
                for (k, v) in &signed {
                    if k == name {
                        headers.extend(values.iter().map(|value| (*k, value.clone())));
                    } else {
                        headers.push((*k, v.clone()));
                    }
                }
                let (status, text) = post(headers).await;
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED.as_u16(),
                    "{name} {order}: {text}"
                );
                assert!(
                    text.contains(name) && text.contains("more than once"),
                    "{name} {order}: {text}"
                );
            }
        }
    }
}
