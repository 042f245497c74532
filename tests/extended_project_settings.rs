//! Project settings (`ProjectSettings_*` in the official document, once an overlay): get,
//! create, update and delete the settings of a project.

mod common;

use common::{Api, PROJECT, raw_query};
use httpmock::Method::{DELETE, GET, PATCH, POST};
use serde_json::json;
use sinch_conversation::{Error, types};

fn settings_json(enabled: bool) -> serde_json::Value {
    json!({
        "project_id": PROJECT,
        "settings": {"contact_settings": {"unified_contact_id_enabled": enabled}}
    })
}

#[tokio::test]
async fn get_settings_parses_the_settings() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/settings"))
                .is_true(raw_query(None));
            then.status(200).json_body(settings_json(true));
        })
        .await;

    let settings = api
        .client
        .get_settings()
        .send()
        .await
        .expect("get succeeds");

    mock.assert_async().await;
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
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET).path(api.path("/settings"));
            then.status(200).json_body(json!({"project_id": PROJECT}));
        })
        .await;

    let settings = api.client.get_settings().send().await.unwrap();

    mock.assert_async().await;
    assert_eq!(settings.project_id.as_deref(), Some(PROJECT));
    assert_eq!(settings.settings, None);
}

#[tokio::test]
async fn create_settings_posts_the_contact_settings() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(api.path("/settings"))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(json!({"contact_settings": {"unified_contact_id_enabled": true}}));
            then.status(200).json_body(settings_json(true));
        })
        .await;

    let settings = api
        .client
        .create_settings()
        .body(types::ProjectSettingsRequest {
            contact_settings: Some(types::ContactSettings {
                unified_contact_id_enabled: Some(true),
            }),
        })
        .send()
        .await
        .expect("create succeeds");

    mock.assert_async().await;
    assert_eq!(settings.project_id.as_deref(), Some(PROJECT));
    assert_eq!(
        settings
            .into_inner()
            .settings
            .unwrap()
            .contact_settings
            .unwrap(),
        types::ContactSettings {
            unified_contact_id_enabled: Some(true)
        }
    );
}

#[tokio::test]
async fn update_settings_patches_the_contact_settings() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(api.path("/settings"))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(json!({"contact_settings": {"unified_contact_id_enabled": false}}));
            then.status(200).json_body(settings_json(false));
        })
        .await;

    let settings = api
        .client
        .update_settings()
        .body_map(|body| {
            body.contact_settings(Some(types::ContactSettings {
                unified_contact_id_enabled: Some(false),
            }))
        })
        .send()
        .await
        .expect("update succeeds");

    mock.assert_async().await;
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
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(api.path("/settings"))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(json!({}));
            // The official error body nests everything under `error`.
            then.status(400).json_body(json!({"error": {
                "code": 400,
                "message": "contact_settings is required",
                "status": "INVALID_ARGUMENT",
                "details": []
            }}));
        })
        .await;

    let error = api
        .client
        .update_settings()
        .body(types::ProjectSettingsRequest::default())
        .send()
        .await
        .unwrap_err();

    mock.assert_async().await;
    let error = error;
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
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(api.path("/settings"))
                .is_true(raw_query(None));
            then.status(200).json_body(json!({}));
        })
        .await;

    let response = api
        .client
        .delete_settings()
        .send()
        .await
        .expect("delete succeeds");

    mock.assert_async().await;
    assert_eq!(response.status(), 200);
}
