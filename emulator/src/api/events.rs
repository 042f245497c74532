//! Events (the spec's `Events` tag): sending with delivery reports, listing, reading and
//! deleting.

use chrono::Utc;
use sinch_conversation::{
    types::{
        self, ConversationDirection, ConversationEvent, DeliveryStatus, SendEventRequest,
        SendEventResponse,
    },
    webhooks::{Event, events::EventDeliveryReport},
};

use super::{
    apps::{is_dispatch, mode_of, required_app},
    ctx::{Ctx, Outcome, empty, ok, ok_with, parse},
    recipients::{check_priority, pick_identity, resolve_target},
};
use crate::{
    callbacks::{Emit, callback, envelope},
    error::ApiError,
    store::{Order, Store, StoredEvent, new_id},
};

pub(super) fn send_event(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

pub(super) fn list_events(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

pub(super) fn get_event(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    ok(&store
        .events
        .get(ctx.id())
        .ok_or_else(|| ApiError::not_found("Event", ctx.id()))?
        .event)
}

pub(super) fn delete_events(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    store
        .events
        .remove(ctx.id())
        .ok_or_else(|| ApiError::not_found("Event", ctx.id()))?;
    empty(Vec::new())
}
