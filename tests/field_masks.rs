//! Field masks on the four update operations: exact query strings for explicit and derived masks.

mod common;

use common::Api;
use httpmock::Method::PATCH;
use serde_json::json;
use sinch_conversation::{
    field_mask::{FieldMask, FieldMaskError, PatchExt},
    field_paths, types,
};

#[tokio::test]
async fn update_contact_with_a_derived_mask_sends_only_what_changed() {
    let api = Api::start().await;
    let patch = types::ContactPatch {
        display_name: Some("Ada".into()),
        email: Some("ada@example.com".into()),
        ..Default::default()
    };
    api.expect(PATCH, "/contacts/c1")
        .query("update_mask=display_name%2Cemail")
        .json_body(json!({"display_name": "Ada", "email": "ada@example.com"}))
        .reply(json!({"id": "c1", "language": "EN"}))
        .run(
            api.client
                .update_contact()
                .contact_id("c1")
                .patch(patch)
                .unwrap()
                .send(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn update_app_with_a_derived_nested_mask() {
    let api = Api::start().await;
    let patch = types::AppPatch {
        delivery_report_based_fallback: Some(types::DeliveryReportBasedFallback {
            enabled: true,
            delivery_report_waiting_time: None,
        }),
        retention_policy: Some(types::RetentionPolicy {
            retention_type: None,
            ttl_days: 30,
        }),
        ..Default::default()
    };
    api.expect(PATCH, "/apps/a1")
        .query("update_mask=delivery_report_based_fallback.enabled%2Cretention_policy.ttl_days")
        .json_body(json!({"delivery_report_based_fallback": {"enabled": true}, "retention_policy": {"ttl_days": 30}}))
        .reply(json!({"id": "a1", "channel_credentials": []}))
        .run(api.client.update_app().app_id("a1").patch(patch).unwrap().send())
        .await
        .unwrap();
}

#[tokio::test]
async fn update_conversation_with_an_explicit_mask() {
    let api = Api::start().await;
    // `active` is in the mask but not in the body: the API clears it.
    let mask = FieldMask::<types::ConversationPatch>::new(["metadata", "active"]).unwrap();
    api.expect(PATCH, "/conversations/conv-1")
        .query("update_mask=metadata%2Cactive")
        .json_body(json!({"metadata": "m2"}))
        .reply(json!({"id": "conv-1"}))
        .run(
            api.client
                .update_conversation()
                .conversation_id("conv-1")
                .body(types::ConversationPatch {
                    metadata: Some("m2".into()),
                    ..Default::default()
                })
                .mask(mask)
                .send(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn update_webhook_with_derived_and_explicit_masks() {
    let api = Api::start().await;
    let patch = types::WebhookPatch {
        target: Some("https://example.com/new".into()),
        triggers: vec![types::WebhookTrigger::MessageInbound],
        ..Default::default()
    };
    api.expect(PATCH, "/webhooks/w1")
        .query("update_mask=target%2Ctriggers")
        .json_body(json!({"target": "https://example.com/new", "triggers": ["MESSAGE_INBOUND"]}))
        .reply(
            json!({"id": "w1", "app_id": "a", "target": "https://example.com/new", "triggers": []}),
        )
        .run(
            api.client
                .update_webhook()
                .webhook_id("w1")
                .patch(patch)
                .unwrap()
                .send(),
        )
        .await
        .unwrap();

    let mask = FieldMask::<types::WebhookPatch>::new(["secret"]).unwrap();
    api.expect(PATCH, "/webhooks/w2")
        .query("update_mask=secret")
        .json_body(json!({}))
        .reply(json!({"id": "w2", "app_id": "a", "target": "t", "triggers": []}))
        .run(
            api.client
                .update_webhook()
                .webhook_id("w2")
                .body(types::WebhookPatch::default())
                .mask(mask)
                .send(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn an_empty_patch_is_an_error_and_sends_nothing() {
    let api = Api::start().await;
    let error = api
        .unsent(async {
            api.client
                .update_contact()
                .contact_id("c1")
                .patch(types::ContactPatch::default())
                .unwrap_err()
        })
        .await;

    assert_eq!(error, FieldMaskError::Empty);
}

#[test]
fn a_typo_in_an_explicit_mask_is_caught_before_any_request() {
    let error = FieldMask::<types::ContactPatch>::new(["display_name", "emial"]).unwrap_err();
    assert_eq!(error.to_string(), "ContactPatch has no field \"emial\"");
}

#[test]
fn generated_path_constants_are_valid_masks() {
    use field_paths::{app, contact, conversation, webhook};
    let app = FieldMask::<types::AppPatch>::new([
        app::DISPLAY_NAME,
        app::DELIVERY_REPORT_BASED_FALLBACK_ENABLED,
        app::RETENTION_POLICY_TTL_DAYS,
    ]);
    assert_eq!(
        app.unwrap().paths(),
        [
            "display_name",
            "delivery_report_based_fallback.enabled",
            "retention_policy.ttl_days"
        ]
    );
    assert!(
        FieldMask::<types::ContactPatch>::new([contact::CHANNEL_IDENTITIES, contact::LANGUAGE])
            .is_ok()
    );
    assert!(
        FieldMask::<types::ConversationPatch>::new([
            conversation::METADATA,
            conversation::ACTIVE_CHANNEL
        ])
        .is_ok()
    );
    assert!(
        FieldMask::<types::WebhookPatch>::new([
            webhook::TARGET,
            webhook::CLIENT_CREDENTIALS_CLIENT_ID
        ])
        .is_ok()
    );
}

#[tokio::test]
async fn update_contact_and_app_with_explicit_masks_including_a_nested_path() {
    let api = Api::start().await;
    api.expect(PATCH, "/contacts/c1")
        .query("update_mask=email%2Cdisplay_name")
        .json_body(json!({"display_name": "Ada"}))
        .reply(json!({"id": "c1", "language": "EN"}))
        .run(
            api.client
                .update_contact()
                .contact_id("c1")
                .body(types::ContactPatch {
                    display_name: Some("Ada".into()),
                    ..Default::default()
                })
                .mask(
                    FieldMask::new([
                        field_paths::contact::EMAIL,
                        field_paths::contact::DISPLAY_NAME,
                    ])
                    .unwrap(),
                )
                .send(),
        )
        .await
        .unwrap();

    // Only `delivery_report_based_fallback.enabled` is masked: the other fields in the body do not change.
    let patch = types::AppPatch {
        display_name: Some("ignored".into()),
        delivery_report_based_fallback: Some(types::DeliveryReportBasedFallback {
            enabled: true,
            delivery_report_waiting_time: Some(9),
        }),
        ..Default::default()
    };
    api.expect(PATCH, "/apps/a1")
        .query("update_mask=delivery_report_based_fallback.enabled")
        .json_body(json!({"display_name": "ignored", "delivery_report_based_fallback": {"enabled": true, "delivery_report_waiting_time": 9}}))
        .reply(json!({"id": "a1", "channel_credentials": []}))
        .run(
            api.client
                .update_app()
                .app_id("a1")
                .body(patch)
                .mask(FieldMask::new(["delivery_report_based_fallback.enabled"]).unwrap())
                .send(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn update_conversation_with_a_derived_mask() {
    let api = Api::start().await;
    let mut metadata_json = serde_json::Map::new();
    metadata_json.insert("tier".into(), json!("gold"));
    let patch = types::ConversationPatch {
        metadata: Some("m3".into()),
        metadata_json,
        ..Default::default()
    };
    api.expect(PATCH, "/conversations/conv-1")
        // `metadata_json` is free-form JSON: one field, whatever its keys.
        .query("update_mask=metadata%2Cmetadata_json")
        .json_body(json!({"metadata": "m3", "metadata_json": {"tier": "gold"}}))
        .reply(json!({"id": "conv-1"}))
        .run(
            api.client
                .update_conversation()
                .conversation_id("conv-1")
                .patch(patch)
                .unwrap()
                .send(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn an_empty_patch_is_refused_on_every_update_operation() {
    let api = Api::start().await;
    let client = &api.client;
    let errors = api
        .unsent(async {
            [
                client
                    .update_app()
                    .app_id("a1")
                    .patch(types::AppPatch::default())
                    .err(),
                client
                    .update_contact()
                    .contact_id("c1")
                    .patch(types::ContactPatch::default())
                    .err(),
                client
                    .update_conversation()
                    .conversation_id("conv-1")
                    .patch(types::ConversationPatch::default())
                    .err(),
                client
                    .update_webhook()
                    .webhook_id("w1")
                    .patch(types::WebhookPatch::default())
                    .err(),
            ]
        })
        .await;
    assert!(
        errors.iter().all(|e| e == &Some(FieldMaskError::Empty)),
        "{errors:?}"
    );
}
