//! Consents (the spec's `OptIn & OptOut` and `Consent` tags): registering opt-ins and opt-outs,
//! their audit trail, and the identities of a consent list.

use chrono::Utc;
use sinch_conversation::{
    types::{self, OptIn, OptInResponse, OptOut, OptOutResponse},
    webhooks::{
        Event,
        events::{OptInNotification, OptOutNotification},
    },
};

use super::{
    apps::{get_app, mode_of, required_app},
    ctx::{Ctx, Outcome, ok, ok_with, parse, unspecified},
    recipients::recipient_identities,
};
use crate::{
    callbacks::{Emit, callback, envelope},
    error::ApiError,
    store::{Store, new_id, page_of},
};

/// Largest `page_size` of the consent lists.
const MAX_CONSENTS_PAGE_SIZE: usize = 50;

pub(super) fn register_consent(
    ctx: &Ctx<'_>,
    store: &mut Store,
    opt_in: bool,
) -> Result<Outcome, ApiError> {
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

pub(super) fn list_consent_audit_records(
    ctx: &Ctx<'_>,
    store: &mut Store,
) -> Result<Outcome, ApiError> {
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

pub(super) fn list_consent_identities(
    ctx: &Ctx<'_>,
    store: &mut Store,
) -> Result<Outcome, ApiError> {
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
