//! The exact JSON each message and event helper sends.

mod common;

use common::Api;
use httpmock::{Method::POST, MockServer};
use serde_json::{Value, json};
use sinch_conversation::{
    Client,
    error::Error,
    types::{
        AddressInfo, Agent, AppEvent, AppMessage, CardHeight, CardMessage, ChannelIdentities,
        ChannelIdentityList, ChannelSpecificMessage, Choice, ChoiceItem, ContactInfoMessage,
        ConversationChannel, FlowChannelSpecificMessage, ListItem, ListMessage, ListSection,
        MessageQueue, NameInfo, OmniMessageOverride, OrganizationInfo, ProductItem, Recipient,
        RecipientBase,
    },
};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .project_id("p1")
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

fn object(value: Value) -> serde_json::Map<String, Value> {
    value.as_object().cloned().expect("a JSON object")
}

async fn sends(message: AppMessage, expected: Value) {
    let api = start().await;
    let response = api
        .expect_at(POST, "/v1/projects/p1/messages:send")
        .json_body(json!({
            "app_id": "app-1",
            "recipient": {"contact_id": "c1"},
            "message": expected
        }))
        .reply(json!({"message_id": "m1"}))
        .run(
            api.client
                .message("app-1", Recipient::contact("c1"), message)
                .send(),
        )
        .await
        .unwrap();
    assert_eq!(response.message_id.as_deref(), Some("m1"));
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
    let api = start().await;
    let sent = api
        .expect_at(POST, "/v1/projects/p1/messages:send")
        .json_body(json!({
            "app_id": "app-1",
            "recipient": {"identified_by": {"channel_identities": [{"channel": "SMS", "identity": "+46700000001"}]}},
            "message": {"text_message": {"text": "Hi"}},
            "channel_priority_order": ["WHATSAPP", "SMS"],
            "message_metadata": "order-1",
            "ttl": "90s",
            "callback_url": "https://cb.test/x",
            "queue": "HIGH_PRIORITY",
            "channel_properties": {"WHATSAPP_HEADER": "Hello"}
        }))
        .reply(json!({"message_id": "m9"}))
        .run(
            api.client
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
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(sent.message_id.as_deref(), Some("m9"));
}

#[tokio::test]
async fn composing_and_comment_reply_events() {
    let api = start().await;
    let recipient = Recipient::channels(
        (ConversationChannel::Messenger, "psid-1"),
        [(ConversationChannel::Sms, "+4670")],
    );
    let first = api
        .expect_at(POST, "/v1/projects/p1/events:send")
        .json_body(json!({
            "app_id": "app-1",
            "recipient": {"identified_by": {"channel_identities": [
                {"channel": "MESSENGER", "identity": "psid-1"}, {"channel": "SMS", "identity": "+4670"}
            ]}},
            "event": {"composing_event": {}}
        }))
        .reply(json!({"event_id": "e1"}))
        .run(
            api.client
                .event("app-1", recipient, AppEvent::composing())
                .send(),
        )
        .await
        .unwrap();
    let second = api
        .expect_at(POST, "/v1/projects/p1/events:send")
        .json_body(json!({
            "app_id": "app-1",
            "recipient": {"contact_id": "c1"},
            "event": {"comment_reply_event": {"text": "Thanks!"}},
            "event_metadata": "meta"
        }))
        .reply(json!({"event_id": "e2"}))
        .run(
            api.client
                .event(
                    "app-1",
                    Recipient::contact("c1"),
                    AppEvent::comment_reply("Thanks!"),
                )
                .metadata("meta")
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(first.event_id.as_deref(), Some("e1"));
    assert_eq!(second.event_id.as_deref(), Some("e2"));
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

#[tokio::test]
async fn choice_list_with_every_setter() {
    sends(
        AppMessage::list(
            ListMessage::new(
                "Pick a size",
                [
                    ListSection::new(
                        "Sizes",
                        [
                            ListItem::choice("Small", "s"),
                            ChoiceItem::new("Large", "l")
                                .with_description("Family size")
                                .with_media("https://x.test/l.png")
                                .into(),
                        ],
                    ),
                    ListSection::untitled([ChoiceItem::new("None", "none")]),
                ],
            )
            .with_description("Sizes we have")
            .with_media("https://x.test/menu.png")
            .with_menu("Open")
            .with_whatsapp_header("Sizes"),
        ),
        json!({"list_message": {
            "title": "Pick a size",
            "description": "Sizes we have",
            "media": {"url": "https://x.test/menu.png"},
            "sections": [
                {"title": "Sizes", "items": [
                    {"choice": {"title": "Small", "postback_data": "s"}},
                    {"choice": {"title": "Large", "postback_data": "l", "description": "Family size", "media": {"url": "https://x.test/l.png"}}}
                ]},
                {"items": [{"choice": {"title": "None", "postback_data": "none"}}]}
            ],
            "message_properties": {"menu": "Open", "whatsapp_header": "Sizes"}
        }}),
    )
    .await;
}

#[tokio::test]
async fn product_list() {
    sends(
        AppMessage::list(
            ListMessage::new(
                "Our shoes",
                [ListSection::new(
                    "Shoes",
                    [
                        ListItem::product("sku-1", "FACEBOOK"),
                        ProductItem::new("sku-2", "FACEBOOK").into(),
                    ],
                )],
            )
            .with_catalog_id("cat-1"),
        ),
        json!({"list_message": {
            "title": "Our shoes",
            "sections": [{"title": "Shoes", "items": [
                {"product": {"id": "sku-1", "marketplace": "FACEBOOK"}},
                {"product": {"id": "sku-2", "marketplace": "FACEBOOK"}}
            ]}],
            "message_properties": {"catalog_id": "cat-1"}
        }}),
    )
    .await;
}

#[tokio::test]
async fn contact_info_with_every_setter() {
    sends(
        AppMessage::contact_info(
            ContactInfoMessage::new("Ada Lovelace", "+46700000001")
                .with_phone_number("+46700000002")
                .with_email("ada@x.test")
                .with_url("https://x.test/ada")
                .with_address(AddressInfo {
                    city: Some("London".into()),
                    country_code: Some("GB".into()),
                    ..Default::default()
                })
                .with_organization(OrganizationInfo {
                    company: Some("Analytical".into()),
                    ..Default::default()
                })
                .with_birthday("1815-12-10"),
        ),
        json!({"contact_info_message": {
            "name": {"full_name": "Ada Lovelace"},
            "phone_numbers": [{"phone_number": "+46700000001"}, {"phone_number": "+46700000002"}],
            "email_addresses": [{"email_address": "ada@x.test"}],
            "urls": [{"url": "https://x.test/ada"}],
            "addresses": [{"city": "London", "country_code": "GB"}],
            "organization": {"company": "Analytical"},
            "birthday": "1815-12-10"
        }}),
    )
    .await;
}

#[tokio::test]
async fn contact_info_with_name_parts() {
    sends(
        AppMessage::contact_info(ContactInfoMessage::new("Ada", "+4670").with_name(NameInfo {
            first_name: Some("Ada".into()),
            last_name: Some("King".into()),
            ..NameInfo::new("Ada King")
        })),
        json!({"contact_info_message": {
            "name": {"full_name": "Ada King", "first_name": "Ada", "last_name": "King"},
            "phone_numbers": [{"phone_number": "+4670"}]
        }}),
    )
    .await;
}

#[tokio::test]
async fn channel_specific_message() {
    let flow = FlowChannelSpecificMessage {
        flow_id: "f1".into(),
        flow_cta: "Book".into(),
        flow_token: None,
        flow_mode: None,
        flow_action: None,
        flow_action_payload: None,
        header: None,
        body: None,
        footer: None,
    };
    sends(
        AppMessage::channel_specific([(
            ConversationChannel::Whatsapp,
            ChannelSpecificMessage::Flows(flow),
        )]),
        json!({"channel_specific_message": {"WHATSAPP": {
            "message_type": "FLOWS",
            "message": {"flow_id": "f1", "flow_cta": "Book"}
        }}}),
    )
    .await;
}

#[tokio::test]
async fn text_with_a_channel_specific_message_on_top() {
    let flow = FlowChannelSpecificMessage {
        flow_id: "f1".into(),
        flow_cta: "Book".into(),
        flow_token: Some("t1".into()),
        flow_mode: None,
        flow_action: None,
        flow_action_payload: None,
        header: None,
        body: None,
        footer: None,
    };
    let message = AppMessage::text("Book a table")
        .with_channel_specific([(
            ConversationChannel::Whatsapp,
            ChannelSpecificMessage::Flows(flow),
        )])
        .reply_to("m0");
    assert_eq!(message.as_text(), Some("Book a table"));
    sends(
        message,
        json!({
            "text_message": {"text": "Book a table"},
            "channel_specific_message": {"WHATSAPP": {
                "message_type": "FLOWS",
                "message": {"flow_id": "f1", "flow_cta": "Book", "flow_token": "t1"}
            }},
            "reply_to": {"message_id": "m0"}
        }),
    )
    .await;
}

#[tokio::test]
async fn explicit_channel_omni_message_of_every_kind() {
    let kinds = [
        (
            OmniMessageOverride::text("Hi"),
            json!({"text_message": {"text": "Hi"}}),
        ),
        (
            OmniMessageOverride::media("https://x.test/a.jpg"),
            json!({"media_message": {"url": "https://x.test/a.jpg"}}),
        ),
        (
            OmniMessageOverride::choice("Pick", [Choice::reply("Yes", "yes")]),
            json!({"choice_message": {"text_message": {"text": "Pick"}, "choices": [{"text_message": {"text": "Yes"}, "postback_data": "yes"}]}}),
        ),
        (
            OmniMessageOverride::card(CardMessage::new("T", "D")),
            json!({"card_message": {"title": "T", "description": "D"}}),
        ),
        (
            OmniMessageOverride::carousel([CardMessage::new("A", "a")]),
            json!({"carousel_message": {"cards": [{"title": "A", "description": "a"}]}}),
        ),
        (
            OmniMessageOverride::location(59.5, 18.25, "Here"),
            json!({"location_message": {"coordinates": {"latitude": 59.5, "longitude": 18.25}, "title": "Here"}}),
        ),
        (
            OmniMessageOverride::template("tpl-1", "2", [("n".to_string(), "v".to_string())]),
            json!({"template_reference": {"template_id": "tpl-1", "version": "2", "parameters": {"n": "v"}}}),
        ),
        (
            OmniMessageOverride::list(ListMessage::new(
                "L",
                [ListSection::untitled([ListItem::choice("a", "a")])],
            )),
            json!({"list_message": {"title": "L", "sections": [{"items": [{"choice": {"title": "a", "postback_data": "a"}}]}]}}),
        ),
        (
            OmniMessageOverride::contact_info(ContactInfoMessage::new("Ada", "+4670")),
            json!({"contact_info_message": {"name": {"full_name": "Ada"}, "phone_numbers": [{"phone_number": "+4670"}]}}),
        ),
    ];
    for (content, expected) in kinds {
        sends(
            AppMessage::explicit_channel_omni([(ConversationChannel::Whatsapp, content)]),
            json!({"explicit_channel_omni_message": {"WHATSAPP": expected}}),
        )
        .await;
    }
}

#[tokio::test]
async fn text_with_channel_overrides_and_an_agent() {
    sends(
        AppMessage::text("Your order shipped")
            .with_channel_overrides([(
                ConversationChannel::Whatsapp,
                OmniMessageOverride::template("shipped", "1", []),
            )])
            .with_channel_overrides([(
                ConversationChannel::Kakaotalk,
                OmniMessageOverride::text("Shipped!"),
            )])
            .with_agent(Agent::human("Ada").with_picture("https://x.test/ada.png")),
        json!({
            "text_message": {"text": "Your order shipped"},
            "explicit_channel_omni_message": {
                "WHATSAPP": {"template_reference": {"template_id": "shipped", "version": "1"}},
                "KAKAOTALK": {"text_message": {"text": "Shipped!"}}
            },
            "agent": {"display_name": "Ada", "type": "HUMAN", "picture_url": "https://x.test/ada.png"}
        }),
    )
    .await;
}

async fn event_sends(event: AppEvent, expected: Value) {
    let api = start().await;
    let response = api
        .expect_at(POST, "/v1/projects/p1/events:send")
        .json_body(json!({
            "app_id": "app-1",
            "recipient": {"contact_id": "c1"},
            "event": expected
        }))
        .reply(json!({"event_id": "e1"}))
        .run(
            api.client
                .event("app-1", Recipient::contact("c1"), event)
                .send(),
        )
        .await
        .unwrap();
    assert_eq!(response.event_id.as_deref(), Some("e1"));
}

#[tokio::test]
async fn composing_end_event() {
    event_sends(
        AppEvent::composing_end(),
        json!({"composing_end_event": {}}),
    )
    .await;
}

#[tokio::test]
async fn read_message_event() {
    event_sends(
        AppEvent::read_message("m0"),
        json!({"read_message_event": {"message_id": "m0"}}),
    )
    .await;
}

#[tokio::test]
async fn agent_joined_event() {
    event_sends(
        AppEvent::agent_joined(Agent::human("Ada").with_picture("https://x.test/ada.png")),
        json!({"agent_joined_event": {"agent": {"display_name": "Ada", "type": "HUMAN", "picture_url": "https://x.test/ada.png"}}}),
    )
    .await;
}

#[tokio::test]
async fn agent_left_event() {
    event_sends(
        AppEvent::agent_left(Agent::bot("Helper")),
        json!({"agent_left_event": {"agent": {"display_name": "Helper", "type": "BOT"}}}),
    )
    .await;
}

#[tokio::test]
async fn generic_event() {
    event_sends(
        AppEvent::generic(object(json!({"order": 42, "state": "packed"}))),
        json!({"generic_event": {"payload": {"order": 42, "state": "packed"}}}),
    )
    .await;
}

#[tokio::test]
async fn event_with_every_option() {
    let api = start().await;
    let sent = api
        .expect_at(POST, "/v1/projects/p1/events:send")
        .json_body(json!({
            "app_id": "app-1",
            "recipient": {"identified_by": {"channel_identities": [{"channel": "WHATSAPP", "identity": "+4670"}]}},
            "event": {"composing_end_event": {}},
            "channel_priority_order": ["WHATSAPP"],
            "event_metadata": "meta",
            "callback_url": "https://cb.test/e",
            "queue": "HIGH_PRIORITY"
        }))
        .reply(json!({"event_id": "e7"}))
        .run(
            api.client
                .event(
                    "app-1",
                    Recipient::channel(ConversationChannel::Whatsapp, "+4670"),
                    AppEvent::composing_end(),
                )
                .channel_priority([ConversationChannel::Whatsapp])
                .metadata("meta")
                .callback_url("https://cb.test/e")
                .queue(MessageQueue::HighPriority)
                .send(),
        )
        .await
        .unwrap();
    assert_eq!(sent.event_id.as_deref(), Some("e7"));
}

#[tokio::test]
async fn a_recipient_naming_no_one_fails_before_any_request() {
    let api = start().await;
    let client = &api.client;
    api.unsent(async {
        // `Recipient::channels` always has a first identity; by hand, the generated types allow none.
        let nobody = || Recipient {
            kind: RecipientBase::IdentifiedBy(ChannelIdentityList(ChannelIdentities {
                channel_identities: Vec::new(),
            })),
        };

        let outgoing = client.send_text("app-1", nobody(), "x");
        let built = outgoing.request().unwrap_err();
        assert!(
            matches!(&built, Error::InvalidRequest(m) if m.contains("no channel identity")),
            "{built}"
        );
        let sent = outgoing.send().await.unwrap_err();
        assert!(
            matches!(&sent, Error::InvalidRequest(m) if m.contains("no channel identity")),
            "{sent}"
        );
        let event = client
            .event("app-1", nobody(), AppEvent::composing())
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&event, Error::InvalidRequest(m) if m.contains("no channel identity")),
            "{event}"
        );
        let empty_contact = client
            .send_text("app-1", Recipient::contact(""), "x")
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&empty_contact, Error::InvalidRequest(m) if m.contains("contact id is empty")),
            "{empty_contact}"
        );
        // Neither a contact id nor identities (the keyed one-of's `Unknown`, e.g. `{}`).
        let neither = || Recipient {
            kind: RecipientBase::Unknown(serde_json::Map::new()),
        };
        let unknown = client
            .send_text("app-1", neither(), "x")
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&unknown, Error::InvalidRequest(m) if m.contains("neither a contact id nor channel identities")),
            "{unknown}"
        );
        let unknown_event = client
            .event("app-1", neither(), AppEvent::composing())
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&unknown_event, Error::InvalidRequest(m) if m.contains("neither a contact id nor channel identities")),
            "{unknown_event}"
        );

    })
    .await;
}
