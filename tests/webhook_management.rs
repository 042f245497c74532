//! Webhook management area: list, create, get, update (masked) and delete.
//! (Receiving callbacks is tested in `tests/webhooks.rs`.)

mod common;

use common::{Api, raw_query};
use httpmock::Method::{DELETE, GET, PATCH, POST};
use serde_json::json;
use sinch_conversation::{
    field_mask::{FieldMask, PatchExt},
    types,
};

fn webhook_json(id: &str) -> serde_json::Value {
    json!({
        "id": id,
        "app_id": "app-1",
        "target": "https://example.com/hook",
        "target_type": "HTTP",
        "secret": "s3cret",
        "triggers": ["MESSAGE_DELIVERY", "MESSAGE_INBOUND"]
    })
}

#[tokio::test]
async fn list_webhooks_of_an_app() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/apps/app-1/webhooks"))
                .is_true(raw_query(None));
            then.status(200)
                .json_body(json!({"webhooks": [webhook_json("w1"), webhook_json("w2")]}));
        })
        .await;

    let list = api
        .client
        .list_webhooks()
        .app_id("app-1")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(list.webhooks.len(), 2);
    assert_eq!(
        list.webhooks[0].triggers,
        vec![
            types::WebhookTrigger::MessageDelivery,
            types::WebhookTrigger::MessageInbound
        ]
    );
}

#[tokio::test]
async fn create_webhook() {
    let api = Api::start().await;
    let request = json!({
        "app_id": "app-1",
        "target": "https://example.com/hook",
        "target_type": "HTTP",
        "secret": "s3cret",
        "triggers": ["MESSAGE_DELIVERY", "MESSAGE_INBOUND"]
    });
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(api.path("/webhooks"))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(request.clone());
            then.status(200).json_body(webhook_json("w1"));
        })
        .await;

    let webhook = api
        .client
        .create_webhook()
        .body(serde_json::from_value::<types::CreateWebhookBody>(request).unwrap())
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(webhook.id.as_deref(), Some("w1"));
    assert_eq!(webhook.target_type, Some(types::WebhookTargetType::Http));
}

#[tokio::test]
async fn get_webhook_sends_no_update_mask() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/webhooks/w1"))
                .is_true(raw_query(None));
            then.status(200).json_body(webhook_json("w1"));
        })
        .await;

    let webhook = api
        .client
        .get_webhook()
        .webhook_id("w1")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(webhook.target, "https://example.com/hook");
}

#[tokio::test]
async fn update_webhook_with_mask() {
    let api = Api::start().await;
    let body = json!({"target": "https://example.com/new", "triggers": ["MESSAGE_INBOUND"]});
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(api.path("/webhooks/w1"))
                .header("content-type", "application/json")
                .is_true(raw_query(Some("update_mask=target%2Ctriggers")))
                .json_body(body.clone());
            then.status(200).json_body(webhook_json("w1"));
        })
        .await;

    api.client
        .update_webhook()
        .webhook_id("w1")
        .body(serde_json::from_value::<types::WebhookPatch>(body).unwrap())
        .mask(FieldMask::new(["target", "triggers"]).unwrap())
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn delete_webhook_sends_no_update_mask() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(api.path("/webhooks/w1"))
                .is_true(raw_query(None));
            then.status(200);
        })
        .await;

    api.client
        .delete_webhook()
        .webhook_id("w1")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}
