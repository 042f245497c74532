//! Who a message, event, capability query or consent goes to: the channel identity picked,
//! the contact found (or created) and its active conversation (started if needed).

use sinch_conversation::{
    types::{ChannelIdentity, Contact, Conversation, ConversationChannel, RecipientBase},
    webhooks::Event,
};

use super::{contacts::contact_emit, conversations::conversation_emit, ctx::unspecified};
use crate::{
    callbacks::Emit,
    error::ApiError,
    store::{Store, new_id},
};

pub(super) fn channel_identity(channel: &ConversationChannel, identity: &str) -> ChannelIdentity {
    ChannelIdentity {
        app_id: None,
        channel: channel.clone(),
        identity: identity.to_owned(),
    }
}

/// The identity a message to channel identities goes to: the first on a channel of
/// `priority`, else the first. A contact id is no recipient here (an app in `DISPATCH` mode
/// has no contacts).
pub(super) fn pick_identity(
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
pub(super) fn check_priority(priority: &[ConversationChannel]) -> Result<(), ApiError> {
    match priority.iter().find(|c| unspecified(c)) {
        Some(channel) => Err(ApiError::invalid(format!(
            "channel_priority_order must not contain {channel}"
        ))),
        None => Ok(()),
    }
}

/// Who a message goes to: the contact (existing or created) and the identity picked.
pub(super) struct Target {
    pub(super) contact: Contact,
    pub(super) created: bool,
    pub(super) identity: ChannelIdentity,
}

pub(super) fn resolve_target(
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
pub(super) fn ensure_conversation(
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

/// Every `(channel, identity)` of a recipient, with its contact id when known.
pub(super) fn recipient_identities(
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
