//! Project settings area (`ProjectSettings_*` in the official document): get, create, update and
//! delete the settings of a project; on httpmock, then against the emulator (with templates).

mod common;
mod emulator_support;

use common::{Api, PROJECT};
use httpmock::Method::{DELETE, GET, PATCH, POST};
use serde_json::json;
use sinch_conversation::{Error, types};

fn settings_json(enabled: bool) -> serde_json::Value {
    json!({
        "project_id": PROJECT,
        "settings": {"contact_settings": {"unified_contact_id_enabled": enabled}}
    })
}

fn contact_settings(unified_contact_id_enabled: bool) -> types::ContactSettings {
    types::ContactSettings {
        unified_contact_id_enabled: Some(unified_contact_id_enabled),
    }
}

#[tokio::test]
async fn get_settings_parses_the_settings() {
    let api = Api::start().await;
    let settings = api
        .expect(GET, "/settings")
        .reply(settings_json(true))
        .run(api.client.get_settings().send())
        .await
        .expect("get succeeds");

    assert_eq!(settings.project_id.as_deref(), Some(PROJECT));
    let contact_settings = settings
        .settings
        .as_ref()
        .unwrap()
        .contact_settings
        .as_ref()
        .unwrap();
    assert_eq!(contact_settings.unified_contact_id_enabled, Some(true));
}

#[tokio::test]
async fn get_settings_accepts_a_project_without_settings() {
    let api = Api::start().await;
    let settings = api
        .expect(GET, "/settings")
        .reply(json!({"project_id": PROJECT}))
        .run(api.client.get_settings().send())
        .await
        .unwrap();

    assert_eq!(settings.project_id.as_deref(), Some(PROJECT));
    assert_eq!(settings.settings, None);
}

#[tokio::test]
async fn create_settings_posts_the_contact_settings() {
    let api = Api::start().await;
    let settings = api
        .expect(POST, "/settings")
        .json_body(json!({"contact_settings": {"unified_contact_id_enabled": true}}))
        .reply(settings_json(true))
        .run(
            api.client
                .create_settings()
                .body(
                    types::ProjectSettingsRequest::new()
                        .with_contact_settings(contact_settings(true)),
                )
                .send(),
        )
        .await
        .expect("create succeeds");

    assert_eq!(settings.project_id.as_deref(), Some(PROJECT));
    assert_eq!(
        settings
            .into_inner()
            .settings
            .unwrap()
            .contact_settings
            .unwrap(),
        contact_settings(true)
    );
}

#[tokio::test]
async fn update_settings_patches_the_contact_settings() {
    let api = Api::start().await;
    let settings = api
        .expect(PATCH, "/settings")
        .json_body(json!({"contact_settings": {"unified_contact_id_enabled": false}}))
        .reply(settings_json(false))
        .run(
            api.client
                .update_settings()
                .body_map(|body| body.contact_settings(Some(contact_settings(false))))
                .send(),
        )
        .await
        .expect("update succeeds");

    let contact_settings = settings
        .into_inner()
        .settings
        .unwrap()
        .contact_settings
        .unwrap();
    assert_eq!(contact_settings.unified_contact_id_enabled, Some(false));
}

#[tokio::test]
async fn update_settings_error_is_an_api_error() {
    let api = Api::start().await;
    let error = api
        .expect(PATCH, "/settings")
        .json_body(json!({}))
        // The official error body nests everything under `error`.
        .reply_status(
            400,
            json!({"error": {
                "code": 400,
                "message": "contact_settings is required",
                "status": "INVALID_ARGUMENT",
                "details": []
            }}),
        )
        .run(
            api.client
                .update_settings()
                .body(types::ProjectSettingsRequest::default())
                .send(),
        )
        .await
        .unwrap_err();

    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    let Error::Api(api_error) = error else {
        panic!("expected Error::Api");
    };
    assert_eq!(api_error.message(), Some("contact_settings is required"));
    assert_eq!(api_error.sinch_status(), Some("INVALID_ARGUMENT"));
    assert_eq!(api_error.code(), Some(400));
    let body = api_error.body().expect("the error body parses");
    assert!(body.details.is_empty());
}

#[tokio::test]
async fn delete_settings_sends_a_delete() {
    let api = Api::start().await;
    let response = api
        .expect(DELETE, "/settings")
        .reply(json!({}))
        .run(api.client.delete_settings().send())
        .await
        .expect("delete succeeds");

    assert_eq!(response.status(), 200);
}

/// Against the emulator: settings created, updated and deleted, then a template through its
/// versions (the emulator serves the Template API on its one base URL).
mod emulator {
    use sinch_conversation::types;
    use sinch_conversation_emulator::Operation;

    use super::contact_settings;
    use crate::emulator_support::{api_error, assert_400, client, emulator};

    /// A text translation, with its variables.
    fn translation(
        language_code: &str,
        text: &str,
        variables: &[(&str, &str)],
    ) -> types::V2TemplateTranslation {
        types::V2TemplateTranslation {
            common: types::V2MessageCommonProps {
                language_code: Some(language_code.into()),
                variables: variables
                    .iter()
                    .map(|&(key, preview)| types::TypeTemplateVariable {
                        key: Some(key.into()),
                        preview_value: Some(preview.into()),
                    })
                    .collect(),
                ..Default::default()
            },
            kind: types::V2MessageTypes::TextMessage(types::TextMessage { text: text.into() }),
        }
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
            .body(
                types::ProjectSettingsRequest::new().with_contact_settings(contact_settings(false)),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(created.project_id.as_deref(), Some(project.as_str()));
        let updated = client
            .update_settings()
            .body(
                types::ProjectSettingsRequest::new().with_contact_settings(contact_settings(true)),
            )
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
        let template = types::V2Template::new()
            .with_description("greeting")
            .with_translations([
                translation("en-US", "Hello ${name}", &[("name", "Ada")]),
                translation("sv-SE", "Hej ${name}", &[]),
            ]);
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
}
