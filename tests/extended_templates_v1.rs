//! Templates v1 operations added by `spec/overlays/templates_v1.json` (list, create, get,
//! update with `update_mask.paths`, delete), and their routing to the Template API host.
//!
//! The tests of each operation use a client with a single base URL (emulator style: template
//! calls go to that base URL too); the routing test uses two mock servers.

mod common;

use chrono::{DateTime, Utc};
use common::{Api, PROJECT, raw_path, raw_query};
use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::MockServer;
use serde_json::json;
use sinch_conversation::{
    Client, RetryPolicy,
    field_mask::{FieldMask, PatchExt},
    field_paths, types,
};

fn ts(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 timestamp")
}

/// `/v1/projects/{PROJECT}` followed by `rest`.
fn v1_path(rest: &str) -> String {
    format!("/v1/projects/{PROJECT}{rest}")
}

/// An English translation with two variables, as the Template API returns it.
fn english_json() -> serde_json::Value {
    json!({
        "language_code": "en-US",
        "content": "{\"text_message\":{\"text\":\"Hi ${name}, your code is ${code}.\"}}",
        "version": "3",
        "variables": [
            {"key": "name", "preview_value": "Ada"},
            {"key": "code", "preview_value": "123456"}
        ],
        "create_time": "2026-10-02T08:00:00Z",
        "update_time": "2026-11-15T12:30:00Z"
    })
}

/// A Swedish translation without variables.
fn swedish_json() -> serde_json::Value {
    json!({
        "language_code": "sv-SE",
        "content": "{\"text_message\":{\"text\":\"Hej! Din kod är ${code}.\"}}",
        "version": "1",
        "create_time": "2026-10-02T08:00:00Z",
        "update_time": "2026-10-02T08:00:00Z"
    })
}

fn template_json() -> serde_json::Value {
    json!({
        "id": "verification-code",
        "description": "One-time verification code",
        "channel": "CONVERSATION",
        "default_translation": "en-US",
        "translations": [english_json(), swedish_json()],
        "create_time": "2026-10-02T08:00:00Z",
        "update_time": "2026-11-15T12:30:00Z"
    })
}

/// The typed request half of [`english_json`].
fn english() -> types::V1TemplateTranslation {
    types::V1TemplateTranslation {
        language_code: Some("en-US".into()),
        content: Some("{\"text_message\":{\"text\":\"Hi ${name}, your code is ${code}.\"}}".into()),
        version: None,
        variables: vec![
            types::TemplateVariable {
                key: Some("name".into()),
                preview_value: Some("Ada".into()),
            },
            types::TemplateVariable {
                key: Some("code".into()),
                preview_value: Some("123456".into()),
            },
        ],
        create_time: None,
        update_time: None,
    }
}

/// The JSON of [`english`].
fn english_request_json() -> serde_json::Value {
    json!({
        "language_code": "en-US",
        "content": "{\"text_message\":{\"text\":\"Hi ${name}, your code is ${code}.\"}}",
        "variables": [
            {"key": "name", "preview_value": "Ada"},
            {"key": "code", "preview_value": "123456"}
        ]
    })
}

fn assert_template(template: &types::V1Template) {
    assert_eq!(template.id.as_deref(), Some("verification-code"));
    assert_eq!(
        template.description.as_deref(),
        Some("One-time verification code")
    );
    assert_eq!(template.channel, Some(types::TemplateChannel::Conversation));
    assert_eq!(template.default_translation.as_deref(), Some("en-US"));
    assert_eq!(template.create_time, Some(ts("2026-10-02T08:00:00Z")));
    assert_eq!(template.update_time, Some(ts("2026-11-15T12:30:00Z")));
    assert_eq!(template.translations.len(), 2);
    let en = &template.translations[0];
    assert_eq!(en.language_code.as_deref(), Some("en-US"));
    assert_eq!(en.version.as_deref(), Some("3"));
    assert!(en.content.as_deref().unwrap().contains("${code}"));
    assert_eq!(en.variables.len(), 2);
    assert_eq!(en.variables[1].key.as_deref(), Some("code"));
    assert_eq!(en.variables[1].preview_value.as_deref(), Some("123456"));
    assert_eq!(en.update_time, Some(ts("2026-11-15T12:30:00Z")));
    let sv = &template.translations[1];
    assert_eq!(sv.language_code.as_deref(), Some("sv-SE"));
    assert_eq!(
        sv.content.as_deref(),
        Some("{\"text_message\":{\"text\":\"Hej! Din kod är ${code}.\"}}")
    );
    assert!(sv.variables.is_empty());
}

#[tokio::test]
async fn list_templates_v1_parses_the_templates() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(v1_path("/templates"))
                .is_true(raw_path(v1_path("/templates")))
                .is_true(raw_query(None));
            then.status(200).json_body(json!({"templates": [
                template_json(),
                {"id": "01JD7Y3M5Q8W2X4Z6B9C1E3G5H", "channel": "WHATSAPP", "translations": []}
            ]}));
        })
        .await;

    let list = api
        .client
        .list_templates_v1()
        .project_id(PROJECT)
        .send()
        .await
        .expect("list succeeds");

    mock.assert_async().await;
    assert_eq!(list.templates.len(), 2);
    assert_template(&list.templates[0]);
    assert_eq!(
        list.templates[1].channel,
        Some(types::TemplateChannel::Whatsapp)
    );
    assert!(list.templates[1].translations.is_empty());
}

#[tokio::test]
async fn create_template_v1_posts_the_exact_template() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(v1_path("/templates"))
                .is_true(raw_path(v1_path("/templates")))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(json!({
                    "id": "verification-code",
                    "description": "One-time verification code",
                    "channel": "CONVERSATION",
                    "default_translation": "en-US",
                    "translations": [english_request_json()]
                }));
            then.status(200).json_body(template_json());
        })
        .await;

    let template = api
        .client
        .create_template_v1()
        .project_id(PROJECT)
        .body(types::V1Template {
            id: Some("verification-code".into()),
            description: Some("One-time verification code".into()),
            channel: Some(types::TemplateChannel::Conversation),
            default_translation: Some("en-US".into()),
            translations: vec![english()],
            create_time: None,
            update_time: None,
        })
        .send()
        .await
        .expect("create succeeds");

    mock.assert_async().await;
    assert_template(&template);
}

#[tokio::test]
async fn get_template_v1_parses_the_template_and_encodes_the_id() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(v1_path("/templates/verification%20code"))
                .is_true(raw_path(v1_path("/templates/verification%20code")))
                .is_true(raw_query(None));
            then.status(200).json_body(template_json());
        })
        .await;

    let template = api
        .client
        .get_template_v1()
        .project_id(PROJECT)
        .template_id("verification code")
        .send()
        .await
        .expect("get succeeds");

    mock.assert_async().await;
    assert_template(&template);
}

#[tokio::test]
async fn update_template_v1_patches_with_a_derived_mask() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(v1_path("/templates/verification-code"))
                .is_true(raw_path(v1_path("/templates/verification-code")))
                .is_true(raw_query(Some(
                    "update_mask.paths=description&update_mask.paths=translations",
                )))
                .header("content-type", "application/json")
                .json_body(json!({
                    "description": "Verification code (SMS and chat)",
                    "translations": [
                        english_request_json(),
                        {"language_code": "de-DE", "content": "Hallo! Dein Code ist ${code}."}
                    ]
                }));
            then.status(200).json_body(json!({
                "id": "verification-code",
                "description": "Verification code (SMS and chat)",
                "channel": "CONVERSATION",
                "default_translation": "en-US",
                "translations": [
                    english_json(),
                    {
                        "language_code": "de-DE",
                        "content": "Hallo! Dein Code ist ${code}.",
                        "version": "1",
                        "create_time": "2026-11-26T10:00:00Z",
                        "update_time": "2026-11-26T10:00:00Z"
                    }
                ],
                "create_time": "2026-10-02T08:00:00Z",
                "update_time": "2026-11-26T10:00:00Z"
            }));
        })
        .await;

    let german = types::V1TemplateTranslation {
        language_code: Some("de-DE".into()),
        content: Some("Hallo! Dein Code ist ${code}.".into()),
        ..Default::default()
    };
    let template = api
        .client
        .update_template_v1()
        .project_id(PROJECT)
        .template_id("verification-code")
        .patch(types::V1TemplatePatch {
            description: Some("Verification code (SMS and chat)".into()),
            translations: vec![english(), german],
            ..Default::default()
        })
        .expect("a mask from the patch")
        .send()
        .await
        .expect("update succeeds");

    mock.assert_async().await;
    assert_eq!(
        template.description.as_deref(),
        Some("Verification code (SMS and chat)")
    );
    assert_eq!(template.update_time, Some(ts("2026-11-26T10:00:00Z")));
    let german = &template.translations[1];
    assert_eq!(german.language_code.as_deref(), Some("de-DE"));
    assert_eq!(german.version.as_deref(), Some("1"));
    assert_eq!(german.create_time, Some(ts("2026-11-26T10:00:00Z")));
}

#[tokio::test]
async fn update_template_v1_with_an_explicit_mask_clears_a_field() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(v1_path("/templates/verification-code"))
                .is_true(raw_query(Some(
                    "update_mask.paths=default_translation&update_mask.paths=channel",
                )))
                .header("content-type", "application/json")
                .json_body(json!({"channel": "SMS"}));
            then.status(200).json_body(json!({
                "id": "verification-code",
                "channel": "SMS",
                "translations": [swedish_json()]
            }));
        })
        .await;

    let mask = FieldMask::<types::V1TemplatePatch>::new([
        field_paths::v1_template::DEFAULT_TRANSLATION,
        field_paths::v1_template::CHANNEL,
    ])
    .expect("valid paths");
    let template = api
        .client
        .update_template_v1()
        .project_id(PROJECT)
        .template_id("verification-code")
        .body(types::V1TemplatePatch {
            channel: Some(types::TemplateChannel::Sms),
            ..Default::default()
        })
        .mask(mask)
        .send()
        .await
        .expect("update succeeds");

    mock.assert_async().await;
    assert_eq!(template.channel, Some(types::TemplateChannel::Sms));
    assert_eq!(template.default_translation, None);
}

#[tokio::test]
async fn delete_template_v1_sends_a_delete() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(v1_path("/templates/verification-code"))
                .is_true(raw_path(v1_path("/templates/verification-code")))
                .is_true(raw_query(None));
            then.status(200).json_body(json!({}));
        })
        .await;

    let response = api
        .client
        .delete_template_v1()
        .project_id(PROJECT)
        .template_id("verification-code")
        .send()
        .await
        .expect("delete succeeds");

    mock.assert_async().await;
    assert_eq!(response.status(), 200);
}

// ---- routing to the Template API host ------------------------------------------------------

/// A client built like a user would: a conversation base URL and a template base URL.
fn build_client(base_url: &str, template_base_url: &str) -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .base_url(base_url)
        .template_base_url(template_base_url)
        .project_id("p1")
        .basic_auth("k", "s")
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn template_v1_operations_go_to_the_template_base_url_and_others_to_the_base_url() {
    let conversation_host = MockServer::start_async().await;
    let template_host = MockServer::start_async().await;
    let base = "/v1/projects/p1/templates";
    let routes = [
        (GET, base.to_owned(), None, json!({"templates": []})),
        (POST, base.to_owned(), None, json!({"id": "t1"})),
        (GET, format!("{base}/t1"), None, json!({"id": "t1"})),
        (
            PATCH,
            format!("{base}/t1"),
            Some("update_mask.paths=description"),
            json!({"id": "t1", "description": "d"}),
        ),
        (DELETE, format!("{base}/t1"), None, json!({})),
    ];
    let mut template_mocks = Vec::new();
    for (method, path, query, body) in routes {
        let mock = template_host
            .mock_async(|when, then| {
                when.method(method)
                    .path(path.clone())
                    .is_true(raw_path(path))
                    .is_true(raw_query(query))
                    .header("authorization", "Basic azpz");
                then.status(200).json_body(body);
            })
            .await;
        template_mocks.push(mock);
    }
    // A Conversation API operation under the same `/v1/projects/p1` prefix stays on its host.
    let settings = conversation_host
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/projects/p1/settings")
                .header("authorization", "Basic azpz");
            then.status(200).json_body(json!({"project_id": "p1"}));
        })
        .await;
    // Lower priority than the specific mocks: anything else that reaches a host is wrong.
    let stray_on_conversation_host = conversation_host
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let stray_on_template_host = template_host
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;

    let client = build_client(&conversation_host.base_url(), &template_host.base_url());
    let project = client.project().to_owned();
    client
        .list_templates_v1()
        .project_id(&project)
        .send()
        .await
        .expect("list_templates_v1");
    client
        .create_template_v1()
        .project_id(&project)
        .body_map(|body| body.id(Some("t1".to_string())))
        .send()
        .await
        .expect("create_template_v1");
    client
        .get_template_v1()
        .project_id(&project)
        .template_id("t1")
        .send()
        .await
        .expect("get_template_v1");
    client
        .update_template_v1()
        .project_id(&project)
        .template_id("t1")
        .patch(types::V1TemplatePatch {
            description: Some("d".into()),
            ..Default::default()
        })
        .expect("a mask from the patch")
        .send()
        .await
        .expect("update_template_v1");
    client
        .delete_template_v1()
        .project_id(&project)
        .template_id("t1")
        .send()
        .await
        .expect("delete_template_v1");
    client
        .get_project_settings()
        .project_id(&project)
        .send()
        .await
        .expect("get_project_settings");

    for mock in &template_mocks {
        mock.assert_async().await;
    }
    settings.assert_async().await;
    assert_eq!(
        stray_on_conversation_host.calls_async().await,
        0,
        "a template call reached the conversation host"
    );
    assert_eq!(
        stray_on_template_host.calls_async().await,
        0,
        "a conversation call reached the template host"
    );
}
