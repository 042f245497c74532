//! Conversations (the spec's `Conversation` tag): the conversation resources, one active
//! conversation per app and contact, injected messages and events, recent conversations.

use chrono::Utc;
use sinch_conversation::{
    types::{
        self, Conversation, ConversationDirection, ConversationEvent, ConversationMessage,
        ConversationMessageCommonProps, ConversationMessageTypes, ConversationMessageTypesInject,
        ConversationPatch, ListConversationsResponse, MessageSource,
    },
    webhooks::{Callback, Event, events::ConversationNotification},
};

use super::{
    apps::get_app,
    contacts::get_contact,
    ctx::{Ctx, Outcome, empty, non_empty, ok, ok_with, parse, unspecified},
    message_rules::{trim_messages, validate_app_message, validate_contact_message},
};
use crate::{
    callbacks::{Emit, callback, envelope},
    error::ApiError,
    mask,
    store::{Order, Store, StoredEvent, StoredMessage, new_id, page_of},
};

/// Largest `page_size` of the recent conversations.
const MAX_RECENT_PAGE_SIZE: usize = 50;

pub(super) fn get_conversation<'s>(
    store: &'s Store,
    id: &str,
) -> Result<&'s Conversation, ApiError> {
    store
        .conversations
        .get(id)
        .ok_or_else(|| ApiError::not_found("Conversation", id))
}

/// A conversation callback (`CONVERSATION_START`, ...) to the webhooks of its app.
pub(super) fn conversation_emit(
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

pub(super) fn create_conversation(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

pub(super) fn list_conversations(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

pub(super) fn update_conversation(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

pub(super) fn delete_conversation(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

pub(super) fn stop_conversation(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

pub(super) fn inject_message(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

pub(super) fn inject_event(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

pub(super) fn list_recent_conversations(
    ctx: &Ctx<'_>,
    store: &mut Store,
) -> Result<Outcome, ApiError> {
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
