//! Webhooks (the spec's `Webhooks` tag), with the API's limits on targets, triggers and
//! webhooks per app.

use serde_json::json;
use sinch_conversation::types::{
    self, ListWebhooksResponse, Webhook, WebhookPatch, WebhookTargetType, WebhookTrigger,
};

use super::{
    apps::get_app,
    ctx::{Ctx, Outcome, convert, empty, ok, parse},
};
use crate::{
    error::ApiError,
    mask,
    store::{Store, new_id},
};

/// Most webhooks an app may have.
pub(crate) const MAX_WEBHOOKS_PER_APP: usize = 20;
/// Longest webhook target URL.
const MAX_TARGET_LEN: usize = 742;

pub(super) fn list_webhooks(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    get_app(store, ctx.id())?;
    ok(&ListWebhooksResponse {
        webhooks: store
            .webhooks
            .values()
            .filter(|w| w.app_id.as_deref() == Some(ctx.id()))
            .cloned()
            .collect(),
    })
}

pub(super) fn get_webhook<'s>(store: &'s Store, id: &str) -> Result<&'s Webhook, ApiError> {
    store
        .webhooks
        .get(id)
        .ok_or_else(|| ApiError::not_found("Webhook", id))
}

fn validate_webhook(store: &Store, webhook: &Webhook, id: Option<&str>) -> Result<(), ApiError> {
    let app_id = webhook.app_id.as_deref().unwrap_or_default();
    if app_id.trim().is_empty() {
        return Err(ApiError::invalid("app_id is required"));
    }
    if !store.apps.contains(app_id) {
        return Err(ApiError::invalid(format!(
            "app_id '{app_id}' is not an app of this project"
        )));
    }
    let target = webhook.target.trim();
    if target.is_empty() {
        return Err(ApiError::invalid("target is required"));
    }
    if target.len() > MAX_TARGET_LEN {
        return Err(ApiError::invalid(format!(
            "target is longer than {MAX_TARGET_LEN} characters"
        )));
    }
    match reqwest::Url::parse(target) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {}
        _ => {
            return Err(ApiError::invalid(format!(
                "target '{target}' is not an http(s) URL"
            )));
        }
    }
    if webhook.triggers.is_empty() {
        return Err(ApiError::invalid("triggers must name at least one trigger"));
    }
    if webhook
        .triggers
        .iter()
        .any(|t| matches!(t, WebhookTrigger::UnspecifiedTrigger))
    {
        return Err(ApiError::invalid(
            "UNSPECIFIED_TRIGGER is not a trigger a webhook can subscribe to",
        ));
    }
    let siblings = store
        .webhooks
        .values()
        .filter(|w| w.app_id == webhook.app_id && w.id.as_deref() != id)
        .count();
    if siblings >= MAX_WEBHOOKS_PER_APP {
        return Err(ApiError::precondition(format!(
            "app '{app_id}' already has the maximum of {MAX_WEBHOOKS_PER_APP} webhooks"
        )));
    }
    Ok(())
}

pub(super) fn create_webhook(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    // The official create body (`app_id`, `target` and `triggers` required), kept as the
    // webhook it describes.
    let request: types::CreateWebhookBody = parse(ctx.body)?;
    let mut webhook: Webhook = convert(&request)?;
    validate_webhook(store, &webhook, None)?;
    let id = new_id();
    webhook.id = Some(id.clone());
    webhook.target_type.get_or_insert(WebhookTargetType::Http);
    store.webhooks.insert(id, webhook.clone());
    ok(&webhook)
}

pub(super) fn update_webhook(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let stored = get_webhook(store, ctx.id())?;
    let mask = mask::paths_from_query(&ctx.query.0);
    let updated: Webhook =
        mask::apply::<Webhook, WebhookPatch>(stored, ctx.body, &mask, &[("triggers", json!([]))])?;
    validate_webhook(store, &updated, Some(ctx.id()))?;
    store.webhooks.insert(ctx.id().to_owned(), updated.clone());
    ok(&updated)
}

pub(super) fn delete_webhook(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    store
        .webhooks
        .remove(ctx.id())
        .ok_or_else(|| ApiError::not_found("Webhook", ctx.id()))?;
    empty(Vec::new())
}
