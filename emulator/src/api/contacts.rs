//! Contacts (the spec's `Contact` tag): the contact resources, merging, channel profiles and
//! identity conflicts.

use sinch_conversation::{
    types::{
        self, Contact, ContactPatch, ListContactsResponse, MergeContactRequest, RecipientBase,
    },
    webhooks::{
        Callback, Event,
        events::{ContactMergeNotification, ContactNotification},
    },
};

use super::{
    apps::get_app,
    ctx::{Ctx, Outcome, convert, empty, non_empty, ok, ok_with, parse, unspecified},
};
use crate::{
    callbacks::{Emit, callback, envelope},
    error::ApiError,
    mask,
    store::{Order, Store, new_id, page_of},
};

pub(super) fn get_contact<'s>(store: &'s Store, id: &str) -> Result<&'s Contact, ApiError> {
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
pub(super) fn contact_emit(
    project: &str,
    event: fn(Callback<ContactNotification>) -> Event,
    contact: &Contact,
) -> Emit {
    let payload = ContactNotification {
        contact: Some(contact.clone()),
    };
    Emit::now(None, event(callback(envelope(project, "", ""), payload)))
}

pub(super) fn create_contact(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let request: types::ContactCreateRequest = parse(ctx.body)?;
    let mut contact: Contact = convert(&request)?;
    validate_contact(&contact)?;
    let id = new_id();
    contact.id = Some(id.clone());
    store.contacts.insert(id, contact.clone());
    let emit = contact_emit(ctx.project(), Event::ContactCreate, &contact);
    ok_with(&contact, vec![emit])
}

pub(super) fn list_contacts(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

pub(super) fn update_contact(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let stored = get_contact(store, ctx.id())?;
    let mask = mask::paths_from_query(&ctx.query.0);
    let updated: Contact = mask::apply::<Contact, ContactPatch>(stored, ctx.body, &mask, &[])?;
    validate_contact(&updated)?;
    store.contacts.insert(ctx.id().to_owned(), updated.clone());
    let emit = contact_emit(ctx.project(), Event::ContactUpdate, &updated);
    ok_with(&updated, vec![emit])
}

pub(super) fn delete_contact(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

pub(super) fn merge_contact(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

pub(super) fn get_channel_profile(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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

pub(super) fn list_identity_conflicts(
    ctx: &Ctx<'_>,
    store: &mut Store,
) -> Result<Outcome, ApiError> {
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
