//! Capability (the spec's `Capability` tag): a query answered by one callback per identity of
//! the recipient, each reporting full capability.

use sinch_conversation::{
    types::{
        CapabilityEventCapabilityNotificationCapabilityStatus as CapabilityStatus, QueryCapability,
        QueryCapabilityResponse,
    },
    webhooks::{Event, events::CapabilityNotification},
};

use super::{
    apps::required_app,
    ctx::{Ctx, Outcome, non_empty, ok_with, parse},
    recipients::recipient_identities,
};
use crate::{
    callbacks::{Emit, callback, envelope},
    error::ApiError,
    store::{Store, new_id},
};

pub(super) fn query_capability(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
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
