//! Messages (the spec's `Messages` tag): sending with delivery reports, listing and the last
//! message per identity, metadata updates; and a contact's reply, for the test driver.

use chrono::Utc;
use sinch_conversation::{
    types::{
        self, AppResponse, ChannelIdentity, ContactMessage, ConversationChannel,
        ConversationDirection, ConversationMessage, ConversationMessageTypes,
        ConversationMessagesView, DeliveryStatus, ListMessagesResponse,
        MessageInboundEventItemDirection, MessageSource, ReasonCode, ReasonSubCode,
        SendMessageRequest, SendMessageResponse,
    },
    webhooks::{
        Event,
        events::{InboundMessage, MessageDeliveryReport, MessageSubmitNotification},
    },
};

use super::{
    apps::{get_app, is_dispatch, mode_of},
    ctx::{Ctx, DEFAULT_PAGE_SIZE, Outcome, empty, ok, ok_with, parse, unspecified},
    message_rules::{trim_messages, validate_app_message, validate_contact_message},
    recipients::{
        channel_identity, check_priority, ensure_conversation, pick_identity, resolve_target,
    },
};
use crate::{
    callbacks::{Emit, callback, envelope},
    error::ApiError,
    state::Shared,
    store::{Order, Store, StoredMessage, new_id, page_of},
};

/// Largest `page_size` of `list_messages` (and of the last message per identity).
const MAX_MESSAGES_PAGE_SIZE: usize = 1000;

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
pub(super) fn message_in_source<'s>(
    ctx: &Ctx<'_>,
    store: &'s Store,
) -> Result<&'s StoredMessage, ApiError> {
    let source = query_source(ctx)?;
    store
        .messages
        .get(ctx.id())
        .filter(|m| m.source == source)
        .ok_or_else(|| ApiError::not_found("Message", ctx.id()))
}

pub(super) fn list_messages(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

pub(super) fn delete_message(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    message_in_source(ctx, store)?;
    store.messages.remove(ctx.id());
    empty(Vec::new())
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

pub(super) fn send_message(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

pub(super) fn update_message_metadata(
    ctx: &Ctx<'_>,
    store: &mut Store,
) -> Result<Outcome, ApiError> {
    let patch: types::UpdateMessageMetadataRequest = parse(ctx.body)?;
    message_in_source(ctx, store)?;
    let stored = store
        .messages
        .get_mut(ctx.id())
        .ok_or_else(|| ApiError::not_found("Message", ctx.id()))?;
    stored.message.metadata = Some(patch.metadata);
    ok(&stored.message)
}

pub(super) fn list_last_messages(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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
