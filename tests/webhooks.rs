//! Webhooks area (managing them): list, create, get, update (masked) and delete, on httpmock,
//! then against the emulator. Receiving callbacks is tested in `tests/webhook_receiving.rs`.

mod common;
mod emulator_support;

use common::Api;
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
    let list = api
        .expect(GET, "/apps/app-1/webhooks")
        .reply(json!({"webhooks": [webhook_json("w1"), webhook_json("w2")]}))
        .run(api.client.list_webhooks().app_id("app-1").send())
        .await
        .unwrap();

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
    let request = types::CreateWebhookBody::new("app-1", "https://example.com/hook")
        .with_target_type(types::WebhookTargetType::Http)
        .with_secret("s3cret")
        .with_triggers([
            types::WebhookTrigger::MessageDelivery,
            types::WebhookTrigger::MessageInbound,
        ]);
    let webhook = api
        .expect(POST, "/webhooks")
        .json_body(json!({
            "app_id": "app-1",
            "target": "https://example.com/hook",
            "target_type": "HTTP",
            "secret": "s3cret",
            "triggers": ["MESSAGE_DELIVERY", "MESSAGE_INBOUND"]
        }))
        .reply(webhook_json("w1"))
        .run(api.client.create_webhook().body(request).send())
        .await
        .unwrap();

    assert_eq!(webhook.id.as_deref(), Some("w1"));
    assert_eq!(webhook.target_type, Some(types::WebhookTargetType::Http));
}

#[tokio::test]
async fn get_webhook_sends_no_update_mask() {
    let api = Api::start().await;
    let webhook = api
        .expect(GET, "/webhooks/w1")
        .reply(webhook_json("w1"))
        .run(api.client.get_webhook().webhook_id("w1").send())
        .await
        .unwrap();

    assert_eq!(webhook.target, "https://example.com/hook");
}

#[tokio::test]
async fn update_webhook_with_mask() {
    let api = Api::start().await;
    let patch = types::WebhookPatch {
        target: Some("https://example.com/new".into()),
        triggers: vec![types::WebhookTrigger::MessageInbound],
        ..Default::default()
    };
    api.expect(PATCH, "/webhooks/w1")
        .query("update_mask=target%2Ctriggers")
        .json_body(json!({"target": "https://example.com/new", "triggers": ["MESSAGE_INBOUND"]}))
        .reply(webhook_json("w1"))
        .run(
            api.client
                .update_webhook()
                .webhook_id("w1")
                .body(patch)
                .mask(FieldMask::new(["target", "triggers"]).unwrap())
                .send(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn delete_webhook_sends_no_update_mask() {
    let api = Api::start().await;
    api.expect(DELETE, "/webhooks/w1")
        .run(api.client.delete_webhook().webhook_id("w1").send())
        .await
        .unwrap();
}

/// Against the emulator: an app's webhooks through their life, the limit of 20 per app, the
/// 400s for bad webhooks, and the webhooks going with their app.
mod emulator {
    use sinch_conversation::types;

    use crate::emulator_support::{
        CallbackSink, api_error, assert_400, client, create_app, create_webhook, emulator,
    };

    #[tokio::test]
    async fn apps_and_webhooks() {
        let emulator = emulator().await;
        let client = client(&emulator);
        let app_id = create_app(&client, "ops").await;

        let app = client.get_app().app_id(&app_id).send().await.unwrap();
        assert_eq!(app.display_name.as_deref(), Some("ops"));
        assert_eq!(
            app.conversation_metadata_report_view,
            Some(types::ConversationMetadataReportView::None)
        );
        let apps = client.list_apps().send().await.unwrap();
        assert_eq!(apps.apps.len(), 1);

        // Webhooks: create, list, get, update, the limit of 20 per app, delete.
        let sink = CallbackSink::start().await;
        let first = create_webhook(&client, &app_id, &sink.url, &["MESSAGE_DELIVERY"], None).await;
        let first_id = first.id.clone().unwrap();
        assert_eq!(first.target_type, Some(types::WebhookTargetType::Http));
        for _ in 1..20 {
            create_webhook(&client, &app_id, &sink.url, &["MESSAGE_INBOUND"], None).await;
        }
        let over = types::CreateWebhookBody::new(&app_id, &sink.url)
            .with_triggers([types::WebhookTrigger::MessageInbound]);
        let result = client.create_webhook().body(over).send().await;
        let error = api_error(result).await;
        assert_eq!(error.status().as_u16(), 400);
        assert_eq!(
            error.body().and_then(|b| b.status.as_deref()),
            Some("FAILED_PRECONDITION")
        );
        let listed = client.list_webhooks().app_id(&app_id).send().await.unwrap();
        assert_eq!(listed.webhooks.len(), 20);
        let got = client
            .get_webhook()
            .webhook_id(&first_id)
            .send()
            .await
            .unwrap();
        assert_eq!(got.target, sink.url);
        let moved = client
            .update_webhook()
            .webhook_id(&first_id)
            .body(types::WebhookPatch {
                target: Some("https://example.com/hook".into()),
                ..Default::default()
            })
            .update_mask(vec!["target".to_owned()])
            .send()
            .await
            .unwrap();
        assert_eq!(moved.target, "https://example.com/hook");
        assert_eq!(moved.triggers, [types::WebhookTrigger::MessageDelivery]);
        client
            .delete_webhook()
            .webhook_id(&first_id)
            .send()
            .await
            .unwrap();
        let gone = client.get_webhook().webhook_id(&first_id).send().await;
        assert_eq!(api_error(gone).await.status().as_u16(), 404);

        // Validation.
        let webhook = |app_id: &str, target: &str, triggers: &[types::WebhookTrigger]| {
            types::CreateWebhookBody::new(app_id, target).with_triggers(triggers.to_vec())
        };
        let inbound = [types::WebhookTrigger::MessageInbound];
        for (webhook, needle) in [
            (webhook(&app_id, "not a url", &inbound), "target"),
            (webhook(&app_id, "https://e.com", &[]), "triggers"),
            (
                webhook(
                    &app_id,
                    "https://e.com",
                    &[types::WebhookTrigger::UnspecifiedTrigger],
                ),
                "UNSPECIFIED_TRIGGER",
            ),
            (webhook("nope", "https://e.com", &inbound), "nope"),
        ] {
            let result = client.create_webhook().body(webhook).send().await;
            assert_400(result, needle).await;
        }

        // Deleting the app takes its webhooks along.
        client.delete_app().app_id(&app_id).send().await.unwrap();
        assert!(emulator.webhooks().is_empty());
        let gone = client.get_app().app_id(&app_id).send().await;
        let error = api_error(gone).await;
        assert_eq!(error.status().as_u16(), 404);
        assert_eq!(
            error.body().and_then(|b| b.status.as_deref()),
            Some("NOT_FOUND")
        );
    }
}
