//! The emulated API: [`dispatch`] maps each routed operation to its handler, in the module of
//! its area (the spec's tags), run on the in-memory [`Store`].
//!
//! The modules import one way only, lowest first: [`ctx`] (request context, answers); `apps`;
//! `webhooks`, `contacts` and `message_rules`; `conversations`; `recipients`; then the areas
//! nothing imports (`messages`, `events`, `capability`, `consents`, `transcoding`, `settings`,
//! `templates`). None of them uses an item of this file.

mod apps;
mod capability;
mod consents;
mod contacts;
mod conversations;
mod ctx;
mod events;
mod message_rules;
mod messages;
mod recipients;
mod settings;
mod templates;
mod transcoding;
mod webhooks;

use axum::http::StatusCode;

pub(crate) use ctx::{Ctx, Query};
pub(crate) use messages::contact_reply;

use crate::{error::ApiError, ops::Operation, store::Store};
use ctx::{Outcome, ok};

/// Runs the operation of `ctx.route` on `store`.
pub(crate) fn dispatch(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    use Operation as O;
    match ctx.route.op {
        O::ListApps => apps::list_apps(store),
        O::CreateApp => apps::create_app(ctx, store),
        O::GetApp => ok(apps::get_app(store, ctx.id())?),
        O::UpdateApp => apps::update_app(ctx, store),
        O::DeleteApp => apps::delete_app(ctx, store),
        O::ListWebhooks => webhooks::list_webhooks(ctx, store),
        O::CreateWebhook => webhooks::create_webhook(ctx, store),
        O::GetWebhook => ok(webhooks::get_webhook(store, ctx.id())?),
        O::UpdateWebhook => webhooks::update_webhook(ctx, store),
        O::DeleteWebhook => webhooks::delete_webhook(ctx, store),
        O::ListContacts => contacts::list_contacts(ctx, store),
        O::CreateContact => contacts::create_contact(ctx, store),
        O::GetContact => ok(contacts::get_contact(store, ctx.id())?),
        O::UpdateContact => contacts::update_contact(ctx, store),
        O::DeleteContact => contacts::delete_contact(ctx, store),
        O::MergeContact => contacts::merge_contact(ctx, store),
        O::GetChannelProfile => contacts::get_channel_profile(ctx, store),
        O::ListIdentityConflicts => contacts::list_identity_conflicts(ctx, store),
        O::ListConversations => conversations::list_conversations(ctx, store),
        O::CreateConversation => conversations::create_conversation(ctx, store),
        O::GetConversation => ok(conversations::get_conversation(store, ctx.id())?),
        O::UpdateConversation => conversations::update_conversation(ctx, store),
        O::DeleteConversation => conversations::delete_conversation(ctx, store),
        O::StopActiveConversation => conversations::stop_conversation(ctx, store),
        O::InjectMessage => conversations::inject_message(ctx, store),
        O::InjectEvent => conversations::inject_event(ctx, store),
        O::ListRecentConversations => conversations::list_recent_conversations(ctx, store),
        O::ListMessages => messages::list_messages(ctx, store),
        O::SendMessage => messages::send_message(ctx, store),
        O::GetMessage => ok(&messages::message_in_source(ctx, store)?.message),
        O::DeleteMessage => messages::delete_message(ctx, store),
        O::UpdateMessageMetadata => messages::update_message_metadata(ctx, store),
        O::ListMessagesByChannelIdentity => messages::list_last_messages(ctx, store),
        O::SendEvent => events::send_event(ctx, store),
        O::ListEvents => events::list_events(ctx, store),
        O::GetEvent => events::get_event(ctx, store),
        O::DeleteEvents => events::delete_events(ctx, store),
        O::QueryCapability => capability::query_capability(ctx, store),
        O::TranscodeMessage => transcoding::transcode_message(ctx, store),
        O::RegisterOptIn => consents::register_consent(ctx, store, true),
        O::RegisterOptOut => consents::register_consent(ctx, store, false),
        O::GetConsentsAuditRecords => consents::list_consent_audit_records(ctx, store),
        O::GetConsents => consents::list_consent_identities(ctx, store),
        O::CreateSettings | O::GetSettings | O::UpdateSettings | O::DeleteSettings => {
            settings::settings(ctx, store)
        }
        O::ListTemplates
        | O::CreateTemplate
        | O::GetTemplate
        | O::UpdateTemplate
        | O::DeleteTemplate
        | O::ListTranslations => templates::templates(ctx, store),
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
