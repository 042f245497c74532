//! What users create is built in one expression: every `create_*` body has `new` with its
//! required fields (`&str` accepted) and `with_*` for the rest (a left-out required field is a
//! compile error: the `compile_fail` doctest in `src/models.rs`). Each is sent to httpmock and
//! the exact JSON body is asserted.

mod common;

use common::{Api, PROJECT};
use httpmock::Method::POST;
use serde_json::{Value, json};
use sinch_conversation::types::{
    AppCreateRequest, ChannelIdentity, ContactCreateRequest, ContactLanguage, ConversationChannel,
    ConversationChannelCredentials, CreateConversationRequest, CreateWebhookBody,
    ProjectSettingsRequest, StaticBearerCredentials, StaticTokenCredentials, V2Template,
    WebhookTrigger,
};

async fn expect_post<'a>(api: &'a Api, path: &str, body: Value) -> httpmock::Mock<'a> {
    let path = if path.starts_with("/v2") {
        path.to_owned()
    } else {
        api.path(path)
    };
    // The answer is the body with an id, as the API stores it.
    let mut answer = body.clone();
    answer["id"] = json!("new-1");
    api.server
        .mock_async(|when, then| {
            when.method(POST)
                .path(path)
                .header("content-type", "application/json")
                .json_body(body);
            then.status(200).json_body(answer);
        })
        .await
}

#[tokio::test]
async fn an_app_from_its_required_fields() {
    let api = Api::start().await;
    let mock = expect_post(
        &api,
        "/apps",
        json!({"display_name": "Shop", "channel_credentials": [
            {"channel": "SMS", "static_bearer": {"claimed_identity": "plan-1", "token": "t-1"}},
            {"channel": "MESSENGER", "static_token": {"token": "page-token"}}
        ], "processing_mode": "DISPATCH"}),
    )
    .await;
    let app = AppCreateRequest::new(
        vec![
            ConversationChannelCredentials::new(
                ConversationChannel::Sms,
                StaticBearerCredentials::new("plan-1", "t-1"),
            ),
            ConversationChannelCredentials::new(
                ConversationChannel::Messenger,
                StaticTokenCredentials::new("page-token"),
            ),
        ],
        "Shop",
    )
    .with_processing_mode("DISPATCH");
    let created = api.client.create_app().body(app).send().await.unwrap();
    mock.assert_async().await;
    assert_eq!(created.id.as_deref(), Some("new-1"));
}

#[tokio::test]
async fn a_webhook_a_contact_and_a_conversation() {
    let api = Api::start().await;
    let webhook = expect_post(
        &api,
        "/webhooks",
        json!({"app_id": "app-1", "target": "https://example.com/cb",
            "triggers": ["MESSAGE_INBOUND", "MESSAGE_DELIVERY"], "secret": "s3cret"}),
    )
    .await;
    api.client
        .create_webhook()
        .body(
            CreateWebhookBody::new("app-1", "https://example.com/cb")
                .with_triggers([
                    WebhookTrigger::MessageInbound,
                    WebhookTrigger::MessageDelivery,
                ])
                .with_secret("s3cret"),
        )
        .send()
        .await
        .unwrap();
    webhook.assert_async().await;

    let contact = expect_post(
        &api,
        "/contacts",
        json!({"channel_identities": [{"channel": "SMS", "identity": "+46700000001"}],
            "language": "EN_US", "display_name": "Ada", "email": "ada@example.com"}),
    )
    .await;
    let identity = ChannelIdentity {
        app_id: None,
        channel: ConversationChannel::Sms,
        identity: "+46700000001".into(),
    };
    api.client
        .create_contact()
        .body(
            ContactCreateRequest::new(vec![identity], ContactLanguage::EnUs)
                .with_display_name("Ada")
                .with_email("ada@example.com"),
        )
        .send()
        .await
        .unwrap();
    contact.assert_async().await;

    let conversation = expect_post(
        &api,
        "/conversations",
        json!({"app_id": "app-1", "contact_id": "c-1", "active_channel": "SMS"}),
    )
    .await;
    api.client
        .create_conversation()
        .body(
            CreateConversationRequest::new("app-1", "c-1")
                .with_active_channel(ConversationChannel::Sms),
        )
        .send()
        .await
        .unwrap();
    conversation.assert_async().await;
}

#[tokio::test]
async fn settings_and_a_template_need_no_required_field() {
    let api = Api::start().await;
    let settings = expect_post(&api, "/settings", json!({})).await;
    api.client
        .create_settings()
        .body(ProjectSettingsRequest::new())
        .send()
        .await
        .unwrap();
    settings.assert_async().await;

    let template = expect_post(
        &api,
        &format!("/v2/projects/{PROJECT}/templates"),
        json!({"description": "Greeting", "default_translation": "en-US"}),
    )
    .await;
    api.client
        .create_template()
        .body(
            V2Template::new()
                .with_description("Greeting")
                .with_default_translation("en-US"),
        )
        .send()
        .await
        .unwrap();
    template.assert_async().await;
}
