//! The behaviour of every operation of the client's table, on the in-memory [`Store`].

use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::json;
use sinch_conversation::types::{
    self, AppCreateRequest, AppMessage, AppMessageTypes, AppPatch, AppResponse,
    CapabilityEventCapabilityNotificationCapabilityStatus as CapabilityStatus, ChannelIdentity,
    Contact, ContactMessage, ContactPatch, Conversation, ConversationChannel,
    ConversationDirection, ConversationEvent, ConversationMessage, ConversationMessageCommonProps,
    ConversationMessageTypes, ConversationMessageTypesInject, ConversationMessagesView,
    ConversationMetadataReportView, ConversationPatch, DeliveryStatus, ListAppsResponse,
    ListContactsResponse, ListConversationsResponse, ListMessagesResponse, ListWebhooksResponse,
    MergeContactRequest, MessageInboundEventItemDirection, MessageSource, OptIn, OptInResponse,
    OptOut, OptOutResponse, ProcessingMode, QueryCapability, QueryCapabilityResponse, RateLimits,
    ReasonCode, ReasonSubCode, RecipientBase, RetentionPolicy, RetentionPolicyType,
    SendEventRequest, SendEventResponse, SendMessageRequest, SendMessageResponse,
    TranscodeMessageRequest, TranscodeMessageResponse, Webhook, WebhookPatch, WebhookTargetType,
    WebhookTrigger,
};

use sinch_conversation::webhooks::{
    Callback, Event,
    events::{
        CapabilityNotification, ContactMergeNotification, ContactNotification,
        ConversationNotification, EventDeliveryReport, InboundMessage, MessageDeliveryReport,
        MessageSubmitNotification, OptInNotification, OptOutNotification,
    },
};

use crate::{
    callbacks::{Emit, callback, envelope},
    error::ApiError,
    mask,
    ops::{Operation, Route},
    state::Shared,
    store::{Order, Store, StoredEvent, StoredMessage, new_id, page_of},
    transcode,
};

/// Most webhooks an app may have.
pub(crate) const MAX_WEBHOOKS_PER_APP: usize = 20;
/// Default and largest `page_size`.
const DEFAULT_PAGE_SIZE: usize = 10;
const MAX_PAGE_SIZE: usize = 20;
/// Largest `page_size` of `list_messages` (and of the last message per identity).
const MAX_MESSAGES_PAGE_SIZE: usize = 1000;
/// Largest `page_size` of the consent lists and of the recent conversations.
const MAX_CONSENTS_PAGE_SIZE: usize = 50;
const MAX_RECENT_PAGE_SIZE: usize = 50;
/// Longest webhook target URL.
const MAX_TARGET_LEN: usize = 742;

/// The decoded query string.
#[derive(Debug, Default)]
pub(crate) struct Query(pub(crate) Vec<(String, String)>);

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        Self(
            raw.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                .unwrap_or_default(),
        )
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") || v == "1" => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") || v == "0" => Ok(Some(false)),
            Some(v) => Err(ApiError::invalid(format!(
                "Invalid value for {name}: '{v}' is not a boolean"
            ))),
        }
    }

    /// `page_size`: 10 when absent or 0, at most 20.
    pub(crate) fn page_size(&self) -> Result<usize, ApiError> {
        self.page_size_max(MAX_PAGE_SIZE)
    }

    /// `page_size`: 10 when absent or 0, at most `max`.
    pub(crate) fn page_size_max(&self, max: usize) -> Result<usize, ApiError> {
        match self.get("page_size") {
            None => Ok(DEFAULT_PAGE_SIZE),
            Some(v) => match v.parse::<i64>() {
                Ok(n) if n < 0 => Err(ApiError::invalid("page_size must not be negative")),
                Ok(0) => Ok(DEFAULT_PAGE_SIZE),
                Ok(n) => Ok(usize::try_from(n).unwrap_or(max).min(max)),
                Err(_) => Err(ApiError::invalid(format!(
                    "Invalid value for page_size: '{v}' is not an integer"
                ))),
            },
        }
    }
}

/// What an operation produced: the answer and the callbacks it causes.
pub(crate) struct Outcome {
    pub(crate) response: Response,
    pub(crate) emits: Vec<Emit>,
}

pub(crate) fn json_response<T: Serialize>(value: &T) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(value).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot serialise the response: {e}"),
        )
    })?;
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

pub(crate) fn ok<T: Serialize>(value: &T) -> Result<Outcome, ApiError> {
    Ok(Outcome {
        response: json_response(value)?,
        emits: Vec::new(),
    })
}

fn ok_with<T: Serialize>(value: &T, emits: Vec<Emit>) -> Result<Outcome, ApiError> {
    Ok(Outcome {
        response: json_response(value)?,
        emits,
    })
}

pub(crate) fn empty(emits: Vec<Emit>) -> Result<Outcome, ApiError> {
    ok_with(&json!({}), emits)
}

pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid("A request body is required"));
    }
    serde_json::from_slice(body).map_err(|e| ApiError::bad_json(&e))
}

pub(crate) fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.trim().is_empty())
}

/// `CHANNEL_UNSPECIFIED` (no longer a value of the official enum, still sent by old clients) or
/// an empty channel.
fn unspecified(channel: &ConversationChannel) -> bool {
    matches!(channel.as_str().trim(), "" | "CHANNEL_UNSPECIFIED")
}

/// `value` as another model of the same wire shape (a create request as the stored resource).
pub(crate) fn convert<A: Serialize, B: DeserializeOwned>(value: &A) -> Result<B, ApiError> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("cannot convert: {e}"),
            )
        })
}

/// Context of one request.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Arc<Shared>,
    pub(crate) route: &'a Route,
    pub(crate) query: &'a Query,
    pub(crate) body: &'a [u8],
}

impl Ctx<'_> {
    pub(crate) fn project(&self) -> &str {
        &self.route.project
    }

    pub(crate) fn id(&self) -> &str {
        &self.route.id
    }

    fn report_delay(&self) -> Duration {
        self.shared.config.report_delay
    }
}

/// Runs the operation of `ctx.route` on `store`.
pub(crate) fn dispatch(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    use Operation as O;
    match ctx.route.op {
        O::ListApps => ok(&ListAppsResponse {
            apps: store.apps.values().cloned().collect(),
        }),
        O::CreateApp => create_app(ctx, store),
        O::GetApp => ok(get_app(store, ctx.id())?),
        O::UpdateApp => update_app(ctx, store),
        O::DeleteApp => delete_app(ctx, store),
        O::ListWebhooks => {
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
        O::CreateWebhook => create_webhook(ctx, store),
        O::GetWebhook => ok(get_webhook(store, ctx.id())?),
        O::UpdateWebhook => update_webhook(ctx, store),
        O::DeleteWebhook => {
            store
                .webhooks
                .remove(ctx.id())
                .ok_or_else(|| ApiError::not_found("Webhook", ctx.id()))?;
            empty(Vec::new())
        }
        O::ListContacts => list_contacts(ctx, store),
        O::CreateContact => create_contact(ctx, store),
        O::GetContact => ok(get_contact(store, ctx.id())?),
        O::UpdateContact => update_contact(ctx, store),
        O::DeleteContact => delete_contact(ctx, store),
        O::MergeContact => merge_contact(ctx, store),
        O::ListConversations => list_conversations(ctx, store),
        O::CreateConversation => create_conversation(ctx, store),
        O::GetConversation => ok(get_conversation(store, ctx.id())?),
        O::UpdateConversation => update_conversation(ctx, store),
        O::DeleteConversation => delete_conversation(ctx, store),
        O::StopActiveConversation => stop_conversation(ctx, store),
        O::InjectMessage => inject_message(ctx, store),
        O::ListMessages => list_messages(ctx, store),
        O::SendMessage => send_message(ctx, store),
        O::GetMessage => ok(&message_in_source(ctx, store)?.message),
        O::DeleteMessage => {
            message_in_source(ctx, store)?;
            store.messages.remove(ctx.id());
            empty(Vec::new())
        }
        O::SendEvent => send_event(ctx, store),
        O::QueryCapability => query_capability(ctx, store),
        O::TranscodeMessage => transcode_message(ctx, store),
        O::RegisterOptIn => register_consent(ctx, store, true),
        O::RegisterOptOut => register_consent(ctx, store, false),
        O::GetConsentsAuditRecords => list_consent_audit_records(ctx, store),
        O::GetConsents => list_consent_identities(ctx, store),
        O::GetChannelProfile => get_channel_profile(ctx, store),
        O::ListIdentityConflicts => list_identity_conflicts(ctx, store),
        O::InjectEvent => inject_event(ctx, store),
        O::ListRecentConversations => list_recent_conversations(ctx, store),
        O::ListEvents => list_events(ctx, store),
        O::GetEvent => ok(&store
            .events
            .get(ctx.id())
            .ok_or_else(|| ApiError::not_found("Event", ctx.id()))?
            .event),
        O::DeleteEvents => {
            store
                .events
                .remove(ctx.id())
                .ok_or_else(|| ApiError::not_found("Event", ctx.id()))?;
            empty(Vec::new())
        }
        O::UpdateMessageMetadata => update_message_metadata(ctx, store),
        O::ListMessagesByChannelIdentity => list_last_messages(ctx, store),
        O::CreateSettings | O::GetSettings | O::UpdateSettings | O::DeleteSettings => {
            crate::templates::settings(ctx, store)
        }
        O::ListTemplates
        | O::CreateTemplate
        | O::GetTemplate
        | O::UpdateTemplate
        | O::DeleteTemplate
        | O::ListTranslations => crate::templates::templates(ctx, store),
        O::Token => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "the token endpoint is not an API operation",
        )),
        // Routed (the router reads the client's table) but given no behaviour yet: an operation
        // a newer spec added. Unreachable only while every operation has an arm above.
        #[allow(unreachable_patterns)]
        op => Err(not_implemented(op)),
    }
}

/// 501 `UNIMPLEMENTED`: the emulator routes `op` but does not emulate it.
fn not_implemented(op: Operation) -> ApiError {
    ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        format!("The emulator does not implement operation {op} yet"),
    )
}

// ---------------------------------------------------------------------------------------------
// Apps

fn get_app<'s>(store: &'s Store, id: &str) -> Result<&'s AppResponse, ApiError> {
    store
        .apps
        .get(id)
        .ok_or_else(|| ApiError::not_found("App", id))
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

fn create_app(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

fn update_app(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

fn delete_app(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

// ---------------------------------------------------------------------------------------------
// Webhooks

fn get_webhook<'s>(store: &'s Store, id: &str) -> Result<&'s Webhook, ApiError> {
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

fn create_webhook(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

fn update_webhook(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let stored = get_webhook(store, ctx.id())?;
    let mask = mask::paths_from_query(&ctx.query.0);
    let updated: Webhook =
        mask::apply::<Webhook, WebhookPatch>(stored, ctx.body, &mask, &[("triggers", json!([]))])?;
    validate_webhook(store, &updated, Some(ctx.id()))?;
    store.webhooks.insert(ctx.id().to_owned(), updated.clone());
    ok(&updated)
}

// ---------------------------------------------------------------------------------------------
// Contacts

fn get_contact<'s>(store: &'s Store, id: &str) -> Result<&'s Contact, ApiError> {
    store
        .contacts
        .get(id)
        .ok_or_else(|| ApiError::not_found("Contact", id))
}

fn validate_contact(contact: &Contact) -> Result<(), ApiError> {
    if contact.channel_identities.is_empty() {
        return Err(ApiError::invalid(
            "channel_identities must contain at least one channel identity",
        ));
    }
    for (i, identity) in contact.channel_identities.iter().enumerate() {
        if unspecified(&identity.channel) {
            return Err(ApiError::invalid(format!(
                "channel_identities[{i}].channel must be a channel, not CHANNEL_UNSPECIFIED"
            )));
        }
        if identity.identity.trim().is_empty() {
            return Err(ApiError::invalid(format!(
                "channel_identities[{i}].identity is required"
            )));
        }
    }
    if let Some(metadata) = &contact.metadata
        && metadata.chars().count() > 1024
    {
        return Err(ApiError::invalid("metadata is longer than 1024 characters"));
    }
    Ok(())
}

/// A contact callback (`CONTACT_CREATE`, ...): contacts belong to the project, so it goes to
/// the webhooks of every app, with `"app_id": ""`.
fn contact_emit(
    project: &str,
    event: fn(Callback<ContactNotification>) -> Event,
    contact: &Contact,
) -> Emit {
    let payload = ContactNotification {
        contact: Some(contact.clone()),
    };
    Emit::now(None, event(callback(envelope(project, "", ""), payload)))
}

fn create_contact(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let request: types::ContactCreateRequest = parse(ctx.body)?;
    let mut contact: Contact = convert(&request)?;
    validate_contact(&contact)?;
    let id = new_id();
    contact.id = Some(id.clone());
    store.contacts.insert(id, contact.clone());
    let emit = contact_emit(ctx.project(), Event::ContactCreate, &contact);
    ok_with(&contact, vec![emit])
}

fn list_contacts(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let external_id = ctx.query.get("external_id");
    let channel = ctx.query.get("channel");
    let identity = ctx.query.get("identity");
    let page = store.contacts.page(
        ctx.query.get("page_token"),
        ctx.query.page_size()?,
        Order::OldestFirst,
        |c: &Contact| {
            external_id.is_none_or(|e| c.external_id.as_deref() == Some(e))
                && (channel.is_none() && identity.is_none()
                    || c.channel_identities.iter().any(|ci| {
                        channel.is_none_or(|ch| ci.channel.to_string() == ch)
                            && identity.is_none_or(|id| ci.identity == id)
                    }))
        },
    )?;
    ok(&ListContactsResponse {
        contacts: page.items,
        next_page_token: page.next_page_token,
    })
}

fn update_contact(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let stored = get_contact(store, ctx.id())?;
    let mask = mask::paths_from_query(&ctx.query.0);
    let updated: Contact = mask::apply::<Contact, ContactPatch>(stored, ctx.body, &mask, &[])?;
    validate_contact(&updated)?;
    store.contacts.insert(ctx.id().to_owned(), updated.clone());
    let emit = contact_emit(ctx.project(), Event::ContactUpdate, &updated);
    ok_with(&updated, vec![emit])
}

fn delete_contact(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let id = ctx.id();
    let contact = store
        .contacts
        .remove(id)
        .ok_or_else(|| ApiError::not_found("Contact", id))?;
    store
        .conversations
        .retain(|c| c.contact_id.as_deref() != Some(id));
    store
        .messages
        .retain(|m| m.message.contact_id.as_deref() != Some(id));
    store
        .events
        .retain(|e| e.event.contact_id.as_deref() != Some(id));
    let emit = contact_emit(ctx.project(), Event::ContactDelete, &contact);
    empty(vec![emit])
}

fn merge_contact(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let request: MergeContactRequest = parse(ctx.body)?;
    let destination_id = ctx.id();
    let Some(source_id) = non_empty(Some(request.source_id.as_str())) else {
        return Err(ApiError::invalid("source_id is required"));
    };
    if let Some(strategy) = &request.strategy
        && strategy.to_string() != "MERGE"
    {
        return Err(ApiError::invalid(format!(
            "strategy {strategy} is not supported (only MERGE)"
        )));
    }
    if source_id == destination_id {
        return Err(ApiError::invalid(
            "source_id and destination_id must be different contacts",
        ));
    }
    let mut destination = get_contact(store, destination_id)?.clone();
    let source = get_contact(store, source_id)?.clone();

    for identity in &source.channel_identities {
        let known = destination.channel_identities.iter().any(|ci| {
            ci.channel == identity.channel
                && ci.identity == identity.identity
                && ci.app_id == identity.app_id
        });
        if !known {
            destination.channel_identities.push(identity.clone());
        }
    }
    for channel in &source.channel_priority {
        if !destination.channel_priority.contains(channel) {
            destination.channel_priority.push(channel.clone());
        }
    }
    let fill = |mine: &mut Option<String>, theirs: &Option<String>| {
        if non_empty(mine.as_deref()).is_none() {
            mine.clone_from(theirs);
        }
    };
    fill(&mut destination.display_name, &source.display_name);
    fill(&mut destination.email, &source.email);
    fill(&mut destination.external_id, &source.external_id);
    fill(&mut destination.metadata, &source.metadata);
    if destination.language.is_none() {
        destination.language = source.language.clone();
    }

    // The source's conversations move over; where both have an active one with the same app,
    // the destination's stays the active one.
    let active_apps: Vec<String> = store
        .conversations
        .values()
        .filter(|c| c.active == Some(true) && c.contact_id.as_deref() == Some(destination_id))
        .filter_map(|c| c.app_id.clone())
        .collect();
    for conversation in store.conversations.values_mut() {
        if conversation.contact_id.as_deref() == Some(source_id) {
            conversation.contact_id = Some(destination_id.to_owned());
            if conversation
                .app_id
                .as_ref()
                .is_some_and(|app| active_apps.contains(app))
            {
                conversation.active = Some(false);
            }
        }
    }
    for stored in store.messages.values_mut() {
        if stored.message.contact_id.as_deref() == Some(source_id) {
            stored.message.contact_id = Some(destination_id.to_owned());
        }
    }
    store.contacts.remove(source_id);
    store
        .contacts
        .insert(destination_id.to_owned(), destination.clone());
    let payload = ContactMergeNotification {
        preserved_contact: Some(destination.clone()),
        deleted_contact: Some(source),
    };
    let emit = Emit::now(
        None,
        Event::ContactMerge(callback(envelope(ctx.project(), "", ""), payload)),
    );
    ok_with(&destination, vec![emit])
}

// ---------------------------------------------------------------------------------------------
// Conversations

fn get_conversation<'s>(store: &'s Store, id: &str) -> Result<&'s Conversation, ApiError> {
    store
        .conversations
        .get(id)
        .ok_or_else(|| ApiError::not_found("Conversation", id))
}

/// A conversation callback (`CONVERSATION_START`, ...) to the webhooks of its app.
fn conversation_emit(
    project: &str,
    event: fn(Callback<ConversationNotification>) -> Event,
    c: &Conversation,
) -> Emit {
    let app_id = c.app_id.clone().unwrap_or_default();
    let payload = ConversationNotification {
        conversation: Some(c.clone()),
    };
    Emit::now(
        Some(app_id.clone()),
        event(callback(envelope(project, &app_id, ""), payload)),
    )
}

fn check_single_active(
    store: &Store,
    conversation: &Conversation,
    id: &str,
) -> Result<(), ApiError> {
    if conversation.active != Some(true) {
        return Ok(());
    }
    let app = conversation.app_id.as_deref().unwrap_or_default();
    let contact = conversation.contact_id.as_deref().unwrap_or_default();
    if let Some(existing) = store.active_conversation(app, contact)
        && existing.id.as_deref() != Some(id)
    {
        return Err(ApiError::precondition(format!(
            "contact '{contact}' already has an active conversation with app '{app}': '{}'",
            existing.id.as_deref().unwrap_or_default()
        )));
    }
    Ok(())
}

fn validate_conversation_refs(store: &Store, conversation: &Conversation) -> Result<(), ApiError> {
    let Some(app) = non_empty(conversation.app_id.as_deref()) else {
        return Err(ApiError::invalid("app_id is required"));
    };
    let Some(contact) = non_empty(conversation.contact_id.as_deref()) else {
        return Err(ApiError::invalid("contact_id is required"));
    };
    if !store.apps.contains(app) {
        return Err(ApiError::invalid(format!(
            "app_id '{app}' is not an app of this project"
        )));
    }
    if !store.contacts.contains(contact) {
        return Err(ApiError::invalid(format!(
            "contact_id '{contact}' is not a contact of this project"
        )));
    }
    if let Some(channel) = &conversation.active_channel
        && unspecified(channel)
    {
        return Err(ApiError::invalid(
            "active_channel must be a channel, not CHANNEL_UNSPECIFIED",
        ));
    }
    Ok(())
}

fn create_conversation(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let mut conversation: Conversation = parse(ctx.body)?;
    validate_conversation_refs(store, &conversation)?;
    let id = new_id();
    conversation.id = Some(id.clone());
    conversation.active.get_or_insert(true);
    check_single_active(store, &conversation, &id)?;
    store.conversations.insert(id, conversation.clone());
    let emits = if conversation.active == Some(true) {
        vec![conversation_emit(
            ctx.project(),
            Event::ConversationStart,
            &conversation,
        )]
    } else {
        Vec::new()
    };
    ok_with(&conversation, emits)
}

fn list_conversations(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    // Official: `true` lists only the active conversations, `false` only the inactive ones,
    // and without it every conversation is listed.
    let only_active = ctx.query.bool("only_active")?;
    let app_id = ctx.query.get("app_id");
    let contact_id = ctx.query.get("contact_id");
    let active_channel = ctx.query.get("active_channel");
    if app_id.is_none() && contact_id.is_none() {
        return Err(ApiError::invalid(
            "at least one of app_id and contact_id is required",
        ));
    }
    let page = store.conversations.page(
        ctx.query.get("page_token"),
        ctx.query.page_size()?,
        Order::OldestFirst,
        |c: &Conversation| {
            only_active.is_none_or(|active| (c.active == Some(true)) == active)
                && app_id.is_none_or(|a| c.app_id.as_deref() == Some(a))
                && contact_id.is_none_or(|a| c.contact_id.as_deref() == Some(a))
                && active_channel.is_none_or(|ch| {
                    c.active_channel
                        .as_ref()
                        .is_some_and(|a| a.to_string() == ch)
                })
        },
    )?;
    ok(&ListConversationsResponse {
        conversations: page.items,
        next_page_token: page.next_page_token,
        total_size: Some(i32::try_from(page.total).unwrap_or(i32::MAX)),
    })
}

fn update_conversation(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let stored = get_conversation(store, ctx.id())?.clone();
    let mask = mask::paths_from_query(&ctx.query.0);
    let updated: Conversation =
        mask::apply::<Conversation, ConversationPatch>(&stored, ctx.body, &mask, &[])?;
    validate_conversation_refs(store, &updated)?;
    check_single_active(store, &updated, ctx.id())?;
    store
        .conversations
        .insert(ctx.id().to_owned(), updated.clone());
    let mut emits = Vec::new();
    match (stored.active == Some(true), updated.active == Some(true)) {
        (true, false) => emits.push(conversation_emit(
            ctx.project(),
            Event::ConversationStop,
            &updated,
        )),
        (false, true) => emits.push(conversation_emit(
            ctx.project(),
            Event::ConversationStart,
            &updated,
        )),
        _ => {}
    }
    ok_with(&updated, emits)
}

fn delete_conversation(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let id = ctx.id();
    let conversation = store
        .conversations
        .remove(id)
        .ok_or_else(|| ApiError::not_found("Conversation", id))?;
    store
        .messages
        .retain(|m| m.message.conversation_id.as_deref() != Some(id));
    store
        .events
        .retain(|e| e.event.conversation_id.as_deref() != Some(id));
    let emit = conversation_emit(ctx.project(), Event::ConversationDelete, &conversation);
    empty(vec![emit])
}

fn stop_conversation(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let id = ctx.id();
    let conversation = store
        .conversations
        .get_mut(id)
        .ok_or_else(|| ApiError::not_found("Conversation", id))?;
    if conversation.active != Some(true) {
        // Already stopped: stopping again changes nothing (and a retried stop succeeds).
        return empty(Vec::new());
    }
    conversation.active = Some(false);
    let emit = conversation_emit(ctx.project(), Event::ConversationStop, conversation);
    empty(vec![emit])
}

fn inject_message(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    // The official request: the message's accept time, channel identity, contact and
    // direction are required, and exactly one of `app_message` and `contact_message`.
    let request: types::InjectMessageRequest = parse(ctx.body)?;
    let conversation = get_conversation(store, ctx.id())?.clone();
    let kind = match request.kind {
        ConversationMessageTypesInject::AppMessage(app_message) => {
            validate_app_message(&app_message)?;
            ConversationMessageTypes::AppMessage(app_message)
        }
        ConversationMessageTypesInject::ContactMessage(contact_message) => {
            validate_contact_message(&contact_message)?;
            ConversationMessageTypes::ContactMessage(contact_message)
        }
        ConversationMessageTypesInject::Unknown(_) => {
            return Err(ApiError::invalid(
                "exactly one of app_message and contact_message is required",
            ));
        }
    };
    let common = request.common;
    if unspecified(&common.channel_identity.channel)
        || common.channel_identity.identity.trim().is_empty()
    {
        return Err(ApiError::invalid(
            "channel_identity needs a channel and an identity",
        ));
    }
    let id = new_id();
    let message = ConversationMessage {
        common: ConversationMessageCommonProps {
            accept_time: Some(common.accept_time),
            channel_identity: Some(common.channel_identity),
            // The message joins the conversation of the path, and so its contact.
            contact_id: conversation.contact_id.clone(),
            conversation_id: Some(ctx.id().to_owned()),
            direction: Some(common.direction),
            id: Some(id.clone()),
            injected: Some(true),
            metadata: common.metadata,
            processing_mode: common.processing_mode,
            sender_id: common.sender_id,
        },
        kind,
    };
    store.messages.insert(
        id,
        StoredMessage {
            app_id: conversation.app_id.clone().unwrap_or_default(),
            source: MessageSource::ConversationSource,
            message,
        },
    );
    trim_messages(ctx, store);
    empty(Vec::new())
}

// ---------------------------------------------------------------------------------------------
// Messages

/// Whether `app` runs in `DISPATCH` mode, where the API keeps no contacts or conversations.
fn is_dispatch(app: &AppResponse) -> bool {
    matches!(app.processing_mode, Some(ProcessingMode::Dispatch))
}

/// The processing mode of `app`, as callbacks write it, and where its messages are kept.
fn mode_of(app: &AppResponse) -> (ProcessingMode, MessageSource) {
    if is_dispatch(app) {
        (ProcessingMode::Dispatch, MessageSource::DispatchSource)
    } else {
        (
            ProcessingMode::Conversation,
            MessageSource::ConversationSource,
        )
    }
}

/// A `messages_source`, or `default` when absent; an unknown value is a 400.
fn known_source(
    source: Option<MessageSource>,
    default: MessageSource,
) -> Result<MessageSource, ApiError> {
    match source {
        None => Ok(default),
        Some(source @ (MessageSource::ConversationSource | MessageSource::DispatchSource)) => {
            Ok(source)
        }
        Some(other) => Err(ApiError::invalid(format!(
            "Invalid value for messages_source: '{other}'"
        ))),
    }
}

/// The query's `messages_source`: `CONVERSATION_SOURCE` when absent, like the API.
fn query_source(ctx: &Ctx<'_>) -> Result<MessageSource, ApiError> {
    known_source(
        ctx.query.get("messages_source").map(MessageSource::from),
        MessageSource::ConversationSource,
    )
}

/// The message of the path, if it is kept in the query's `messages_source` (404 otherwise).
fn message_in_source<'s>(ctx: &Ctx<'_>, store: &'s Store) -> Result<&'s StoredMessage, ApiError> {
    let source = query_source(ctx)?;
    store
        .messages
        .get(ctx.id())
        .filter(|m| m.source == source)
        .ok_or_else(|| ApiError::not_found("Message", ctx.id()))
}

fn trim_messages(ctx: &Ctx<'_>, store: &mut Store) {
    if let Some(max) = ctx.shared.config.max_messages {
        store.messages.truncate_oldest(max);
    }
}

fn list_messages(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let conversation_id = ctx.query.get("conversation_id");
    let contact_id = ctx.query.get("contact_id");
    let app_id = ctx.query.get("app_id");
    let channel = ctx.query.get("channel");
    let identity = ctx.query.get("channel_identity");
    let direction = ctx.query.get("direction");
    let source = query_source(ctx)?;
    // Only dispatch messages know who started the exchange; the API ignores the flag otherwise.
    let only_recipient_originated = ctx
        .query
        .bool("only_recipient_originated")?
        .unwrap_or(false)
        && source == MessageSource::DispatchSource;
    let time = |name: &str| -> Result<Option<chrono::DateTime<Utc>>, ApiError> {
        ctx.query
            .get(name)
            .map(|v| {
                chrono::DateTime::parse_from_rfc3339(v)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| ApiError::invalid(format!("Invalid value for {name}: '{v}'")))
            })
            .transpose()
    };
    let (start, end) = (time("start_time")?, time("end_time")?);
    if conversation_id.is_none() && contact_id.is_none() && app_id.is_none() {
        return Err(ApiError::invalid(
            "one of conversation_id and contact_id is required",
        ));
    }
    let without_metadata = match ctx.query.get("view") {
        None => false,
        Some(view) => match view.parse::<ConversationMessagesView>() {
            Ok(ConversationMessagesView::WithMetadata) => false,
            Ok(ConversationMessagesView::WithoutMetadata) => true,
            _ => {
                return Err(ApiError::invalid(format!(
                    "Invalid value for view: '{view}'"
                )));
            }
        },
    };
    let page = store.messages.page(
        ctx.query.get("page_token"),
        ctx.query.page_size_max(MAX_MESSAGES_PAGE_SIZE)?,
        Order::NewestFirst,
        |m: &StoredMessage| {
            m.source == source
                && conversation_id.is_none_or(|c| m.message.conversation_id.as_deref() == Some(c))
                && contact_id.is_none_or(|c| m.message.contact_id.as_deref() == Some(c))
                && app_id.is_none_or(|a| m.app_id == a)
                && channel.is_none_or(|ch| {
                    m.message
                        .channel_identity
                        .as_ref()
                        .is_some_and(|ci| ci.channel.to_string() == ch)
                })
                && identity.is_none_or(|id| {
                    m.message
                        .channel_identity
                        .as_ref()
                        .is_some_and(|ci| ci.identity == id)
                })
                && direction.is_none_or(|d| {
                    m.message
                        .direction
                        .as_ref()
                        .is_some_and(|md| md.to_string() == d)
                })
                && (!only_recipient_originated
                    || m.message.direction == Some(ConversationDirection::ToApp))
                && start.is_none_or(|t| m.message.accept_time.is_some_and(|at| at >= t))
                && end.is_none_or(|t| m.message.accept_time.is_some_and(|at| at <= t))
        },
    )?;
    let messages = page
        .items
        .into_iter()
        .map(|stored| {
            let mut message = stored.message;
            if without_metadata {
                message.metadata = None;
            }
            message
        })
        .collect();
    ok(&ListMessagesResponse {
        messages,
        next_page_token: page.next_page_token,
    })
}

fn validate_app_message(message: &AppMessage) -> Result<(), ApiError> {
    use AppMessageTypes as K;
    match &message.kind {
        K::Unknown(kind) if !kind.is_empty() => {
            return Err(ApiError::invalid(
                "message must set exactly one of text_message, media_message, template_message, \
                 choice_message, card_message, carousel_message, location_message, list_message \
                 and contact_info_message",
            ));
        }
        K::Unknown(_)
            if message.explicit_channel_message.is_empty()
                && message.explicit_channel_omni_message.is_empty()
                && message.channel_specific_message.is_empty() =>
        {
            return Err(ApiError::invalid(
                "message is empty: set one kind of message",
            ));
        }
        K::TextMessage(text) if non_empty(Some(&text.text)).is_none() => {
            return Err(ApiError::invalid("text_message.text is required"));
        }
        K::MediaMessage(media) if non_empty(Some(&media.url)).is_none() => {
            return Err(ApiError::invalid("media_message.url is required"));
        }
        K::ChoiceMessage(choice) if !(1..=10).contains(&choice.choices.len()) => {
            return Err(ApiError::invalid("choice_message needs 1 to 10 choices"));
        }
        K::CarouselMessage(carousel) => {
            if !(1..=10).contains(&carousel.cards.len()) {
                return Err(ApiError::invalid("carousel_message needs 1 to 10 cards"));
            }
            if carousel.choices.len() > 3 {
                return Err(ApiError::invalid(
                    "carousel_message has at most 3 outer choices",
                ));
            }
        }
        K::TemplateMessage(template)
            if template.omni_template.is_none() && template.channel_template.is_empty() =>
        {
            return Err(ApiError::invalid(
                "template_message needs omni_template or channel_template",
            ));
        }
        _ => {}
    }
    Ok(())
}

fn validate_contact_message(message: &ContactMessage) -> Result<(), ApiError> {
    if matches!(message.kind, types::ContactMessageTypes::Unknown(_)) {
        return Err(ApiError::invalid(
            "contact_message must set exactly one kind of message",
        ));
    }
    Ok(())
}

fn validate_ttl(ttl: &str) -> Result<(), ApiError> {
    let valid = ttl
        .strip_suffix('s')
        .and_then(|n| n.parse::<f64>().ok())
        .is_some_and(|n| n.is_finite() && n >= 0.0);
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "ttl '{ttl}' is not a duration in seconds such as \"10s\""
        )))
    }
}

fn channel_identity(channel: &ConversationChannel, identity: &str) -> ChannelIdentity {
    ChannelIdentity {
        app_id: None,
        channel: channel.clone(),
        identity: identity.to_owned(),
    }
}

/// The identity a message to channel identities goes to: the first on a channel of
/// `priority`, else the first. A contact id is no recipient here (an app in `DISPATCH` mode
/// has no contacts).
fn pick_identity(
    recipient: &RecipientBase,
    priority: &[ConversationChannel],
) -> Result<ChannelIdentity, ApiError> {
    let RecipientBase::IdentifiedBy(list) = recipient else {
        return Err(ApiError::invalid(
            "an app in DISPATCH mode has no contacts: name the recipient by \
             identified_by.channel_identities, not contact_id",
        ));
    };
    let identities = &list.channel_identities;
    let Some(first) = identities.first() else {
        return Err(ApiError::invalid(
            "recipient.identified_by.channel_identities must not be empty",
        ));
    };
    for (i, ci) in identities.iter().enumerate() {
        if unspecified(&ci.channel) {
            return Err(ApiError::invalid(format!(
                "recipient.identified_by.channel_identities[{i}].channel must be a channel"
            )));
        }
        if ci.identity.trim().is_empty() {
            return Err(ApiError::invalid(format!(
                "recipient.identified_by.channel_identities[{i}].identity is required"
            )));
        }
    }
    let chosen = priority
        .iter()
        .find_map(|ch| identities.iter().find(|ci| &ci.channel == ch))
        .unwrap_or(first);
    Ok(channel_identity(&chosen.channel, &chosen.identity))
}

/// `channel_priority_order` must name channels only.
fn check_priority(priority: &[ConversationChannel]) -> Result<(), ApiError> {
    match priority.iter().find(|c| unspecified(c)) {
        Some(channel) => Err(ApiError::invalid(format!(
            "channel_priority_order must not contain {channel}"
        ))),
        None => Ok(()),
    }
}

/// Who a message goes to: the contact (existing or created) and the identity picked.
struct Target {
    contact: Contact,
    created: bool,
    identity: ChannelIdentity,
}

fn resolve_target(
    store: &Store,
    app_id: &str,
    recipient: &RecipientBase,
    priority: &[ConversationChannel],
    create: bool,
) -> Result<Option<Target>, ApiError> {
    check_priority(priority)?;
    match recipient {
        RecipientBase::ContactId(contact_id) => {
            let contact = store.contacts.get(contact_id).ok_or_else(|| {
                ApiError::invalid(format!(
                    "contact_id '{contact_id}' is not a contact of this project"
                ))
            })?;
            let active_channel = store
                .active_conversation(app_id, contact_id)
                .and_then(|c| c.active_channel.clone());
            let order = priority
                .iter()
                .chain(active_channel.iter())
                .chain(contact.channel_priority.iter());
            let identity = order
                .filter_map(|ch| {
                    contact
                        .channel_identities
                        .iter()
                        .find(|ci| &ci.channel == ch)
                })
                .next()
                .or_else(|| contact.channel_identities.first())
                .cloned()
                .ok_or_else(|| {
                    ApiError::invalid(format!(
                        "contact '{contact_id}' has no channel identity to send to"
                    ))
                })?;
            Ok(Some(Target {
                contact: contact.clone(),
                created: false,
                identity,
            }))
        }
        RecipientBase::IdentifiedBy(list) => {
            let identities = &list.channel_identities;
            let identity = pick_identity(recipient, priority)?;
            let existing = store
                .contact_by_identity(&identity.channel.to_string(), &identity.identity)
                .or_else(|| {
                    identities.iter().find_map(|ci| {
                        store.contact_by_identity(&ci.channel.to_string(), &ci.identity)
                    })
                });
            if let Some(contact) = existing {
                return Ok(Some(Target {
                    contact: contact.clone(),
                    created: false,
                    identity,
                }));
            }
            if !create {
                return Ok(None);
            }
            let id = new_id();
            let contact = Contact {
                channel_identities: identities
                    .iter()
                    .map(|ci| channel_identity(&ci.channel, &ci.identity))
                    .collect(),
                channel_priority: Vec::new(),
                display_name: Some("Unknown".into()),
                email: None,
                external_id: None,
                id: Some(id),
                language: None,
                metadata: None,
            };
            Ok(Some(Target {
                contact,
                created: true,
                identity,
            }))
        }
        RecipientBase::Unknown(_) => Err(ApiError::invalid(
            "recipient must set exactly one of contact_id and identified_by",
        )),
    }
}

/// Stores the contact of `target` if new, and returns the active conversation of `app_id`
/// with it, started if needed, on `channel`; with the callbacks that caused.
fn ensure_conversation(
    project: &str,
    store: &mut Store,
    app_id: &str,
    target: &Target,
) -> (Conversation, Vec<Emit>) {
    let mut emits = Vec::new();
    let contact_id = target.contact.id.clone().unwrap_or_default();
    if target.created {
        store
            .contacts
            .insert(contact_id.clone(), target.contact.clone());
        emits.push(contact_emit(project, Event::ContactCreate, &target.contact));
    }
    let channel = target.identity.channel.clone();
    let existing = store
        .active_conversation(app_id, &contact_id)
        .and_then(|c| c.id.clone());
    let conversation = match existing.and_then(|id| store.conversations.get_mut(&id)) {
        Some(conversation) => {
            conversation.active_channel = Some(channel);
            conversation.clone()
        }
        None => {
            let id = new_id();
            let conversation = Conversation {
                active: Some(true),
                active_channel: Some(channel),
                app_id: Some(app_id.to_owned()),
                contact_id: Some(contact_id),
                id: Some(id.clone()),
                ..Default::default()
            };
            store.conversations.insert(id, conversation.clone());
            emits.push(conversation_emit(
                project,
                Event::ConversationStart,
                &conversation,
            ));
            conversation
        }
    };
    (conversation, emits)
}

/// Whether a message to `identity` through `app` can be delivered, or why not.
fn delivery_failure(
    store: &Store,
    app: &AppResponse,
    identity: &ChannelIdentity,
) -> Option<ReasonCode> {
    let app_id = app.id.clone().unwrap_or_default();
    let channel = identity.channel.to_string();
    if store
        .opt_outs
        .contains(&(app_id, channel.clone(), identity.identity.clone()))
    {
        return Some(ReasonCode::RecipientNotOptedIn);
    }
    // An app with no credentials at all is taken as configured for every channel.
    if !app.channel_credentials.is_empty()
        && !app
            .channel_credentials
            .iter()
            .any(|c| c.common.channel.as_ref() == Some(&identity.channel))
    {
        return Some(ReasonCode::ChannelConfigurationMissing);
    }
    None
}

fn send_message(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let request: SendMessageRequest = parse(ctx.body)?;
    if request.app_id.trim().is_empty() {
        return Err(ApiError::invalid("app_id is required"));
    }
    let app = get_app(store, &request.app_id)?.clone();
    validate_app_message(&request.message)?;
    if let Some(ttl) = &request.ttl {
        validate_ttl(ttl)?;
    }
    if let Some(url) = &request.callback_url
        && !url.is_empty()
        && reqwest::Url::parse(url).is_err()
    {
        return Err(ApiError::invalid(format!(
            "callback_url '{url}' is not a URL"
        )));
    }
    let (processing_mode, source) = mode_of(&app);
    // In DISPATCH mode the API keeps no contact or conversation: ids in callbacks are "".
    let (identity, contact_id, conversation_id, mut emits) = if is_dispatch(&app) {
        check_priority(&request.channel_priority_order)?;
        let identity = pick_identity(&request.recipient.kind, &request.channel_priority_order)?;
        (identity, None, None, Vec::new())
    } else {
        let target = resolve_target(
            store,
            &request.app_id,
            &request.recipient.kind,
            &request.channel_priority_order,
            true,
        )?
        .ok_or_else(|| ApiError::invalid("no recipient"))?;
        let (conversation, emits) =
            ensure_conversation(ctx.project(), store, &request.app_id, &target);
        (target.identity, target.contact.id, conversation.id, emits)
    };
    let id = new_id();
    let accepted = Utc::now();
    let metadata = request.message_metadata.clone().unwrap_or_default();
    let message = ConversationMessage {
        common: types::ConversationMessageCommonProps {
            accept_time: Some(accepted),
            channel_identity: Some(identity.clone()),
            contact_id: contact_id.clone(),
            conversation_id: conversation_id.clone(),
            direction: Some(ConversationDirection::ToContact),
            id: Some(id.clone()),
            metadata: request.message_metadata.clone(),
            processing_mode: Some(processing_mode.clone()),
            ..Default::default()
        },
        kind: ConversationMessageTypes::AppMessage(request.message.clone()),
    };
    store.messages.insert(
        id.clone(),
        StoredMessage {
            app_id: request.app_id.clone(),
            source,
            message,
        },
    );
    trim_messages(ctx, store);

    let failure = delivery_failure(store, &app, &identity);
    let contact_id = contact_id.unwrap_or_default();
    let conversation_id = conversation_id.unwrap_or_default();
    // The envelope of this message's callbacks: its metadata, and its correlation id if any.
    let message_envelope = || {
        let mut envelope = envelope(ctx.project(), &request.app_id, &metadata);
        if let Some(id) = &request.correlation_id {
            envelope.correlation_id = Some(id.clone());
        }
        envelope
    };
    let report = |status: DeliveryStatus, reason: Option<ReasonCode>| {
        let payload = MessageDeliveryReport {
            message_id: Some(id.clone()),
            conversation_id: Some(conversation_id.clone()),
            status: Some(status),
            channel_identity: Some(identity.clone()),
            contact_id: Some(contact_id.clone()),
            metadata: Some(metadata.clone()),
            processing_mode: Some(processing_mode.clone()),
            reason: reason.map(|code| types::Reason {
                description: Some(code.as_str().replace('_', " ").to_lowercase()),
                code: Some(code),
                sub_code: Some(ReasonSubCode::UnspecifiedSubCode),
                channel_code: None,
            }),
        };
        Event::MessageDelivery(callback(message_envelope(), payload))
    };
    let delay = ctx.report_delay();
    let submitted = MessageSubmitNotification {
        message_id: Some(id.clone()),
        conversation_id: Some(conversation_id.clone()),
        channel_identity: Some(identity.clone()),
        contact_id: Some(contact_id.clone()),
        submitted_message: Some(request.message.clone()),
        metadata: Some(metadata.clone()),
        processing_mode: Some(processing_mode.clone()),
    };
    emits.push(Emit::now(
        Some(request.app_id.clone()),
        Event::MessageSubmit(callback(message_envelope(), submitted)),
    ));
    emits.push(Emit {
        app_id: Some(request.app_id.clone()),
        callback_url: request.callback_url.clone().filter(|u| !u.is_empty()),
        steps: vec![
            (delay, report(DeliveryStatus::QueuedOnChannel, None)),
            match failure {
                Some(code) => (delay, report(DeliveryStatus::Failed, Some(code))),
                None => (delay, report(DeliveryStatus::Delivered, None)),
            },
        ],
    });
    ok_with(
        &SendMessageResponse {
            accepted_time: Some(accepted),
            message_id: Some(id),
        },
        emits,
    )
}

/// A contact's reply: stored as a `TO_APP` message, delivered as `MESSAGE_INBOUND`.
pub(crate) fn contact_reply(
    shared: &Shared,
    store: &mut Store,
    app_id: &str,
    channel: &ConversationChannel,
    identity: &str,
    message: ContactMessage,
) -> Result<(ConversationMessage, Vec<Emit>), ApiError> {
    let project = shared.config.project_id.as_str();
    let app = get_app(store, app_id)?;
    let (processing_mode, source) = mode_of(app);
    let dispatch = is_dispatch(app);
    validate_contact_message(&message)?;
    if unspecified(channel) || identity.trim().is_empty() {
        return Err(ApiError::invalid("a channel and an identity are required"));
    }
    let now = Utc::now();
    let (identity, contact_id, conversation_id, mut emits) = if dispatch {
        (channel_identity(channel, identity), None, None, Vec::new())
    } else {
        let recipient = types::Recipient::channel(channel.clone(), identity);
        let target = resolve_target(store, app_id, &recipient.kind, &[], true)?
            .ok_or_else(|| ApiError::invalid("no contact"))?;
        let (conversation, emits) = ensure_conversation(project, store, app_id, &target);
        if let Some(c) = conversation
            .id
            .as_deref()
            .and_then(|id| store.conversations.get_mut(id))
        {
            c.last_received = Some(now);
        }
        (target.identity, target.contact.id, conversation.id, emits)
    };
    let id = new_id();
    let stored = ConversationMessage {
        common: types::ConversationMessageCommonProps {
            accept_time: Some(now),
            channel_identity: Some(identity),
            contact_id,
            conversation_id,
            direction: Some(ConversationDirection::ToApp),
            id: Some(id.clone()),
            processing_mode: Some(processing_mode),
            injected: Some(false),
            sender_id: Some(String::new()),
            ..Default::default()
        },
        kind: ConversationMessageTypes::ContactMessage(message),
    };
    store.messages.insert(
        id,
        StoredMessage {
            app_id: app_id.to_owned(),
            source,
            message: stored.clone(),
        },
    );
    if let Some(max) = shared.config.max_messages {
        store.messages.truncate_oldest(max);
    }
    // In DISPATCH mode the callback's contact and conversation ids are "".
    let ids = |id: &Option<String>| Some(id.clone().unwrap_or_default());
    let common = &stored.common;
    let inbound = InboundMessage {
        accept_time: common.accept_time,
        channel_identity: common.channel_identity.clone(),
        contact_id: ids(&common.contact_id),
        contact_message: match &stored.kind {
            ConversationMessageTypes::ContactMessage(message) => Some(message.clone()),
            _ => None,
        },
        conversation_id: ids(&common.conversation_id),
        direction: Some(MessageInboundEventItemDirection::ToApp),
        id: common.id.clone(),
        injected: Some(false),
        metadata: common.metadata.clone(),
        processing_mode: common.processing_mode.clone(),
        sender_id: Some(String::new()),
    };
    emits.push(Emit::now(
        Some(app_id.to_owned()),
        Event::MessageInbound(callback(envelope(project, app_id, ""), inbound)),
    ));
    Ok((stored, emits))
}

// ---------------------------------------------------------------------------------------------
// Events, capability, consents, transcoding

fn required_app<'s>(store: &'s Store, app_id: Option<&str>) -> Result<&'s AppResponse, ApiError> {
    let Some(app_id) = non_empty(app_id) else {
        return Err(ApiError::invalid("app_id is required"));
    };
    get_app(store, app_id)
}

fn send_event(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let request: SendEventRequest = parse(ctx.body)?;
    let app = required_app(store, Some(&request.app_id))?.clone();
    let app_id = app.id.clone().unwrap_or_default();
    let recipient = &request.recipient.kind;
    if matches!(request.event, types::AppEvent::Unknown(_)) {
        return Err(ApiError::invalid(
            "event must set exactly one kind of event (composing_event, composing_end_event, \
             read_message_event, comment_reply_event, agent_joined_event, agent_left_event, \
             generic_event)",
        ));
    }
    let (processing_mode, _) = mode_of(&app);
    // In DISPATCH mode no contact is looked up: the event only goes to the identity.
    let target = if is_dispatch(&app) {
        check_priority(&request.channel_priority_order)?;
        None
    } else {
        resolve_target(
            store,
            &app_id,
            recipient,
            &request.channel_priority_order,
            false,
        )?
    };
    // No target: DISPATCH mode, or identities of no contact (an unknown contact id is an
    // error of resolve_target).
    let identity = match &target {
        Some(t) => t.identity.clone(),
        None => pick_identity(recipient, &request.channel_priority_order)?,
    };
    let event_id = new_id();
    let accepted = Utc::now();
    let conversation_id = target.as_ref().and_then(|t| {
        store
            .active_conversation(&app_id, t.contact.id.as_deref().unwrap_or_default())
            .and_then(|c| c.id.clone())
    });
    store.events.insert(
        event_id.clone(),
        StoredEvent {
            app_id: app_id.clone(),
            event: ConversationEvent {
                accept_time: Some(accepted),
                app_event: Some(request.event.clone()),
                channel_identity: Some(identity.clone()),
                contact_id: target.as_ref().and_then(|t| t.contact.id.clone()),
                conversation_id,
                direction: Some(ConversationDirection::ToContact),
                id: Some(event_id.clone()),
                processing_mode: Some(processing_mode.clone()),
            },
        },
    );
    let metadata = request.event_metadata.clone().unwrap_or_default();
    let report = |status: DeliveryStatus| {
        let payload = EventDeliveryReport {
            event_id: Some(event_id.clone()),
            status: Some(status),
            channel_identity: Some(identity.clone()),
            contact_id: Some(
                target
                    .as_ref()
                    .and_then(|t| t.contact.id.clone())
                    .unwrap_or_default(),
            ),
            metadata: Some(metadata.clone()),
            processing_mode: Some(processing_mode.clone()),
            reason: None,
        };
        Event::EventDelivery(callback(
            envelope(ctx.project(), &app_id, &metadata),
            payload,
        ))
    };
    let delay = ctx.report_delay();
    let emit = Emit {
        app_id: Some(app_id.clone()),
        callback_url: request.callback_url.clone().filter(|u| !u.is_empty()),
        steps: vec![
            (delay, report(DeliveryStatus::QueuedOnChannel)),
            (delay, report(DeliveryStatus::Delivered)),
        ],
    };
    ok_with(
        &SendEventResponse {
            accepted_time: Some(accepted),
            event_id: Some(event_id),
        },
        vec![emit],
    )
}

/// Every `(channel, identity)` of a recipient, with its contact id when known.
fn recipient_identities(
    store: &Store,
    recipient: &RecipientBase,
) -> Result<(Option<String>, Vec<ChannelIdentity>), ApiError> {
    match recipient {
        RecipientBase::ContactId(contact_id) => {
            let contact = store.contacts.get(contact_id).ok_or_else(|| {
                ApiError::invalid(format!(
                    "contact_id '{contact_id}' is not a contact of this project"
                ))
            })?;
            Ok((contact.id.clone(), contact.channel_identities.clone()))
        }
        RecipientBase::Unknown(_) => Err(ApiError::invalid(
            "recipient must set exactly one of contact_id and identified_by",
        )),
        RecipientBase::IdentifiedBy(list) => {
            let identities: Vec<ChannelIdentity> = list
                .channel_identities
                .iter()
                .map(|ci| channel_identity(&ci.channel, &ci.identity))
                .collect();
            if identities.is_empty() || identities.iter().any(|ci| ci.identity.trim().is_empty()) {
                return Err(ApiError::invalid(
                    "recipient.identified_by.channel_identities needs identities",
                ));
            }
            let contact = identities
                .iter()
                .find_map(|ci| store.contact_by_identity(&ci.channel.to_string(), &ci.identity))
                .and_then(|c| c.id.clone());
            Ok((contact, identities))
        }
    }
}

fn query_capability(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let request: QueryCapability = parse(ctx.body)?;
    let app_id = required_app(store, Some(&request.app_id))?
        .id
        .clone()
        .unwrap_or_default();
    let recipient = &request.recipient;
    let (contact_id, identities) = recipient_identities(store, &recipient.kind)?;
    let request_id = non_empty(request.request_id.as_deref())
        .map(str::to_owned)
        .unwrap_or_else(new_id);
    let emits = identities
        .iter()
        .map(|ci| {
            let payload = CapabilityNotification {
                request_id: Some(request_id.clone()),
                contact_id: Some(contact_id.clone().unwrap_or_default()),
                channel: Some(ci.channel.clone()),
                identity: Some(ci.identity.clone()),
                capability_status: Some(CapabilityStatus::CapabilityFull),
                channel_capabilities: Vec::new(),
                reason: None,
            };
            Emit::now(
                Some(app_id.clone()),
                Event::Capability(callback(envelope(ctx.project(), &app_id, ""), payload)),
            )
        })
        .collect();
    ok_with(
        &QueryCapabilityResponse {
            app_id: Some(app_id),
            recipient: Some(recipient.clone()),
            request_id: Some(request_id),
        },
        emits,
    )
}

fn register_consent(ctx: &Ctx<'_>, store: &mut Store, opt_in: bool) -> Result<Outcome, ApiError> {
    let (app_id, channels, recipient) = if opt_in {
        let body: OptIn = parse(ctx.body)?;
        (body.app_id, body.channels, body.recipient)
    } else {
        let body: OptOut = parse(ctx.body)?;
        (body.app_id, body.channels, body.recipient)
    };
    let (mode, _) = mode_of(required_app(store, Some(&app_id))?);
    if channels.is_empty() {
        return Err(ApiError::invalid("channels must name at least one channel"));
    }
    if let Some(channel) = channels.iter().find(|c| unspecified(c)) {
        return Err(ApiError::invalid(format!(
            "channels must not contain {channel}"
        )));
    }
    let Some(recipient) = &recipient else {
        return Err(ApiError::invalid("recipient is required"));
    };
    let (contact_id, identities) = recipient_identities(store, &recipient.kind)?;
    let request_id = ctx
        .query
        .get("request_id")
        .map(str::to_owned)
        .unwrap_or_else(new_id);
    let mut emits = Vec::new();
    for channel in &channels {
        let identity = identities.iter().find(|ci| &ci.channel == channel);
        let error_details = identity
            .is_none()
            .then(|| format!("the recipient has no identity on {channel}"));
        if let Some(ci) = identity {
            let key = (app_id.clone(), channel.to_string(), ci.identity.clone());
            let operation = if opt_in {
                store
                    .opt_outs
                    .remove(&key)
                    .then_some(types::AuditRecordOperation::OperationDelete)
            } else if store.opt_outs.insert(key) {
                Some(types::AuditRecordOperation::OperationInsert)
            } else {
                Some(types::AuditRecordOperation::OperationUpdate)
            };
            if let Some(operation) = operation {
                audit_consent(store, ctx.project(), &app_id, &ci.identity, operation);
            }
        }
        let request_id = Some(request_id.clone());
        let contact_id = Some(contact_id.clone().unwrap_or_default());
        let identity = Some(identity.map(|ci| ci.identity.clone()).unwrap_or_default());
        let envelope = envelope(ctx.project(), &app_id, "");
        let event = if opt_in {
            use types::OptInEventOptInNotificationStatus as Status;
            Event::OptIn(callback(
                envelope,
                OptInNotification {
                    request_id,
                    contact_id,
                    channel: Some(channel.clone()),
                    identity,
                    status: Some(if error_details.is_none() {
                        Status::OptInSucceeded
                    } else {
                        Status::OptInFailed
                    }),
                    error_details: error_details.map(|description| {
                        types::OptInEventOptInNotificationErrorDetails {
                            description: Some(description),
                        }
                    }),
                    processing_mode: Some(mode.clone()),
                },
            ))
        } else {
            use types::OptOutEventOptOutNotificationStatus as Status;
            Event::OptOut(callback(
                envelope,
                OptOutNotification {
                    request_id,
                    contact_id,
                    channel: Some(channel.clone()),
                    identity,
                    status: Some(if error_details.is_none() {
                        Status::OptOutSucceeded
                    } else {
                        Status::OptOutFailed
                    }),
                    error_details: error_details.map(|description| {
                        types::OptOutEventOptOutNotificationErrorDetails {
                            description: Some(description),
                        }
                    }),
                    processing_mode: Some(mode.clone()),
                },
            ))
        };
        emits.push(Emit::now(Some(app_id.clone()), event));
    }
    if opt_in {
        ok_with(
            &OptInResponse {
                opt_in: Some(OptIn {
                    app_id,
                    channels,
                    recipient: Some(recipient.clone()),
                }),
                request_id: Some(request_id),
            },
            emits,
        )
    } else {
        ok_with(
            &OptOutResponse {
                opt_out: Some(OptOut {
                    app_id,
                    channels,
                    recipient: Some(recipient.clone()),
                }),
                request_id: Some(request_id),
            },
            emits,
        )
    }
}

fn transcode_message(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let request: TranscodeMessageRequest = parse(ctx.body)?;
    required_app(store, Some(&request.app_id))?;
    let message = &request.app_message;
    validate_app_message(message)?;
    if request.channels.is_empty() {
        return Err(ApiError::invalid("channels must name at least one channel"));
    }
    if let Some(channel) = request.channels.iter().find(|c| unspecified(c)) {
        return Err(ApiError::invalid(format!(
            "channels must not contain {channel}"
        )));
    }
    let from = request.from.as_deref().unwrap_or_default();
    let to = request.to.as_deref().unwrap_or_default();
    let transcoded_message: HashMap<String, String> = request
        .channels
        .iter()
        .map(|channel| {
            let name = channel.to_string();
            let output = transcode::transcode(message, &name, from, to);
            (name, output)
        })
        .collect();
    ok(&TranscodeMessageResponse { transcoded_message })
}

// ---------------------------------------------------------------------------------------------
// Consents, profiles, identity conflicts, events, recent conversations, last messages

/// Records a consent change for the audit trail of `(app_id, identity)`.
pub(crate) fn audit_consent(
    store: &mut Store,
    project: &str,
    app_id: &str,
    identity: &str,
    operation: types::AuditRecordOperation,
) {
    store.consent_records.push((
        app_id.to_owned(),
        identity.to_owned(),
        types::AuditRecord {
            app_id: Some(app_id.to_owned()),
            datetime: Some(Utc::now()),
            list_type: Some(types::ConsentsListType::OptOutAll),
            operation: Some(operation),
            origin: Some(types::AuditRecordOrigin::OriginApi),
            project_id: Some(project.to_owned()),
        },
    ));
}

fn list_consent_audit_records(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    get_app(store, ctx.id())?;
    let identity = ctx.route.id2.as_str();
    let audit_records = store
        .consent_records
        .iter()
        .filter(|(app, id, _)| app == ctx.id() && id == identity)
        .map(|(_, _, record)| record.clone())
        .collect();
    ok(&types::GetAuditRecordsFromConsentResponse {
        audit_records,
        identity: Some(types::Identity {
            identity: Some(identity.to_owned()),
        }),
    })
}

fn list_consent_identities(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    get_app(store, ctx.id())?;
    let list_type = ctx.route.id2.parse::<types::ConsentsListType>();
    let opt_out_all = match list_type {
        Ok(types::ConsentsListType::OptOutAll) => true,
        Ok(
            types::ConsentsListType::OptOutMarketing | types::ConsentsListType::OptOutNotification,
        ) => false,
        _ => {
            return Err(ApiError::invalid(format!(
                "list type '{}' is not one of OPT_OUT_ALL, OPT_OUT_MARKETING, OPT_OUT_NOTIFICATION",
                ctx.route.id2
            )));
        }
    };
    let mut identities: Vec<String> = if opt_out_all {
        store
            .opt_outs
            .iter()
            .filter(|(app, _, _)| app == ctx.id())
            .map(|(_, _, identity)| identity.clone())
            .collect()
    } else {
        Vec::new()
    };
    identities.sort();
    identities.dedup();
    let page = page_of(
        identities,
        ctx.query.get("page_token"),
        ctx.query.page_size_max(MAX_CONSENTS_PAGE_SIZE)?,
    )?;
    ok(&types::GetIdentitiesFromConsentResponse {
        identities: page
            .items
            .into_iter()
            .map(|identity| types::Identity {
                identity: Some(identity),
            })
            .collect(),
        next_page_token: page.next_page_token,
    })
}

fn get_channel_profile(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let request: types::GetChannelProfileRequest = parse(ctx.body)?;
    get_app(store, &request.app_id)?;
    let channel = request.channel.to_string();
    let (contact, identity) = match &request.recipient.kind {
        RecipientBase::Unknown(_) => {
            return Err(ApiError::invalid(
                "recipient must set exactly one of contact_id and identified_by",
            ));
        }
        RecipientBase::ContactId(contact_id) => {
            let contact = get_contact(store, contact_id)?;
            let identity = contact
                .channel_identities
                .iter()
                .find(|ci| ci.channel.to_string() == channel)
                .map(|ci| ci.identity.clone())
                .ok_or_else(|| {
                    ApiError::invalid(format!(
                        "contact '{contact_id}' has no identity on {channel}"
                    ))
                })?;
            (Some(contact.clone()), identity)
        }
        RecipientBase::IdentifiedBy(list) => {
            let identity = list
                .channel_identities
                .iter()
                .find(|ci| ci.channel.to_string() == channel)
                .map(|ci| ci.identity.clone())
                .ok_or_else(|| {
                    ApiError::invalid(format!("the recipient has no identity on {channel}"))
                })?;
            (
                store.contact_by_identity(&channel, &identity).cloned(),
                identity,
            )
        }
    };
    let profile_name = contact
        .and_then(|c| c.display_name)
        .filter(|n| !n.is_empty() && n != "Unknown")
        .unwrap_or_else(|| format!("{channel} user {identity}"));
    ok(&types::GetChannelProfileResponse {
        profile_name: Some(profile_name),
    })
}

fn list_identity_conflicts(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    // identity -> (channels, contact ids), in order of first appearance.
    let mut seen: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    for contact in store.contacts.values() {
        let contact_id = contact.id.clone().unwrap_or_default();
        for ci in &contact.channel_identities {
            let entry = match seen.iter().position(|(id, _, _)| *id == ci.identity) {
                Some(i) => &mut seen[i],
                None => {
                    seen.push((ci.identity.clone(), Vec::new(), Vec::new()));
                    let last = seen.len() - 1;
                    &mut seen[last]
                }
            };
            let channel = ci.channel.to_string();
            if !entry.1.contains(&channel) {
                entry.1.push(channel);
            }
            if !entry.2.contains(&contact_id) {
                entry.2.push(contact_id.clone());
            }
        }
    }
    let conflicts: Vec<types::ListIdentityConflictsResponseConflictsItem> = seen
        .into_iter()
        .filter(|(_, _, contacts)| contacts.len() > 1)
        .map(|(identity, channels, contact_ids)| {
            types::ListIdentityConflictsResponseConflictsItem {
                channels,
                contact_ids,
                identity: Some(identity),
            }
        })
        .collect();
    let page = page_of(
        conflicts,
        ctx.query.get("page_token"),
        ctx.query.page_size()?,
    )?;
    ok(&types::ListIdentityConflictsResponse {
        conflicts: page.items,
        next_page_token: page.next_page_token,
    })
}

fn inject_event(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let request: types::InjectConversationEventRequest = parse(ctx.body)?;
    let conversation = get_conversation(store, ctx.id())?.clone();
    if request
        .app_event
        .as_ref()
        .is_none_or(|e| matches!(e, types::AppEvent::Unknown(_)))
    {
        return Err(ApiError::invalid(
            "app_event must set exactly one kind of event",
        ));
    }
    let contact_id = conversation.contact_id.clone().unwrap_or_default();
    let channel_identity = match request.channel_identity.clone() {
        Some(identity) => identity,
        None => {
            let contact = get_contact(store, &contact_id)?;
            conversation
                .active_channel
                .as_ref()
                .and_then(|ch| {
                    contact
                        .channel_identities
                        .iter()
                        .find(|ci| &ci.channel == ch)
                })
                .or_else(|| contact.channel_identities.first())
                .cloned()
                .ok_or_else(|| ApiError::invalid("channel_identity is required"))?
        }
    };
    let id = new_id();
    let event = ConversationEvent {
        accept_time: Some(request.accept_time),
        app_event: request.app_event,
        channel_identity: Some(channel_identity),
        contact_id: Some(contact_id),
        conversation_id: Some(ctx.id().to_owned()),
        direction: Some(ConversationDirection::ToContact),
        id: Some(id.clone()),
        processing_mode: request.processing_mode,
    };
    store.events.insert(
        id.clone(),
        StoredEvent {
            app_id: conversation.app_id.clone().unwrap_or_default(),
            event,
        },
    );
    ok(&types::InjectEventResponse {
        accepted_time: Some(Utc::now()),
        event_id: Some(id),
    })
}

fn list_events(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let conversation_id = ctx.query.get("conversation_id");
    let contact_id = ctx.query.get("contact_id");
    let page = store.events.page(
        ctx.query.get("page_token"),
        ctx.query.page_size()?,
        Order::NewestFirst,
        |e: &StoredEvent| {
            conversation_id.is_none_or(|c| e.event.conversation_id.as_deref() == Some(c))
                && contact_id.is_none_or(|c| e.event.contact_id.as_deref() == Some(c))
        },
    )?;
    ok(&types::ListEventsResponse {
        events: page.items.into_iter().map(|e| e.event).collect(),
        next_page_token: page.next_page_token,
    })
}

fn list_recent_conversations(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let Some(app_id) = ctx.query.get("app_id") else {
        return Err(ApiError::invalid("app_id is required"));
    };
    get_app(store, app_id)?;
    let only_active = ctx.query.bool("only_active")?.unwrap_or(false);
    let ascending = match ctx.query.get("order") {
        None => false,
        Some(order) => match order.parse::<types::ListRecentConversationsOrder>() {
            Ok(types::ListRecentConversationsOrder::Asc) => true,
            Ok(types::ListRecentConversationsOrder::Desc) => false,
            _ => {
                return Err(ApiError::invalid(format!(
                    "Invalid value for order: '{order}'"
                )));
            }
        },
    };
    let mut recent: Vec<(
        Option<chrono::DateTime<Utc>>,
        types::ConversationRecentMessage,
    )> = store
        .conversations
        .values()
        .filter(|c| c.app_id.as_deref() == Some(app_id) && (!only_active || c.active == Some(true)))
        .map(|c| {
            let last = store
                .messages
                .values()
                .rev()
                .find(|m| m.message.conversation_id == c.id)
                .map(|m| m.message.clone());
            let at = last.as_ref().and_then(|m| m.accept_time);
            (
                at,
                types::ConversationRecentMessage {
                    conversation: Some(c.clone()),
                    last_message: last,
                },
            )
        })
        .collect();
    recent.sort_by(|a, b| {
        if ascending {
            a.0.cmp(&b.0)
        } else {
            b.0.cmp(&a.0)
        }
    });
    let page = page_of(
        recent.into_iter().map(|(_, r)| r).collect(),
        ctx.query.get("page_token"),
        ctx.query.page_size_max(MAX_RECENT_PAGE_SIZE)?,
    )?;
    ok(&types::ListRecentConversationsResponse {
        conversations: page.items,
        next_page_token: page.next_page_token,
        total_size: i32::try_from(page.total).ok(),
    })
}

fn update_message_metadata(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let patch: types::UpdateMessageMetadataRequest = parse(ctx.body)?;
    message_in_source(ctx, store)?;
    let stored = store
        .messages
        .get_mut(ctx.id())
        .ok_or_else(|| ApiError::not_found("Message", ctx.id()))?;
    stored.message.metadata = Some(patch.metadata);
    ok(&stored.message)
}

fn list_last_messages(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let request: types::ListMessagesByChannelIdentityRequest = parse(ctx.body)?;
    let size = match request.page_size {
        0 => DEFAULT_PAGE_SIZE,
        n if n < 0 => return Err(ApiError::invalid("page_size must not be negative")),
        n => usize::try_from(n)
            .unwrap_or(MAX_MESSAGES_PAGE_SIZE)
            .min(MAX_MESSAGES_PAGE_SIZE),
    };
    // Unlike the other message operations, this one defaults to DISPATCH_SOURCE.
    let source = known_source(
        request.messages_source.clone(),
        MessageSource::DispatchSource,
    )?;
    if source == MessageSource::DispatchSource && !request.contact_ids.is_empty() {
        return Err(ApiError::invalid(
            "contact_ids is only supported with messages_source CONVERSATION_SOURCE",
        ));
    }
    let without_metadata = matches!(
        request.view,
        Some(ConversationMessagesView::WithoutMetadata)
    );
    let mut seen: Vec<String> = Vec::new();
    let mut last = Vec::new();
    for stored in store.messages.values().rev() {
        let m = &stored.message;
        let Some(ci) = &m.channel_identity else {
            continue;
        };
        let matches = stored.source == source
            && request.app_id.as_deref().is_none_or(|a| a == stored.app_id)
            && request.channel.as_ref().is_none_or(|ch| *ch == ci.channel)
            && (request.channel_identities.is_empty()
                || request.channel_identities.contains(&ci.identity))
            && (request.contact_ids.is_empty()
                || m.contact_id
                    .as_ref()
                    .is_some_and(|c| request.contact_ids.contains(c)))
            && request
                .direction
                .as_ref()
                .is_none_or(|d| m.direction.as_ref() == Some(d))
            && request
                .start_time
                .is_none_or(|t| m.accept_time.is_some_and(|at| at >= t))
            && request
                .end_time
                .is_none_or(|t| m.accept_time.is_some_and(|at| at <= t));
        let key = format!("{}/{}", ci.channel, ci.identity);
        if matches && !seen.contains(&key) {
            seen.push(key);
            let mut message = m.clone();
            if without_metadata {
                message.metadata = None;
            }
            last.push(message);
        }
    }
    let page = page_of(last, request.page_token.as_deref(), size)?;
    ok(&ListMessagesResponse {
        messages: page.items,
        next_page_token: page.next_page_token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_without_behaviour_is_a_typed_501() {
        let error = not_implemented(Operation::SendMessage);
        assert_eq!(error.status, StatusCode::NOT_IMPLEMENTED);
        assert_eq!(error.kind, "UNIMPLEMENTED");
        assert!(error.message.contains("send_message"), "{}", error.message);
    }
}
