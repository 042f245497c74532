//! Apps (the spec's `App` tag), and the app lookups and processing mode other areas use.

use serde_json::json;
use sinch_conversation::types::{
    AppCreateRequest, AppPatch, AppResponse, ConversationMetadataReportView, ListAppsResponse,
    MessageSource, ProcessingMode, RateLimits, RetentionPolicy, RetentionPolicyType,
};

use super::ctx::{Ctx, Outcome, convert, empty, non_empty, ok, parse, unspecified};
use crate::{
    error::ApiError,
    mask,
    store::{Store, new_id},
};

pub(super) fn list_apps(store: &Store) -> Result<Outcome, ApiError> {
    ok(&ListAppsResponse {
        apps: store.apps.values().cloned().collect(),
    })
}

pub(super) fn get_app<'s>(store: &'s Store, id: &str) -> Result<&'s AppResponse, ApiError> {
    store
        .apps
        .get(id)
        .ok_or_else(|| ApiError::not_found("App", id))
}

pub(super) fn required_app<'s>(
    store: &'s Store,
    app_id: Option<&str>,
) -> Result<&'s AppResponse, ApiError> {
    let Some(app_id) = non_empty(app_id) else {
        return Err(ApiError::invalid("app_id is required"));
    };
    get_app(store, app_id)
}

fn validate_app(app: &AppResponse) -> Result<(), ApiError> {
    for (i, credential) in app.channel_credentials.iter().enumerate() {
        match &credential.common.channel {
            None => {
                return Err(ApiError::invalid(format!(
                    "channel_credentials[{i}].channel is required"
                )));
            }
            Some(channel) if unspecified(channel) => {
                return Err(ApiError::invalid(format!(
                    "channel_credentials[{i}].channel must be a channel, not CHANNEL_UNSPECIFIED"
                )));
            }
            Some(_) => {}
        }
    }
    if let Some(name) = &app.display_name
        && name.chars().count() > 100
    {
        return Err(ApiError::invalid(
            "display_name is longer than 100 characters",
        ));
    }
    Ok(())
}

pub(super) fn create_app(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let request: AppCreateRequest = parse(ctx.body)?;
    let mut app: AppResponse = convert(&request)?;
    validate_app(&app)?;
    let id = new_id();
    app.id = Some(id.clone());
    app.conversation_metadata_report_view
        .get_or_insert(ConversationMetadataReportView::None);
    app.rate_limits.get_or_insert(RateLimits {
        inbound: Some(100),
        outbound: Some(20),
        webhooks: Some(100),
    });
    app.retention_policy.get_or_insert(RetentionPolicy {
        retention_type: Some(RetentionPolicyType::MessageExpirePolicy),
        ttl_days: 180,
    });
    store.apps.insert(id, app.clone());
    ok(&app)
}

pub(super) fn update_app(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let stored = get_app(store, ctx.id())?;
    let mask = mask::paths_from_query(&ctx.query.0);
    let updated: AppResponse = mask::apply::<AppResponse, AppPatch>(
        stored,
        ctx.body,
        &mask,
        &[("channel_credentials", json!([]))],
    )?;
    validate_app(&updated)?;
    store.apps.insert(ctx.id().to_owned(), updated.clone());
    ok(&updated)
}

pub(super) fn delete_app(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let id = ctx.id();
    store
        .apps
        .remove(id)
        .ok_or_else(|| ApiError::not_found("App", id))?;
    store.webhooks.retain(|w| w.app_id.as_deref() != Some(id));
    store
        .conversations
        .retain(|c| c.app_id.as_deref() != Some(id));
    store.messages.retain(|m| m.app_id != id);
    store.events.retain(|e| e.app_id != id);
    store.opt_outs.retain(|(app, _, _)| app != id);
    empty(Vec::new())
}

/// Whether `app` runs in `DISPATCH` mode, where the API keeps no contacts or conversations.
pub(super) fn is_dispatch(app: &AppResponse) -> bool {
    matches!(app.processing_mode, Some(ProcessingMode::Dispatch))
}

/// The processing mode of `app`, as callbacks write it, and where its messages are kept.
pub(super) fn mode_of(app: &AppResponse) -> (ProcessingMode, MessageSource) {
    if is_dispatch(app) {
        (ProcessingMode::Dispatch, MessageSource::DispatchSource)
    } else {
        (
            ProcessingMode::Conversation,
            MessageSource::ConversationSource,
        )
    }
}
