//! Fields and kinds the official document has and the 2022 seed did not, on the wire both ways:
//! the exact JSON the client sends (httpmock matches the whole body), and an answer (or
//! callback) that parses into the right variant and serialises back to the very same JSON.
//!
//! Payloads are the official document's own examples where it has one (read from
//! `spec/upstream/conversation.yaml` at test time); the others are written from its schemas and
//! checked against them (`jsonschema`), so that no test rests on a shape the document does not
//! allow.

// The library's own test helpers, shared rather than copied.
#[path = "../../tests/common/mod.rs"]
mod common;

use std::{str::FromStr, sync::OnceLock};

use common::{Api, official::json_schema};
use httpmock::{
    Method::{GET, POST},
    MockServer,
};
use serde_json::{Map, Value, json};
use sinch_conversation::{
    Client,
    types::{self, AppEvent, AppMessage, ChannelSpecificMessage, Choice, ConversationChannel},
    webhooks::{self, Event},
};

const PROJECT: &str = "p1";

fn client(server: &MockServer) -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .base_url(server.base_url())
        .project_id(PROJECT)
        .basic_auth("k", "s")
        .build()
        .unwrap()
}

/// A mock server with a [`client`] for it.
async fn start() -> Api {
    let server = MockServer::start_async().await;
    let client = client(&server);
    Api { server, client }
}

fn path(rest: &str) -> String {
    format!("/v1/projects/{PROJECT}{rest}")
}

fn object(value: &Value) -> Map<String, Value> {
    value.as_object().cloned().expect("a JSON object")
}

/// A constrained string of the generated models (`maxLength` and the like).
fn constrained<T>(value: &str) -> T
where
    T: FromStr,
    T::Err: std::fmt::Debug,
{
    value.parse().expect("within the documented limits")
}

fn ts(text: &str) -> chrono::DateTime<chrono::Utc> {
    text.parse().expect("an RFC 3339 timestamp")
}

// ---- the official document -----------------------------------------------------------------

/// `spec/upstream/conversation.yaml` as JSON, read once.
fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let path = format!(
            "{}/../spec/upstream/conversation.yaml",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    })
}

/// Fails unless `value` is valid under the official schema `name`.
fn assert_valid(name: &str, value: &Value) {
    let doc = document();
    let mut root = json!({
        "allOf": [{"$ref": format!("#/components/schemas/{name}")}],
        "components": doc["components"]
    });
    json_schema(&mut root);
    let validator = jsonschema::draft4::new(&root).expect("the official schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not a valid {name}: {errors:#?}\n{value:#}"
    );
}

// ---- the wire ------------------------------------------------------------------------------

/// Sends `message` to contact `c1` with the helper; the body must be exactly this.
async fn sends(api: &Api, message: AppMessage, expected: Value) {
    let response = api
        .expect_at(POST, path("/messages:send"))
        .json_body(json!({
            "app_id": "app-1",
            "recipient": {"contact_id": "c1"},
            "message": expected
        }))
        .reply(json!({"message_id": "m1", "accepted_time": "2026-12-02T10:00:00Z"}))
        .run(
            api.client
                .message("app-1", types::Recipient::contact("c1"), message)
                .send(),
        )
        .await
        .expect("send succeeds");
    assert_eq!(response.message_id.as_deref(), Some("m1"));
    assert_eq!(response.accepted_time, Some(ts("2026-12-02T10:00:00Z")));
}

/// Answers `get_message` for `id` with `answer`; the parsed message must serialise back to it.
async fn receives(api: &Api, id: &str, answer: Value) -> types::ConversationMessage {
    let message = api
        .expect_at(GET, path(&format!("/messages/{id}")))
        .reply(answer.clone())
        .run(api.client.get_message().message_id(id).send())
        .await
        .expect("get succeeds")
        .into_inner();
    assert_eq!(
        serde_json::to_value(&message).unwrap(),
        answer,
        "nothing lost or added on re-serialisation"
    );
    message
}

/// A message the app sent, as `get_message` answers it.
fn app_message_answer(id: &str, app_message: Value) -> Value {
    json!({
        "id": id,
        "direction": "TO_CONTACT",
        "app_message": app_message,
        "channel_identity": {"channel": "WHATSAPP", "identity": "+46700000001", "app_id": "app-1"},
        "conversation_id": "conv-1",
        "contact_id": "c1",
        "accept_time": "2026-12-02T10:00:00Z",
        "processing_mode": "CONVERSATION"
    })
}

/// A message the contact sent, as `get_message` answers it.
fn contact_message_answer(id: &str, contact_message: Value) -> Value {
    json!({
        "id": id,
        "direction": "TO_APP",
        "contact_message": contact_message,
        "channel_identity": {"channel": "WHATSAPP", "identity": "+46700000001", "app_id": "app-1"},
        "conversation_id": "conv-1",
        "contact_id": "c1",
        "accept_time": "2026-12-02T10:01:00Z",
        "processing_mode": "CONVERSATION"
    })
}

fn app_message(message: &types::ConversationMessage) -> &AppMessage {
    match &message.kind {
        types::ConversationMessageTypes::AppMessage(app) => app,
        other => panic!("expected an app message: {other:?}"),
    }
}

fn contact_message(message: &types::ConversationMessage) -> &types::ContactMessage {
    match &message.kind {
        types::ConversationMessageTypes::ContactMessage(contact) => contact,
        other => panic!("expected a contact message: {other:?}"),
    }
}

/// Injects `contact_message` into `conv-1` as the contact's; the body must be exactly this.
async fn injects(api: &Api, contact_message: types::ContactMessage, expected: Value) {
    let request = types::InjectMessageRequest {
        common: types::InjectMessageCommonProps {
            accept_time: ts("2026-12-02T10:01:00Z"),
            channel_identity: types::ChannelIdentity {
                app_id: Some("app-1".into()),
                channel: ConversationChannel::Whatsapp,
                identity: "+46700000001".into(),
            },
            contact_id: "c1".into(),
            conversation_id: None,
            direction: types::ConversationDirection::ToApp,
            metadata: None,
            processing_mode: None,
            sender_id: None,
        },
        kind: types::ConversationMessageTypesInject::ContactMessage(contact_message),
    };
    let response = api
        .expect_at(POST, path("/conversations/conv-1:inject-message"))
        .json_body(json!({
            "direction": "TO_APP",
            "channel_identity": {"channel": "WHATSAPP", "identity": "+46700000001", "app_id": "app-1"},
            "contact_id": "c1",
            "accept_time": "2026-12-02T10:01:00Z",
            "contact_message": expected
        }))
        .reply(json!({}))
        .run(
            api.client
                .inject_message()
                .conversation_id("conv-1")
                .body(request)
                .send(),
        )
        .await
        .expect("inject succeeds");
    assert_eq!(response.status(), 200);
}

/// A contact message of one kind, not a reply.
fn contact_message_of(kind: types::ContactMessageTypes) -> types::ContactMessage {
    types::ContactMessage {
        common: types::ContactMessageCommonProps(types::ReplyToField { reply_to: None }),
        kind,
    }
}

// ---- AppMessage.reply_to, Choice.display_mode, Reason.channel_code ---------------------------

#[tokio::test]
async fn app_message_reply_to() {
    let api = start().await;
    let wire = json!({
        "text_message": {"text": "On its way"},
        "reply_to": {"message_id": "01HQ5ZCONTACTMSG"}
    });
    assert_valid("AppMessage", &wire);
    assert_valid("AppMessageCommonProps", &wire);
    sends(
        &api,
        AppMessage::text("On its way").reply_to("01HQ5ZCONTACTMSG"),
        wire.clone(),
    )
    .await;

    let received = receives(&api, "m1", app_message_answer("m1", wire)).await;
    let app = app_message(&received);
    assert_eq!(
        app.common.reply_to,
        Some(types::ReplyTo {
            message_id: "01HQ5ZCONTACTMSG".into()
        })
    );
    assert_eq!(app.as_text(), Some("On its way"));

    // A contact's reply carries it too (`ContactMessage` = `ReplyToField` + one kind).
    let contact_wire = json!({
        "text_message": {"text": "Thanks!"},
        "reply_to": {"message_id": "m1"}
    });
    assert_valid("ContactMessage", &contact_wire);
    assert_valid("ReplyToField", &contact_wire);
    let received = receives(&api, "m2", contact_message_answer("m2", contact_wire)).await;
    let contact = contact_message(&received);
    assert_eq!(
        contact
            .common
            .0
            .reply_to
            .as_ref()
            .map(|r| r.message_id.as_str()),
        Some("m1")
    );
    assert_eq!(contact.as_text(), Some("Thanks!"));
}

#[tokio::test]
async fn choice_display_mode() {
    let api = start().await;
    let wire = json!({"choice_message": {
        "text_message": {"text": "Menu"},
        "choices": [
            {"text_message": {"text": "Opening hours"}, "postback_data": "hours", "display_mode": "PERSISTENT"},
            {"url_message": {"title": "Shop", "url": "https://shop.example.com"}, "display_mode": "PERSISTENT"},
            {"call_message": {"title": "Call us", "phone_number": "+46700000002"}}
        ]
    }});
    assert_valid("AppMessage", &wire);
    for choice in wire["choice_message"]["choices"].as_array().unwrap() {
        assert_valid("Choice", choice);
    }
    sends(
        &api,
        AppMessage::choice(
            "Menu",
            [
                Choice::reply("Opening hours", "hours")
                    .with_display_mode(types::DisplayMode::Persistent),
                Choice::url("Shop", "https://shop.example.com")
                    .with_display_mode(types::DisplayMode::Persistent),
                Choice::call("Call us", "+46700000002"),
            ],
        ),
        wire.clone(),
    )
    .await;

    let received = receives(&api, "m1", app_message_answer("m1", wire)).await;
    let types::AppMessageTypes::ChoiceMessage(choice) = &app_message(&received).kind else {
        panic!("expected a choice message");
    };
    let modes: Vec<_> = choice
        .choices
        .iter()
        .map(|c| c.common.display_mode.clone())
        .collect();
    assert_eq!(
        modes,
        [
            Some(types::DisplayMode::Persistent),
            Some(types::DisplayMode::Persistent),
            None
        ]
    );
    assert!(matches!(
        choice.choices[1].kind,
        types::ChoiceTypes::UrlMessage(_)
    ));

    // A mode newer than the document is kept as it came.
    let newer = json!({"text_message": {"text": "Hi"}, "display_mode": "STICKY_ON_TOP"});
    let parsed: Choice = serde_json::from_value(newer.clone()).unwrap();
    assert_eq!(
        parsed.common.display_mode,
        Some(types::DisplayMode::Other("STICKY_ON_TOP".into()))
    );
    assert_eq!(serde_json::to_value(&parsed).unwrap(), newer);
}

#[tokio::test]
async fn reason_channel_code() {
    let api = start().await;
    let reason = json!({
        "code": "CHANNEL_FAILURE",
        "description": "Message failed to send because more than 24 hours have passed",
        "sub_code": "UNSPECIFIED_SUB_CODE",
        "channel_code": "131047"
    });
    assert_valid("Reason", &reason);

    // In a get_message answer: a fallback message the channel could not map.
    let fallback = json!({"fallback_message": {
        "raw_message": "{\"type\":\"unsupported\"}",
        "reason": reason.clone()
    }});
    assert_valid("ContactMessage", &fallback);
    let received = receives(&api, "m2", contact_message_answer("m2", fallback)).await;
    let types::ContactMessageTypes::FallbackMessage(fallback) = &contact_message(&received).kind
    else {
        panic!("expected a fallback message");
    };
    let parsed = fallback.reason.as_ref().expect("a reason");
    assert_eq!(parsed.channel_code.as_deref(), Some("131047"));
    assert_eq!(parsed.code, Some(types::ReasonCode::ChannelFailure));
    assert_eq!(
        parsed.sub_code,
        Some(types::ReasonSubCode::UnspecifiedSubCode)
    );

    // In a delivery report callback.
    let callback = json!({
        "app_id": "app-1",
        "accepted_time": "2026-12-02T10:00:01Z",
        "event_time": "2026-12-02T10:00:01.500Z",
        "project_id": PROJECT,
        "message_delivery_report": {
            "message_id": "m1",
            "conversation_id": "conv-1",
            "status": "FAILED",
            "channel_identity": {"channel": "WHATSAPP", "identity": "+46700000001", "app_id": "app-1"},
            "contact_id": "c1",
            "reason": reason.clone(),
            "metadata": "order-42",
            "processing_mode": "CONVERSATION"
        },
        "message_metadata": "order-42",
        "correlation_id": "corr-1"
    });
    assert_valid("MessageDeliveryReceiptEvent", &callback);
    let Event::MessageDelivery(delivery) =
        webhooks::parse(callback.to_string().as_bytes()).expect("a delivery report")
    else {
        panic!("expected a delivery report");
    };
    assert_eq!(delivery.payload.status, Some(types::DeliveryStatus::Failed));
    let parsed = delivery.payload.reason.as_ref().expect("a reason");
    assert_eq!(parsed.channel_code.as_deref(), Some("131047"));
    assert_eq!(serde_json::to_value(parsed).unwrap(), reason);
    assert_eq!(
        serde_json::to_value(&delivery.payload).unwrap(),
        callback["message_delivery_report"]
    );
    let typed: types::MessageDeliveryReceiptEvent =
        serde_json::from_value(callback.clone()).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), callback);
}

// ---- AppEvent.read_message_event, ListRecentConversationsResponse.total_size ----------------

#[tokio::test]
async fn app_event_read_message_event() {
    let api = start().await;
    let event = json!({"read_message_event": {"message_id": "01HQ5ZCONTACTMSG"}});
    assert_valid("ReadMessageEventField", &event);
    assert_valid("AppEventField", &json!({"app_event": event}));
    let sent = api
        .expect_at(POST, path("/events:send"))
        .json_body(json!({
            "app_id": "app-1",
            "recipient": {"identified_by": {"channel_identities": [
                {"channel": "WHATSAPP", "identity": "+46700000001"}
            ]}},
            "event": event.clone()
        }))
        .reply(json!({"event_id": "e1", "accepted_time": "2026-12-02T10:02:00Z"}))
        .run(
            api.client
                .event(
                    "app-1",
                    types::Recipient::channel(ConversationChannel::Whatsapp, "+46700000001"),
                    AppEvent::read_message("01HQ5ZCONTACTMSG"),
                )
                .send(),
        )
        .await
        .unwrap();
    assert_eq!(sent.event_id.as_deref(), Some("e1"));
    assert_eq!(sent.accepted_time, Some(ts("2026-12-02T10:02:00Z")));

    // As the API answers it for the event.
    let answer = json!({
        "id": "e1",
        "direction": "TO_CONTACT",
        "app_event": event,
        "conversation_id": "conv-1",
        "contact_id": "c1",
        "channel_identity": {"channel": "WHATSAPP", "identity": "+46700000001", "app_id": "app-1"},
        "accept_time": "2026-12-02T10:02:00Z",
        "processing_mode": "CONVERSATION"
    });
    let received = api
        .expect_at(GET, path("/events/e1"))
        .reply(answer.clone())
        .run(api.client.get_event().event_id("e1").send())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        received.app_event,
        Some(AppEvent::read_message("01HQ5ZCONTACTMSG"))
    );
    let Some(AppEvent::ReadMessageEvent(read)) = &received.app_event else {
        panic!("expected a read message event");
    };
    assert_eq!(read.0["message_id"], "01HQ5ZCONTACTMSG");
    assert_eq!(serde_json::to_value(&received).unwrap(), answer);
}

#[tokio::test]
async fn list_recent_conversations_response_total_size() {
    let api = start().await;
    let answer = json!({
        "conversations": [{
            "conversation": {
                "id": "conv-1",
                "app_id": "app-1",
                "contact_id": "c1",
                "active": true,
                "active_channel": "WHATSAPP",
                "last_received": "2026-12-02T10:01:00Z",
                "metadata": "vip",
                "metadata_json": {"tier": "gold"},
                "correlation_id": "corr-1"
            },
            "last_message": contact_message_answer("m2", json!({"text_message": {"text": "Thanks!"}}))
        }],
        "next_page_token": "tok-2",
        "total_size": 3
    });
    assert_valid("ListRecentConversationsResponse", &answer);
    let page = api
        .expect_at(GET, path("/conversations:recent"))
        .query("app_id=app-1&only_active=true&order=DESC&page_size=1&page_token=tok-1")
        .reply(answer.clone())
        .run(
            api.client
                .list_recent_conversations()
                .app_id("app-1")
                .only_active(true)
                .order(types::ListRecentConversationsOrder::Desc)
                .page_size(1)
                .page_token("tok-1")
                .send(),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.total_size, Some(3));
    assert_eq!(page.next_page_token.as_deref(), Some("tok-2"));
    let recent = &page.conversations[0];
    let conversation = recent.conversation.as_ref().unwrap();
    assert_eq!(conversation.id.as_deref(), Some("conv-1"));
    assert_eq!(conversation.metadata_json["tier"], "gold");
    let last = recent.last_message.as_ref().unwrap();
    assert_eq!(contact_message(last).as_text(), Some("Thanks!"));
    assert_eq!(serde_json::to_value(&page).unwrap(), answer);

    // Without it (an older answer), nothing is made up.
    let older: types::ListRecentConversationsResponse =
        serde_json::from_value(json!({"conversations": []})).unwrap();
    assert_eq!(older.total_size, None);
    assert_eq!(serde_json::to_value(&older).unwrap(), json!({}));
}

// ---- channel-specific messages, sent typed and received ---------------------------------------

/// Sends `message` on `channel` as a channel-specific message and receives it back in a
/// `get_message` answer: exactly `wire` both ways, and the same typed value. `schema` is the
/// official schema of the content (`wire["message"]`) for its `message_type`.
async fn channel_specific_both_ways(
    channel: ConversationChannel,
    message: ChannelSpecificMessage,
    schema: &str,
    wire: Value,
) -> ChannelSpecificMessage {
    assert_valid("ChannelSpecificMessage", &wire);
    assert_valid(schema, &wire["message"]);
    assert_eq!(serde_json::to_value(&message).unwrap(), wire);
    let api = start().await;
    let by_channel = json!({"channel_specific_message": {channel.to_string(): wire}});
    sends(
        &api,
        AppMessage::channel_specific([(channel.clone(), message.clone())]),
        by_channel.clone(),
    )
    .await;

    let received = receives(&api, "m1", app_message_answer("m1", by_channel)).await;
    let app = app_message(&received);
    assert_eq!(app.kind, types::AppMessageTypes::Unknown(Map::new()));
    let parsed = app.common.channel_specific_message[channel.as_str()].clone();
    assert_eq!(parsed, message);
    parsed
}

#[tokio::test]
async fn channel_specific_flows() {
    let flow = types::FlowChannelSpecificMessage {
        flow_id: "1132448574903720".into(),
        flow_token: Some("booking-42".into()),
        flow_mode: Some(types::FlowChannelSpecificMessageFlowMode::Draft),
        flow_cta: "Book now".into(),
        flow_action: Some(types::FlowChannelSpecificMessageFlowAction::Navigate),
        flow_action_payload: Some(types::FlowChannelSpecificMessageFlowActionPayload {
            screen: Some("WELCOME".into()),
            data: object(&json!({"name": "Ada", "slots": [9, 10]})),
        }),
        header: Some(types::FlowChannelSpecificMessageHeader::TextHeader(
            types::WhatsAppInteractiveTextHeader {
                type_: types::WhatsAppInteractiveTextHeaderType::Text,
                text: "Your booking".into(),
            },
        )),
        body: Some(types::WhatsAppInteractiveBody {
            text: "Pick a time that suits you".into(),
        }),
        footer: Some(types::WhatsAppInteractiveFooter {
            text: "Sinch Dental".into(),
        }),
    };
    let received = channel_specific_both_ways(
        ConversationChannel::Whatsapp,
        ChannelSpecificMessage::Flows(flow),
        "FlowChannelSpecificMessage",
        json!({"message_type": "FLOWS", "message": {
            "flow_id": "1132448574903720",
            "flow_token": "booking-42",
            "flow_mode": "draft",
            "flow_cta": "Book now",
            "flow_action": "navigate",
            "flow_action_payload": {"screen": "WELCOME", "data": {"name": "Ada", "slots": [9, 10]}},
            "header": {"type": "text", "text": "Your booking"},
            "body": {"text": "Pick a time that suits you"},
            "footer": {"text": "Sinch Dental"}
        }}),
    )
    .await;
    assert_eq!(received_tag(&received), "FLOWS");
    let ChannelSpecificMessage::Flows(flow) = received else {
        panic!("expected a flow");
    };
    assert_eq!(flow.flow_cta, "Book now");
    assert!(matches!(
        flow.header,
        Some(types::FlowChannelSpecificMessageHeader::TextHeader(_))
    ));
}

fn received_tag(message: &ChannelSpecificMessage) -> &'static str {
    message.tag().expect("a known message_type")
}

#[tokio::test]
async fn channel_specific_order_details() {
    let order = types::PaymentOrderDetailsChannelSpecificMessage {
        header: Some(
            types::PaymentOrderDetailsChannelSpecificMessageHeader::ImageHeader(
                types::WhatsAppInteractiveImageHeader {
                    type_: types::WhatsAppInteractiveImageHeaderType::Image,
                    image: types::WhatsAppInteractiveHeaderMedia {
                        link: "https://shop.example.com/cart.png".into(),
                    },
                },
            ),
        ),
        body: Some(types::WhatsAppInteractiveBody {
            text: "Your order, ready to pay".into(),
        }),
        footer: None,
        payment: types::PaymentOrderDetailsChannelSpecificMessagePayment {
            type_: types::PaymentOrderDetailsChannelSpecificMessagePaymentType::Br,
            reference_id: "order-42".into(),
            type_of_goods:
                types::PaymentOrderDetailsChannelSpecificMessagePaymentTypeOfGoods::PhysicalGoods,
            payment_settings: None,
            payment_buttons: vec![
                types::WhatsAppPaymentButton::Pix(types::WhatsAppPaymentSettingsButtonPix {
                    type_: types::WhatsAppPaymentSettingsButtonPixType::PixDynamicCode,
                    code: "00020101021226700014br.gov.bcb.pix".into(),
                    merchant_name: "Sinch Shop".into(),
                    key: "39580525000189".into(),
                    key_type: types::DynamicPixKeyType::Cnpj,
                }),
                types::WhatsAppPaymentButton::PaymentLink(
                    types::WhatsAppPaymentSettingsButtonPaymentLink {
                        type_: types::WhatsAppPaymentSettingsButtonPaymentLinkType::PaymentLink,
                        uri: "https://pay.example.com/order-42".into(),
                    },
                ),
            ],
            total_amount_value: 12000,
            order: types::PaymentOrderDetailsChannelSpecificMessagePaymentOrder {
                catalog_id: Some("cat-1".into()),
                expiration_time: Some("1796205600".into()),
                expiration_description: Some("Pay within a day".into()),
                subtotal_value: 10000,
                tax_value: 1000,
                tax_description: Some("VAT".into()),
                shipping_value: Some(1500),
                shipping_description: Some("Express".into()),
                discount_value: Some(500),
                discount_description: Some("Welcome discount".into()),
                discount_program_name: Some("WELCOME5".into()),
                items: vec![
                    types::PaymentOrderDetailsChannelSpecificMessagePaymentOrderItemsItem {
                        retailer_id: "sku-1".into(),
                        name: "Running shoes".into(),
                        amount_value: 5000,
                        quantity: 2,
                        sale_amount_value: Some(4500),
                    },
                ],
            },
        },
    };
    let received = channel_specific_both_ways(
        ConversationChannel::Whatsapp,
        ChannelSpecificMessage::OrderDetails(order),
        "PaymentOrderDetailsChannelSpecificMessage",
        json!({"message_type": "ORDER_DETAILS", "message": {
            "header": {"type": "image", "image": {"link": "https://shop.example.com/cart.png"}},
            "body": {"text": "Your order, ready to pay"},
            "payment": {
                "type": "br",
                "reference_id": "order-42",
                "type_of_goods": "physical-goods",
                "payment_buttons": [
                    {
                        "type": "pix_dynamic_code",
                        "code": "00020101021226700014br.gov.bcb.pix",
                        "merchant_name": "Sinch Shop",
                        "key": "39580525000189",
                        "key_type": "CNPJ"
                    },
                    {"type": "payment_link", "uri": "https://pay.example.com/order-42"}
                ],
                "total_amount_value": 12000,
                "order": {
                    "catalog_id": "cat-1",
                    "expiration_time": "1796205600",
                    "expiration_description": "Pay within a day",
                    "subtotal_value": 10000,
                    "tax_value": 1000,
                    "tax_description": "VAT",
                    "shipping_value": 1500,
                    "shipping_description": "Express",
                    "discount_value": 500,
                    "discount_description": "Welcome discount",
                    "discount_program_name": "WELCOME5",
                    "items": [{
                        "retailer_id": "sku-1",
                        "name": "Running shoes",
                        "amount_value": 5000,
                        "quantity": 2,
                        "sale_amount_value": 4500
                    }]
                }
            }
        }}),
    )
    .await;
    let ChannelSpecificMessage::OrderDetails(order) = received else {
        panic!("expected order details");
    };
    assert!(matches!(
        order.payment.payment_buttons[1],
        types::WhatsAppPaymentButton::PaymentLink(_)
    ));
}

#[tokio::test]
async fn channel_specific_order_status() {
    let status = types::PaymentOrderStatusChannelSpecificMessage {
        header: None,
        body: Some(types::WhatsAppInteractiveBody {
            text: "Your order has shipped".into(),
        }),
        footer: Some(types::WhatsAppInteractiveFooter {
            text: "Sinch Shop".into(),
        }),
        payment: types::PaymentOrderStatusChannelSpecificMessagePayment {
            reference_id: "order-42".into(),
            order: types::PaymentOrderStatusChannelSpecificMessagePaymentOrder {
                status: types::PaymentOrderStatusChannelSpecificMessagePaymentOrderStatus::PartiallyShipped,
                description: Some("The shoes are on their way".into()),
            },
        },
    };
    let received = channel_specific_both_ways(
        ConversationChannel::Whatsapp,
        ChannelSpecificMessage::OrderStatus(status),
        "PaymentOrderStatusChannelSpecificMessage",
        json!({"message_type": "ORDER_STATUS", "message": {
            "body": {"text": "Your order has shipped"},
            "footer": {"text": "Sinch Shop"},
            "payment": {
                "reference_id": "order-42",
                "order": {"status": "partially-shipped", "description": "The shoes are on their way"}
            }
        }}),
    )
    .await;
    assert_eq!(received_tag(&received), "ORDER_STATUS");
}

/// A KakaoTalk commerce card: image, regular price, a coupon and two buttons.
fn kakaotalk_card(title: &str, price: i64) -> (types::KakaoTalkCommerceMessage, Value) {
    let typed = types::KakaoTalkCommerceMessage {
        image: types::KakaoTalkCommerceMessageImage {
            image_url: format!("https://shop.example.com/{title}.jpg"),
            image_link: Some(format!("https://shop.example.com/{title}")),
        },
        commerce: types::KakaoTalkCommerceMessageCommerce::RegularPriceCommerce(
            types::KakaoTalkRegularPriceCommerce {
                type_: types::KakaoTalkRegularPriceCommerceType::RegularPriceCommerce,
                title: constrained(title),
                regular_price: price,
            },
        ),
        coupon: Some(types::KakaoTalkCommerceMessageCoupon::FixedDiscountCoupon(
            types::KakaoTalkFixedDiscountCoupon {
                type_: types::KakaoTalkFixedDiscountCouponType::FixedDiscountCoupon,
                discount_fixed: 5000,
                description: Some(constrained("Welcome")),
                link_mo: Some("https://shop.example.com/m/coupon".into()),
                link_pc: None,
                scheme_android: None,
                scheme_ios: None,
            },
        )),
        additional_content: Some(constrained("Free shipping")),
        buttons: vec![
            types::KakaoTalkCommerceMessageButtonsItem::WebLinkButton(
                types::KakaoTalkWebLinkButton {
                    type_: types::KakaoTalkWebLinkButtonType::Wl,
                    name: constrained("Buy"),
                    link_mo: format!("https://shop.example.com/m/{title}"),
                    link_pc: Some(format!("https://shop.example.com/{title}")),
                },
            ),
            types::KakaoTalkCommerceMessageButtonsItem::BotKeywordButton(
                types::KakaoTalkBotKeywordButton {
                    type_: types::KakaoTalkBotKeywordButtonType::Bk,
                    name: constrained("Ask"),
                },
            ),
        ],
    };
    let wire = json!({
        "image": {
            "image_url": format!("https://shop.example.com/{title}.jpg"),
            "image_link": format!("https://shop.example.com/{title}")
        },
        "commerce": {"type": "REGULAR_PRICE_COMMERCE", "title": title, "regular_price": price},
        "coupon": {
            "type": "FIXED_DISCOUNT_COUPON",
            "discount_fixed": 5000,
            "description": "Welcome",
            "link_mo": "https://shop.example.com/m/coupon"
        },
        "additional_content": "Free shipping",
        "buttons": [
            {
                "type": "WL",
                "name": "Buy",
                "link_mo": format!("https://shop.example.com/m/{title}"),
                "link_pc": format!("https://shop.example.com/{title}")
            },
            {"type": "BK", "name": "Ask"}
        ]
    });
    (typed, wire)
}

#[tokio::test]
async fn channel_specific_commerce() {
    let (card, card_wire) = kakaotalk_card("Runner", 89000);
    let commerce = types::KakaoTalkCommerceChannelSpecificMessage {
        push_alarm: true,
        adult: false,
        image: types::KakaoTalkCommerceChannelSpecificMessageImage {
            image_url: card.image.image_url.clone(),
            image_link: card.image.image_link.clone(),
        },
        commerce: types::KakaoTalkCommerceChannelSpecificMessageCommerce::RegularPriceCommerce(
            types::KakaoTalkRegularPriceCommerce {
                type_: types::KakaoTalkRegularPriceCommerceType::RegularPriceCommerce,
                title: constrained("Runner"),
                regular_price: 89000,
            },
        ),
        coupon: Some(
            types::KakaoTalkCommerceChannelSpecificMessageCoupon::FixedDiscountCoupon(
                types::KakaoTalkFixedDiscountCoupon {
                    type_: types::KakaoTalkFixedDiscountCouponType::FixedDiscountCoupon,
                    discount_fixed: 5000,
                    description: Some(constrained("Welcome")),
                    link_mo: Some("https://shop.example.com/m/coupon".into()),
                    link_pc: None,
                    scheme_android: None,
                    scheme_ios: None,
                },
            ),
        ),
        additional_content: Some(constrained("Free shipping")),
        buttons: vec![
            types::KakaoTalkCommerceChannelSpecificMessageButtonsItem::WebLinkButton(
                types::KakaoTalkWebLinkButton {
                    type_: types::KakaoTalkWebLinkButtonType::Wl,
                    name: constrained("Buy"),
                    link_mo: "https://shop.example.com/m/Runner".into(),
                    link_pc: Some("https://shop.example.com/Runner".into()),
                },
            ),
            types::KakaoTalkCommerceChannelSpecificMessageButtonsItem::BotKeywordButton(
                types::KakaoTalkBotKeywordButton {
                    type_: types::KakaoTalkBotKeywordButtonType::Bk,
                    name: constrained("Ask"),
                },
            ),
        ],
    };
    // The commerce message is the card plus KakaoTalk's `push_alarm` and `adult` (always sent:
    // the document gives both a default).
    let mut wire = object(&card_wire);
    wire.insert("push_alarm".into(), json!(true));
    wire.insert("adult".into(), json!(false));
    let received = channel_specific_both_ways(
        ConversationChannel::Kakaotalk,
        ChannelSpecificMessage::Commerce(commerce),
        "KakaoTalkCommerceChannelSpecificMessage",
        json!({"message_type": "COMMERCE", "message": wire}),
    )
    .await;
    let ChannelSpecificMessage::Commerce(commerce) = received else {
        panic!("expected a commerce message");
    };
    assert!(matches!(
        commerce.buttons[1],
        types::KakaoTalkCommerceChannelSpecificMessageButtonsItem::BotKeywordButton(_)
    ));
}

#[tokio::test]
async fn channel_specific_carousel_commerce() {
    let (first, first_wire) = kakaotalk_card("Runner", 89000);
    let (second, second_wire) = kakaotalk_card("Trail", 99000);
    let carousel = types::KakaoTalkCarouselCommerceChannelSpecificMessage {
        push_alarm: false,
        adult: false,
        carousel: types::KakaoTalkCarouselCommerceChannelSpecificMessageCarousel {
            head: Some(
                types::KakaoTalkCarouselCommerceChannelSpecificMessageCarouselHead {
                    header: constrained("Winter sale"),
                    content: constrained("Our picks for the cold days"),
                    image_url: "https://shop.example.com/winter.jpg".into(),
                    link_mo: Some("https://shop.example.com/m/winter".into()),
                    link_pc: None,
                    scheme_android: None,
                    scheme_ios: None,
                },
            ),
            list: vec![first, second],
            tail: Some(
                types::KakaoTalkCarouselCommerceChannelSpecificMessageCarouselTail {
                    link_mo: "https://shop.example.com/m/all".into(),
                    link_pc: Some("https://shop.example.com/all".into()),
                    scheme_android: None,
                    scheme_ios: None,
                },
            ),
        },
    };
    let received = channel_specific_both_ways(
        ConversationChannel::Kakaotalk,
        ChannelSpecificMessage::CarouselCommerce(carousel),
        "KakaoTalkCarouselCommerceChannelSpecificMessage",
        json!({"message_type": "CAROUSEL_COMMERCE", "message": {
            "push_alarm": false,
            "adult": false,
            "carousel": {
                "head": {
                    "header": "Winter sale",
                    "content": "Our picks for the cold days",
                    "image_url": "https://shop.example.com/winter.jpg",
                    "link_mo": "https://shop.example.com/m/winter"
                },
                "list": [first_wire, second_wire],
                "tail": {"link_mo": "https://shop.example.com/m/all", "link_pc": "https://shop.example.com/all"}
            }
        }}),
    )
    .await;
    let ChannelSpecificMessage::CarouselCommerce(carousel) = received else {
        panic!("expected a carousel commerce message");
    };
    assert_eq!(carousel.carousel.list.len(), 2);
    assert!(!carousel.push_alarm);
}

#[tokio::test]
async fn channel_specific_notification_message_template() {
    let notification = types::LineNotificationMessageTemplateChannelSpecificMessage {
        template_key: "shipment_completed_en".into(),
        body: Some(types::LineNotificationMessageTemplateBody {
            emphasized_item: Some(types::LineNotificationMessageTemplateEmphasizedItem {
                item_key: "date_001".into(),
                content: constrained("2026-12-02"),
            }),
            items: vec![
                types::LineNotificationMessageTemplateItem {
                    item_key: "order_no_001".into(),
                    content: constrained("42"),
                },
                types::LineNotificationMessageTemplateItem {
                    item_key: "delivery_company_001".into(),
                    content: constrained("Sinch Express"),
                },
            ],
            buttons: vec![types::LineNotificationMessageTemplateButton {
                button_key: "check_order".into(),
                url: constrained("https://shop.example.com/orders/42"),
            }],
        }),
    };
    let received = channel_specific_both_ways(
        ConversationChannel::Line,
        ChannelSpecificMessage::NotificationMessageTemplate(notification),
        "LineNotificationMessageTemplateChannelSpecificMessage",
        json!({"message_type": "NOTIFICATION_MESSAGE_TEMPLATE", "message": {
            "template_key": "shipment_completed_en",
            "body": {
                "emphasized_item": {"item_key": "date_001", "content": "2026-12-02"},
                "items": [
                    {"item_key": "order_no_001", "content": "42"},
                    {"item_key": "delivery_company_001", "content": "Sinch Express"}
                ],
                "buttons": [{"button_key": "check_order", "url": "https://shop.example.com/orders/42"}]
            }
        }}),
    )
    .await;
    assert_eq!(received_tag(&received), "NOTIFICATION_MESSAGE_TEMPLATE");
}

#[tokio::test]
async fn channel_specific_unknown_message_type_is_kept_raw() {
    let api = start().await;
    // A kind newer than the document, and a known kind whose content is not its schema's.
    let newer = json!({"message_type": "CATALOG_SHOWCASE", "message": {"catalog_id": "cat-1", "thumbnail_product_retailer_id": "sku-1"}});
    let malformed = json!({"message_type": "FLOWS", "message": {"flow_cta": "Book now"}});
    let by_channel = json!({"channel_specific_message": {
        "WHATSAPP": newer.clone(),
        "KAKAOTALK": malformed.clone()
    }});
    let received = receives(&api, "m1", app_message_answer("m1", by_channel.clone())).await;
    let messages = &app_message(&received).common.channel_specific_message;
    assert_eq!(
        messages["WHATSAPP"],
        ChannelSpecificMessage::Unknown(object(&newer))
    );
    assert_eq!(messages["WHATSAPP"].tag(), None);
    assert_eq!(
        messages["KAKAOTALK"],
        ChannelSpecificMessage::Unknown(object(&malformed))
    );

    // Sent as it is, too.
    sends(
        &api,
        AppMessage::channel_specific([
            (
                ConversationChannel::Whatsapp,
                ChannelSpecificMessage::Unknown(object(&newer)),
            ),
            (
                ConversationChannel::Kakaotalk,
                ChannelSpecificMessage::Unknown(object(&malformed)),
            ),
        ]),
        by_channel,
    )
    .await;
}

// ---- contact messages: nfm_reply and product_response_message.title ------------------------

/// The official example of an `nfm_reply` contact message
/// (`ChannelSpecificContactMessage.properties.channel_specific_message.example`).
fn nfm_reply_example() -> Value {
    let example = document()
        .pointer(
            "/components/schemas/ChannelSpecificContactMessage/properties/channel_specific_message/example/nfm_reply/value",
        )
        .cloned()
        .expect("the document's nfm_reply example");
    assert_eq!(
        example["channel_specific_message"]["message_type"],
        "nfm_reply"
    );
    example
}

#[tokio::test]
async fn contact_message_nfm_reply() {
    let api = start().await;
    let wire = nfm_reply_example();
    assert_valid("ContactMessage", &wire);
    let response_json = wire["channel_specific_message"]["message"]["nfm_reply"]["response_json"]
        .as_str()
        .unwrap()
        .to_owned();
    let typed = contact_message_of(types::ContactMessageTypes::ChannelSpecificMessage(
        types::ChannelSpecificMessageContent::NfmReply(
            types::WhatsAppInteractiveNfmReplyChannelSpecificContactMessage {
                type_:
                    types::WhatsAppInteractiveNfmReplyChannelSpecificContactMessageType::NfmReply,
                nfm_reply: types::WhatsAppInteractiveNfmReply {
                    name: types::WhatsAppInteractiveNfmReplyName::Flow,
                    response_json: response_json.clone(),
                    body: "Sent".into(),
                },
            },
        ),
    ));
    assert_valid(
        "WhatsAppInteractiveNfmReplyChannelSpecificContactMessage",
        &wire["channel_specific_message"]["message"],
    );
    assert_eq!(serde_json::to_value(&typed).unwrap(), wire);
    injects(&api, typed.clone(), wire.clone()).await;

    let received = receives(&api, "m2", contact_message_answer("m2", wire.clone())).await;
    let contact = contact_message(&received);
    assert_eq!(contact, &typed);
    let types::ContactMessageTypes::ChannelSpecificMessage(
        types::ChannelSpecificMessageContent::NfmReply(reply),
    ) = &contact.kind
    else {
        panic!("expected an nfm_reply: {:?}", contact.kind);
    };
    assert_eq!(
        reply.nfm_reply.name,
        types::WhatsAppInteractiveNfmReplyName::Flow
    );
    assert_eq!(reply.nfm_reply.body, "Sent");
    let flow: Value = serde_json::from_str(&reply.nfm_reply.response_json).unwrap();
    assert_eq!(flow["flow_token"], "<FLOW_TOKEN>");

    // The same in an inbound message callback.
    let callback = json!({
        "app_id": "app-1",
        "accepted_time": "2026-12-02T10:01:00.100Z",
        "event_time": "2026-12-02T10:01:00Z",
        "project_id": PROJECT,
        "message": contact_message_answer("m2", wire),
        "message_metadata": ""
    });
    let Event::MessageInbound(inbound) =
        webhooks::parse(callback.to_string().as_bytes()).expect("an inbound message")
    else {
        panic!("expected an inbound message");
    };
    assert_eq!(inbound.payload.contact_message.as_ref(), Some(&typed));
    assert_eq!(
        serde_json::to_value(&inbound.payload).unwrap(),
        callback["message"]
    );
}

#[tokio::test]
async fn contact_message_product_response_title() {
    let api = start().await;
    let wire = json!({"product_response_message": {
        "products": [
            {"id": "sku-1", "marketplace": "FACEBOOK", "quantity": 2, "item_price": 49.95, "currency": "EUR"},
            {"id": "sku-2", "marketplace": "FACEBOOK", "quantity": 1, "item_price": 5.5, "currency": "EUR"}
        ],
        "title": "Please send these to my office",
        "catalog_id": "cat-1"
    }});
    assert_valid("ContactMessage", &wire);
    for product in wire["product_response_message"]["products"]
        .as_array()
        .unwrap()
    {
        assert_valid("ProductItem", product);
    }
    let typed = contact_message_of(types::ContactMessageTypes::ProductResponseMessage(
        types::ProductResponseMessageContent {
            products: vec![
                types::ProductItem {
                    quantity: Some(2),
                    item_price: Some(49.95),
                    currency: Some("EUR".into()),
                    ..types::ProductItem::new("sku-1", "FACEBOOK")
                },
                types::ProductItem {
                    quantity: Some(1),
                    item_price: Some(5.5),
                    currency: Some("EUR".into()),
                    ..types::ProductItem::new("sku-2", "FACEBOOK")
                },
            ],
            title: Some("Please send these to my office".into()),
            catalog_id: Some("cat-1".into()),
        },
    ));
    injects(&api, typed.clone(), wire.clone()).await;

    let received = receives(&api, "m3", contact_message_answer("m3", wire)).await;
    let contact = contact_message(&received);
    assert_eq!(contact, &typed);
    let types::ContactMessageTypes::ProductResponseMessage(products) = &contact.kind else {
        panic!("expected a product response: {:?}", contact.kind);
    };
    assert_eq!(
        products.title.as_deref(),
        Some("Please send these to my office")
    );
    assert_eq!(products.products[0].item_price, Some(49.95));

    // The seed's `text` is not the official field: it is not read as the title.
    let seed: types::ProductResponseMessageContent =
        serde_json::from_value(json!({"products": [], "text": "old"})).unwrap();
    assert_eq!(seed.title, None);
}
