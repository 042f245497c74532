//! Templates area (Template Management v2: list, create, get, update, delete, list
//! translations), their routing to the Template API host, and the v1 paths the emulator drops.
//!
//! The tests of each operation use a client with a single base URL (emulator style: template
//! calls go to that base URL too); the routing tests use two mock servers.

mod common;
mod emulator_support;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use common::{Api, PROJECT, raw_path, raw_query};
use httpmock::Method::{DELETE, GET, POST, PUT};
use httpmock::MockServer;
use serde_json::json;
use sinch_conversation::{Client, Error, RetryPolicy, types};

fn ts(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 timestamp")
}

/// `/v2/projects/{PROJECT}` followed by `rest`.
fn v2_path(rest: &str) -> String {
    format!("/v2/projects/{PROJECT}{rest}")
}

/// A text translation with variables and a WhatsApp override, as the Template API returns it.
fn text_translation_json() -> serde_json::Value {
    json!({
        "language_code": "en-US",
        "version": "2",
        "text_message": {"text": "Hi ${name}, order ${order} has shipped."},
        "variables": [
            {"key": "name", "preview_value": "Ada"},
            {"key": "order", "preview_value": "42"}
        ],
        "channel_template_overrides": {
            "WHATSAPP": {
                "template_reference": {
                    "template_id": "order_shipped",
                    "version": "1",
                    "language_code": "en_US"
                },
                "parameter_mappings": {"name": "1", "order": "2"}
            }
        },
        "create_time": "2026-11-01T09:00:00Z",
        "update_time": "2026-11-20T09:00:00Z"
    })
}

/// A list-message translation (one of the newer message kinds).
fn list_translation_json() -> serde_json::Value {
    json!({
        "language_code": "sv-SE",
        "version": "1",
        "list_message": {
            "title": "Välj leverans",
            "description": "Hur vill du få din order?",
            "sections": [{
                "title": "Alternativ",
                "items": [
                    {"choice": {"title": "Hemleverans", "postback_data": "home"}},
                    {"choice": {"title": "Ombud", "postback_data": "pickup"}}
                ]
            }],
            "message_properties": {"menu": "Välj"}
        },
        "create_time": "2026-11-01T09:00:00Z",
        "update_time": "2026-11-01T09:00:00Z"
    })
}

fn template_json() -> serde_json::Value {
    json!({
        "id": "order-shipped",
        "description": "Order shipped notification",
        "version": 2,
        "default_translation": "en-US",
        "translations": [text_translation_json(), list_translation_json()],
        "create_time": "2026-11-01T09:00:00Z",
        "update_time": "2026-11-20T09:00:00Z"
    })
}

/// The typed translation matching the request half of [`text_translation_json`].
fn text_translation() -> types::V2TemplateTranslation {
    types::V2TemplateTranslation {
        common: types::V2MessageCommonProps {
            language_code: Some("en-US".into()),
            version: None,
            variables: vec![
                types::TypeTemplateVariable {
                    key: Some("name".into()),
                    preview_value: Some("Ada".into()),
                },
                types::TypeTemplateVariable {
                    key: Some("order".into()),
                    preview_value: Some("42".into()),
                },
            ],
            channel_template_overrides: Some(types::ChannelTemplateOverridesMap(HashMap::from([
                (
                    "WHATSAPP".to_string(),
                    types::ChannelTemplateOverride {
                        template_reference: Some(types::TemplateReference {
                            template_id: "order_shipped".into(),
                            version: Some("1".into()),
                            language_code: Some("en_US".into()),
                            parameters: HashMap::new(),
                        }),
                        parameter_mappings: HashMap::from([
                            ("name".to_string(), "1".to_string()),
                            ("order".to_string(), "2".to_string()),
                        ]),
                    },
                ),
            ]))),
            create_time: None,
            update_time: None,
        },
        kind: types::V2MessageTypes::TextMessage(types::TextMessage {
            text: "Hi ${name}, order ${order} has shipped.".into(),
        }),
    }
}

/// The JSON of [`text_translation`].
fn text_translation_request_json() -> serde_json::Value {
    json!({
        "language_code": "en-US",
        "text_message": {"text": "Hi ${name}, order ${order} has shipped."},
        "variables": [
            {"key": "name", "preview_value": "Ada"},
            {"key": "order", "preview_value": "42"}
        ],
        "channel_template_overrides": {
            "WHATSAPP": {
                "template_reference": {
                    "template_id": "order_shipped",
                    "version": "1",
                    "language_code": "en_US"
                },
                "parameter_mappings": {"name": "1", "order": "2"}
            }
        }
    })
}

/// The list message of a translation, which must be one.
fn list_message(translation: &types::V2TemplateTranslation) -> &types::ListMessage {
    match &translation.kind {
        types::V2MessageTypes::ListMessage(list) => list,
        other => panic!("expected a list message: {other:?}"),
    }
}

fn assert_template(template: &types::V2Template) {
    assert_eq!(template.id.as_deref(), Some("order-shipped"));
    assert_eq!(template.version, Some(2));
    assert_eq!(template.default_translation.as_deref(), Some("en-US"));
    assert_eq!(template.update_time, Some(ts("2026-11-20T09:00:00Z")));
    assert_eq!(template.translations.len(), 2);
    let text = &template.translations[0];
    assert_eq!(text.common.language_code.as_deref(), Some("en-US"));
    assert_eq!(text.common.version.as_deref(), Some("2"));
    let types::V2MessageTypes::TextMessage(text_message) = &text.kind else {
        panic!("expected a text message: {:?}", text.kind);
    };
    assert_eq!(text_message.text, "Hi ${name}, order ${order} has shipped.");
    assert_eq!(text.common.variables[1].key.as_deref(), Some("order"));
    let whatsapp = &text.common.channel_template_overrides.as_ref().unwrap().0["WHATSAPP"];
    assert_eq!(whatsapp.parameter_mappings["order"], "2");
    assert_eq!(
        whatsapp.template_reference.as_ref().unwrap().template_id,
        "order_shipped"
    );
    let list = list_message(&template.translations[1]);
    assert_eq!(list.title, "Välj leverans");
    assert_eq!(list.sections[0].items.len(), 2);
    let types::ListItem::Choice(pickup) = &list.sections[0].items[1] else {
        panic!("expected a choice: {:?}", list.sections[0].items[1]);
    };
    assert_eq!(pickup.postback_data.as_deref(), Some("pickup"));
}

#[tokio::test]
async fn list_templates_parses_the_templates() {
    let api = Api::start().await;
    let list = api
        .expect_at(GET, v2_path("/templates"))
        .reply(json!({"templates": [template_json()]}))
        .run(api.client.list_templates().send())
        .await
        .expect("list succeeds");

    assert_eq!(list.templates.len(), 1);
    assert_template(&list.templates[0]);
}

#[tokio::test]
async fn create_template_posts_the_exact_template() {
    let api = Api::start().await;
    let template = api
        .expect_at(POST, v2_path("/templates"))
        .json_body(json!({
            "id": "order-shipped",
            "description": "Order shipped notification",
            "default_translation": "en-US",
            "translations": [text_translation_request_json()]
        }))
        .reply(template_json())
        .run(
            api.client
                .create_template()
                .body(types::V2Template {
                    id: Some("order-shipped".into()),
                    description: Some("Order shipped notification".into()),
                    version: None,
                    default_translation: Some("en-US".into()),
                    translations: vec![text_translation()],
                    create_time: None,
                    update_time: None,
                })
                .send(),
        )
        .await
        .expect("create succeeds");

    assert_template(&template);
}

#[tokio::test]
async fn get_template_parses_the_template() {
    let api = Api::start().await;
    let template = api
        .expect_at(GET, v2_path("/templates/order-shipped"))
        .reply(template_json())
        .run(
            api.client
                .get_template()
                .template_id("order-shipped")
                .send(),
        )
        .await
        .expect("get succeeds");

    assert_template(&template);
    assert_eq!(template.create_time, Some(ts("2026-11-01T09:00:00Z")));
}

#[tokio::test]
async fn update_template_puts_the_whole_template_with_its_version() {
    let api = Api::start().await;
    let media = types::V2TemplateTranslation {
        common: types::V2MessageCommonProps {
            language_code: Some("de-DE".into()),
            ..text_translation_without_message().common
        },
        kind: types::V2MessageTypes::MediaMessage(types::MediaProperties {
            url: "https://example.com/label.pdf".into(),
            filename_override: Some("versandetikett.pdf".into()),
            thumbnail_url: None,
        }),
    };
    let template = api
        .expect_at(PUT, v2_path("/templates/order-shipped"))
        .json_body(json!({
            "description": "Order shipped notification",
            "version": 2,
            "default_translation": "en-US",
            "translations": [
                text_translation_request_json(),
                {
                    "language_code": "de-DE",
                    "media_message": {
                        "url": "https://example.com/label.pdf",
                        "filename_override": "versandetikett.pdf"
                    }
                }
            ]
        }))
        .reply(json!({
            "id": "order-shipped",
            "description": "Order shipped notification",
            "version": 3,
            "default_translation": "en-US",
            "translations": [
                text_translation_json(),
                {
                    "language_code": "de-DE",
                    "version": "1",
                    "media_message": {
                        "url": "https://example.com/label.pdf",
                        "filename_override": "versandetikett.pdf"
                    }
                }
            ],
            "create_time": "2026-11-01T09:00:00Z",
            "update_time": "2026-11-26T10:00:00Z"
        }))
        .run(
            api.client
                .update_template()
                .template_id("order-shipped")
                .body_map(|body| {
                    body.description(Some("Order shipped notification".to_string()))
                        .version(Some(2))
                        .default_translation(Some("en-US".to_string()))
                        .translations(vec![text_translation(), media])
                })
                .send(),
        )
        .await
        .expect("update succeeds");

    assert_eq!(template.version, Some(3));
    assert_eq!(template.update_time, Some(ts("2026-11-26T10:00:00Z")));
    let types::V2MessageTypes::MediaMessage(media) = &template.translations[1].kind else {
        panic!(
            "expected a media message: {:?}",
            template.translations[1].kind
        );
    };
    assert_eq!(media.url, "https://example.com/label.pdf");
    assert_eq!(
        media.filename_override.as_deref(),
        Some("versandetikett.pdf")
    );
}

/// A translation with a language code and no message (an `Unknown` kind with no key).
fn text_translation_without_message() -> types::V2TemplateTranslation {
    let text = text_translation();
    types::V2TemplateTranslation {
        common: types::V2MessageCommonProps {
            variables: vec![],
            channel_template_overrides: None,
            ..text.common
        },
        kind: types::V2MessageTypes::Unknown(serde_json::Map::new()),
    }
}

#[tokio::test]
async fn delete_template_sends_a_delete() {
    let api = Api::start().await;
    let response = api
        .expect_at(DELETE, v2_path("/templates/order-shipped"))
        .reply(json!({}))
        .run(
            api.client
                .delete_template()
                .template_id("order-shipped")
                .send(),
        )
        .await
        .expect("delete succeeds");

    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn list_translations_sends_language_and_version() {
    let api = Api::start().await;
    let list = api
        .expect_at(GET, v2_path("/templates/order-shipped/translations"))
        .query("language_code=en-US&translation_version=latest")
        .reply(json!({"translations": [text_translation_json()]}))
        .run(
            api.client
                .list_translations()
                .template_id("order-shipped")
                .language_code("en-US")
                .translation_version("latest")
                .send(),
        )
        .await
        .expect("list succeeds");

    assert_eq!(list.translations.len(), 1);
    let translation = &list.translations[0].common;
    assert_eq!(translation.language_code.as_deref(), Some("en-US"));
    assert_eq!(translation.variables.len(), 2);
    assert_eq!(translation.create_time, Some(ts("2026-11-01T09:00:00Z")));
    assert_eq!(translation.update_time, Some(ts("2026-11-20T09:00:00Z")));
}

#[tokio::test]
async fn list_translations_without_filters_sends_no_query() {
    let api = Api::start().await;
    let list = api
        .expect_at(GET, v2_path("/templates/a%20b/translations"))
        .reply(json!({"translations": [list_translation_json()]}))
        .run(api.client.list_translations().template_id("a b").send())
        .await
        .unwrap();

    let list_message = list_message(&list.translations[0]);
    assert_eq!(
        list_message
            .message_properties
            .as_ref()
            .unwrap()
            .menu
            .as_deref(),
        Some("Välj")
    );
}

#[tokio::test]
async fn get_template_error_keeps_the_sinch_error_body() {
    let api = Api::start().await;
    let error = api
        .expect_at(GET, v2_path("/templates/missing"))
        .reply_status(
            400,
            json!({"error": {
                "code": 400,
                "message": "Template id is invalid",
                "status": "INVALID_ARGUMENT",
                "details": []
            }}),
        )
        .run(api.client.get_template().template_id("missing").send())
        .await
        .unwrap_err();

    let Error::Api(api_error) = error else {
        panic!("expected Error::Api");
    };
    assert_eq!(api_error.status().as_u16(), 400);
    assert_eq!(api_error.code(), Some(400));
    assert_eq!(api_error.message(), Some("Template id is invalid"));
    assert_eq!(api_error.sinch_status(), Some("INVALID_ARGUMENT"));
}

// ---- routing to the Template API host ------------------------------------------------------

/// A client built like a user would: a conversation base URL, optionally a template base URL.
fn build_client(base_url: &str, template_base_url: Option<&str>) -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = Client::builder()
        .base_url(base_url)
        .project_id("p1")
        .basic_auth("k", "s")
        .retry_policy(RetryPolicy::none());
    if let Some(url) = template_base_url {
        builder = builder.template_base_url(url);
    }
    builder.build().expect("client builds")
}

/// Calls every template operation once, each expecting its documented success.
async fn call_every_template_operation(client: &Client) {
    client
        .list_templates()
        .send()
        .await
        .expect("list_templates");
    client
        .create_template()
        .body_map(|body| body.id(Some("t1".to_string())))
        .send()
        .await
        .expect("create_template");
    client
        .get_template()
        .template_id("t1")
        .send()
        .await
        .expect("get_template");
    client
        .update_template()
        .template_id("t1")
        .body_map(|body| body.version(Some(1)))
        .send()
        .await
        .expect("update_template");
    client
        .delete_template()
        .template_id("t1")
        .send()
        .await
        .expect("delete_template");
    client
        .list_translations()
        .template_id("t1")
        .language_code("en-US")
        .send()
        .await
        .expect("list_translations");
}

/// One mock per template operation on `server`, all under `prefix`, each expecting the client's
/// Basic credentials (the Template API shares the auth layer).
async fn template_mocks<'a>(server: &'a MockServer, prefix: &str) -> Vec<httpmock::Mock<'a>> {
    let base = format!("{prefix}/v2/projects/p1/templates");
    let routes = [
        (GET, base.clone(), None, json!({"templates": []})),
        (POST, base.clone(), None, json!({"id": "t1"})),
        (
            GET,
            format!("{base}/t1"),
            None,
            json!({"id": "t1", "version": 1}),
        ),
        (
            PUT,
            format!("{base}/t1"),
            None,
            json!({"id": "t1", "version": 2}),
        ),
        (DELETE, format!("{base}/t1"), None, json!({})),
        (
            GET,
            format!("{base}/t1/translations"),
            Some("language_code=en-US"),
            json!({"translations": []}),
        ),
    ];
    let mut mocks = Vec::new();
    for (method, path, query, body) in routes {
        let mock = server
            .mock_async(|when, then| {
                when.method(method)
                    .path(path.clone())
                    .is_true(raw_path(path))
                    .is_true(raw_query(query))
                    .header("authorization", "Basic azpz");
                then.status(200).json_body(body);
            })
            .await;
        mocks.push(mock);
    }
    mocks
}

#[tokio::test]
async fn template_operations_go_to_the_template_base_url_and_others_to_the_base_url() {
    let conversation_host = MockServer::start_async().await;
    let template_host = MockServer::start_async().await;
    let template_mocks = template_mocks(&template_host, "").await;
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

    let client = build_client(
        &conversation_host.base_url(),
        Some(&template_host.base_url()),
    );
    call_every_template_operation(&client).await;
    let settings_response = client.get_settings().send().await.expect("get_settings");

    for mock in &template_mocks {
        mock.assert_async().await;
    }
    settings.assert_async().await;
    assert_eq!(settings_response.project_id.as_deref(), Some("p1"));
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

#[tokio::test]
async fn template_base_url_may_carry_a_path_prefix() {
    let conversation_host = MockServer::start_async().await;
    let template_host = MockServer::start_async().await;
    let template_mocks = template_mocks(&template_host, "/templates-api").await;
    let stray_on_conversation_host = conversation_host
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;

    let client = build_client(
        &format!("{}/conversation-api", conversation_host.base_url()),
        Some(&format!("{}/templates-api/", template_host.base_url())),
    );
    call_every_template_operation(&client).await;

    for mock in &template_mocks {
        mock.assert_async().await;
    }
    assert_eq!(stray_on_conversation_host.calls_async().await, 0);
}

#[tokio::test]
async fn with_only_a_base_url_template_operations_go_to_the_base_url() {
    let emulator = MockServer::start_async().await;
    let template_mocks = template_mocks(&emulator, "").await;
    let settings = emulator
        .mock_async(|when, then| {
            when.method(GET).path("/v1/projects/p1/settings");
            then.status(200).json_body(json!({"project_id": "p1"}));
        })
        .await;

    let client = build_client(&emulator.base_url(), None);
    call_every_template_operation(&client).await;
    client.get_settings().send().await.expect("get_settings");

    for mock in &template_mocks {
        mock.assert_async().await;
    }
    settings.assert_async().await;
}

#[tokio::test]
async fn a_template_error_from_the_template_host_is_an_api_error() {
    let conversation_host = MockServer::start_async().await;
    let template_host = MockServer::start_async().await;
    let mock = template_host
        .mock_async(|when, then| {
            when.method(POST).path("/v2/projects/p1/templates");
            then.status(400).json_body(json!({"error": {
                "code": 400,
                "message": "default_translation must name one of the translations",
                "status": "INVALID_ARGUMENT",
                "details": []
            }}));
        })
        .await;

    let client = build_client(
        &conversation_host.base_url(),
        Some(&template_host.base_url()),
    );
    let error = client
        .create_template()
        .body_map(|body| body.default_translation(Some("fr-FR".to_string())))
        .send()
        .await
        .unwrap_err();

    mock.assert_async().await;
    let error = error;
    assert!(!error.is_retryable());
    let Error::Api(api_error) = error else {
        panic!("expected Error::Api");
    };
    assert_eq!(api_error.status().as_u16(), 400);
    assert_eq!(
        api_error.message(),
        Some("default_translation must name one of the translations")
    );
}

/// An empty project id on a Template API operation (`/v2/projects//templates`) is refused before
/// sending, as on the `/v1` operations.
#[tokio::test]
async fn an_empty_project_id_is_rejected_before_a_template_call() {
    let api = Api::start().await;
    let error = api
        .unsent(api.client.list_templates().project_id("").send())
        .await
        .unwrap_err();

    assert!(
        // Refused by the path-segment guard, naming the parameter.
        matches!(&error, Error::PathParameter(e) if e.parameter() == "project_id"),
        "{error:?}"
    );
}

/// Against the emulator: the v1 template paths are gone, their v2 counterparts served.
mod emulator {
    use serde_json::json;
    use sinch_conversation::types;
    use sinch_conversation_emulator::Operation;

    use crate::emulator_support::{client, emulator, raw};

    #[tokio::test]
    async fn templates_v1_endpoints_are_gone() {
        // The Template Management v1 operations left the official documents (unreachable since
        // 2026-01-31): their paths route to no operation and answer 404 with the API's error body,
        // while the same template paths under /v2 are served.
        let emulator = emulator().await;
        let client = client(&emulator);
        let hi = types::V2TemplateTranslation {
            common: types::V2MessageCommonProps {
                language_code: Some("en-US".into()),
                ..Default::default()
            },
            kind: types::V2MessageTypes::TextMessage(types::TextMessage { text: "Hi".into() }),
        };
        // What the raw v1 requests carry: the same template, on the wire.
        let body = json!({"translations": [hi.clone()]});
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
            .body(types::V2Template::new().with_translations([hi]))
            .send()
            .await
            .unwrap();
        assert_eq!(created.version, Some(1));
        let listed = client.list_templates().send().await.unwrap();
        assert_eq!(listed.templates.len(), 1);
    }
}
