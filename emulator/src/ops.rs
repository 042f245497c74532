//! The operations of the API and how a request is routed to one.

use std::{fmt, str::FromStr};

use axum::http::Method;

macro_rules! operations {
    ($($variant:ident = $name:literal,)*) => {
        /// An operation of the emulated API, named like the client's method for it, plus the
        /// OAuth2 token endpoint ([`Operation::Token`]).
        ///
        /// Used to count requests ([`Emulator::stats`](crate::Emulator::stats)) and to target
        /// faults ([`Emulator::fail_next`](crate::Emulator::fail_next)).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Operation {
            $(
                #[doc = concat!("`", $name, "`.")]
                $variant,
            )*
        }

        impl Operation {
            /// Every operation, in a stable order.
            pub const ALL: &'static [Operation] = &[$(Operation::$variant,)*];

            /// The name: the client's method (`send_message`), or `token`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Operation::$variant => $name,)*
                }
            }
        }

        impl FromStr for Operation {
            type Err = UnknownOperation;

            /// Parses a name as returned by [`Operation::as_str`].
            fn from_str(name: &str) -> Result<Self, Self::Err> {
                match name {
                    $($name => Ok(Operation::$variant),)*
                    other => Err(UnknownOperation(other.to_owned())),
                }
            }
        }
    };
}

operations! {
    ListApps = "list_apps",
    CreateApp = "create_app",
    GetApp = "get_app",
    UpdateApp = "update_app",
    DeleteApp = "delete_app",
    ListWebhooks = "list_webhooks",
    CreateWebhook = "create_webhook",
    GetWebhook = "get_webhook",
    UpdateWebhook = "update_webhook",
    DeleteWebhook = "delete_webhook",
    ListContacts = "list_contacts",
    CreateContact = "create_contact",
    GetContact = "get_contact",
    UpdateContact = "update_contact",
    DeleteContact = "delete_contact",
    MergeContact = "merge_contact",
    ListConversations = "list_conversations",
    CreateConversation = "create_conversation",
    GetConversation = "get_conversation",
    UpdateConversation = "update_conversation",
    DeleteConversation = "delete_conversation",
    StopActiveConversation = "stop_active_conversation",
    InjectMessage = "inject_message",
    ListMessages = "list_messages",
    SendMessage = "send_message",
    GetMessage = "get_message",
    DeleteMessage = "delete_message",
    SendEvent = "send_event",
    QueryCapability = "query_capability",
    TranscodeMessage = "transcode_message",
    RegisterOptIn = "register_opt_in",
    RegisterOptOut = "register_opt_out",
    ListConsentAuditRecords = "list_consent_audit_records",
    ListConsentIdentities = "list_consent_identities",
    GetChannelProfile = "get_channel_profile",
    ListIdentityConflicts = "list_identity_conflicts",
    InjectEvent = "inject_event",
    ListRecentConversations = "list_recent_conversations",
    ListEvents = "list_events",
    GetEvent = "get_event",
    DeleteEvent = "delete_event",
    UpdateMessageMetadata = "update_message_metadata",
    ListLastMessagesByChannelIdentity = "list_last_messages_by_channel_identity",
    CreateProjectSettings = "create_project_settings",
    GetProjectSettings = "get_project_settings",
    UpdateProjectSettings = "update_project_settings",
    DeleteProjectSettings = "delete_project_settings",
    ListTemplates = "list_templates",
    CreateTemplate = "create_template",
    GetTemplate = "get_template",
    UpdateTemplate = "update_template",
    DeleteTemplate = "delete_template",
    ListTemplateTranslations = "list_template_translations",
    ListTemplatesV1 = "list_templates_v1",
    CreateTemplateV1 = "create_template_v1",
    GetTemplateV1 = "get_template_v1",
    UpdateTemplateV1 = "update_template_v1",
    DeleteTemplateV1 = "delete_template_v1",
    Token = "token",
}

impl Operation {
    /// Position in [`Operation::ALL`], for counters.
    pub(crate) fn index(self) -> usize {
        Operation::ALL
            .iter()
            .position(|op| *op == self)
            .unwrap_or_default()
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not an [`Operation`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOperation(pub String);

impl fmt::Display for UnknownOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown operation {:?}", self.0)
    }
}

impl std::error::Error for UnknownOperation {}

/// Where the OAuth2 token endpoint is served.
pub(crate) const TOKEN_PATH: &str = "/oauth2/token";

/// A request matched to an API operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    pub(crate) op: Operation,
    /// The `{project_id}` of the path (empty for the token endpoint).
    pub(crate) project: String,
    /// The resource id of the path, when it has one.
    pub(crate) id: String,
    /// A second path parameter (`{identity}` or `{list_type}` of the consent lists).
    pub(crate) id2: String,
}

fn decode(segment: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .ok()?
        .into_owned();
    (!decoded.is_empty()).then_some(decoded)
}

/// Matches `method` and the raw (still percent-encoded) `path` to an operation.
pub(crate) fn route(method: &Method, path: &str) -> Option<Route> {
    if path == TOKEN_PATH {
        return (method == Method::POST).then(|| Route {
            op: Operation::Token,
            project: String::new(),
            id: String::new(),
            id2: String::new(),
        });
    }
    let (v2, tail) = match (
        path.strip_prefix("/v1/projects/"),
        path.strip_prefix("/v2/projects/"),
    ) {
        (Some(tail), _) => (false, tail),
        (None, Some(tail)) => (true, tail),
        (None, None) => return None,
    };
    let mut segments: Vec<&str> = tail.split('/').collect();
    if segments.len() < 2 {
        return None;
    }
    let project = decode(segments.remove(0))?;
    // A custom method is written `resource:verb` in the last segment; ids are percent-encoded,
    // so a raw `:` can only be the separator.
    let last = segments.pop()?;
    let (last, verb) = match last.rsplit_once(':') {
        Some((name, verb)) => (name, Some(verb)),
        None => (last, None),
    };
    segments.push(last);
    let m = method.clone();
    use Operation as O;
    if v2 {
        let (op, id) = match (segments.as_slice(), verb) {
            (["templates"], None) if m == Method::GET => (O::ListTemplates, None),
            (["templates"], None) if m == Method::POST => (O::CreateTemplate, None),
            (["templates", id], None) if m == Method::GET => (O::GetTemplate, Some(*id)),
            (["templates", id], None) if m == Method::PUT => (O::UpdateTemplate, Some(*id)),
            (["templates", id], None) if m == Method::DELETE => (O::DeleteTemplate, Some(*id)),
            (["templates", id, "translations"], None) if m == Method::GET => {
                (O::ListTemplateTranslations, Some(*id))
            }
            _ => return None,
        };
        let id = match id {
            Some(raw) => decode(raw)?,
            None => String::new(),
        };
        return Some(Route {
            op,
            project,
            id,
            id2: String::new(),
        });
    }
    let mut id2 = String::new();
    let (op, id) = match (segments.as_slice(), verb) {
        (["apps", id, "consents", "identities", identity], None) if m == Method::GET => {
            id2 = decode(identity)?;
            (O::ListConsentAuditRecords, Some(*id))
        }
        (["apps", id, "consents", list_type], None) if m == Method::GET => {
            id2 = decode(list_type)?;
            (O::ListConsentIdentities, Some(*id))
        }
        (["contacts"], Some("getChannelProfile")) if m == Method::POST => {
            (O::GetChannelProfile, None)
        }
        (["contacts"], Some("identityConflicts")) if m == Method::GET => {
            (O::ListIdentityConflicts, None)
        }
        (["conversations", id], Some("inject-event")) if m == Method::POST => {
            (O::InjectEvent, Some(*id))
        }
        (["conversations"], Some("recent")) if m == Method::GET => {
            (O::ListRecentConversations, None)
        }
        (["events"], None) if m == Method::GET => (O::ListEvents, None),
        (["events", id], None) if m == Method::GET => (O::GetEvent, Some(*id)),
        (["events", id], None) if m == Method::DELETE => (O::DeleteEvent, Some(*id)),
        (["messages", id], None) if m == Method::PATCH => (O::UpdateMessageMetadata, Some(*id)),
        (["messages"], Some("fetch-last-message")) if m == Method::POST => {
            (O::ListLastMessagesByChannelIdentity, None)
        }
        (["settings"], None) if m == Method::POST => (O::CreateProjectSettings, None),
        (["settings"], None) if m == Method::GET => (O::GetProjectSettings, None),
        (["settings"], None) if m == Method::PATCH => (O::UpdateProjectSettings, None),
        (["settings"], None) if m == Method::DELETE => (O::DeleteProjectSettings, None),
        (["templates"], None) if m == Method::GET => (O::ListTemplatesV1, None),
        (["templates"], None) if m == Method::POST => (O::CreateTemplateV1, None),
        (["templates", id], None) if m == Method::GET => (O::GetTemplateV1, Some(*id)),
        (["templates", id], None) if m == Method::PATCH => (O::UpdateTemplateV1, Some(*id)),
        (["templates", id], None) if m == Method::DELETE => (O::DeleteTemplateV1, Some(*id)),
        (["apps"], None) if m == Method::GET => (O::ListApps, None),
        (["apps"], None) if m == Method::POST => (O::CreateApp, None),
        (["apps", id], None) if m == Method::GET => (O::GetApp, Some(*id)),
        (["apps", id], None) if m == Method::PATCH => (O::UpdateApp, Some(*id)),
        (["apps", id], None) if m == Method::DELETE => (O::DeleteApp, Some(*id)),
        (["apps", id, "webhooks"], None) if m == Method::GET => (O::ListWebhooks, Some(*id)),
        (["capability"], Some("query")) if m == Method::POST => (O::QueryCapability, None),
        (["contacts"], None) if m == Method::GET => (O::ListContacts, None),
        (["contacts"], None) if m == Method::POST => (O::CreateContact, None),
        (["contacts", id], None) if m == Method::GET => (O::GetContact, Some(*id)),
        (["contacts", id], None) if m == Method::PATCH => (O::UpdateContact, Some(*id)),
        (["contacts", id], None) if m == Method::DELETE => (O::DeleteContact, Some(*id)),
        (["contacts", id], Some("merge")) if m == Method::POST => (O::MergeContact, Some(*id)),
        (["conversations"], None) if m == Method::GET => (O::ListConversations, None),
        (["conversations"], None) if m == Method::POST => (O::CreateConversation, None),
        (["conversations", id], None) if m == Method::GET => (O::GetConversation, Some(*id)),
        (["conversations", id], None) if m == Method::PATCH => (O::UpdateConversation, Some(*id)),
        (["conversations", id], None) if m == Method::DELETE => (O::DeleteConversation, Some(*id)),
        (["conversations", id], Some("stop")) if m == Method::POST => {
            (O::StopActiveConversation, Some(*id))
        }
        (["conversations", id], Some("inject-message")) if m == Method::POST => {
            (O::InjectMessage, Some(*id))
        }
        (["events"], Some("send")) if m == Method::POST => (O::SendEvent, None),
        (["messages"], None) if m == Method::GET => (O::ListMessages, None),
        (["messages"], Some("send")) if m == Method::POST => (O::SendMessage, None),
        (["messages"], Some("transcode")) if m == Method::POST => (O::TranscodeMessage, None),
        (["messages", id], None) if m == Method::GET => (O::GetMessage, Some(*id)),
        (["messages", id], None) if m == Method::DELETE => (O::DeleteMessage, Some(*id)),
        (["optins"], Some("register")) if m == Method::POST => (O::RegisterOptIn, None),
        (["optouts"], Some("register")) if m == Method::POST => (O::RegisterOptOut, None),
        (["webhooks"], None) if m == Method::POST => (O::CreateWebhook, None),
        (["webhooks", id], None) if m == Method::GET => (O::GetWebhook, Some(*id)),
        (["webhooks", id], None) if m == Method::PATCH => (O::UpdateWebhook, Some(*id)),
        (["webhooks", id], None) if m == Method::DELETE => (O::DeleteWebhook, Some(*id)),
        _ => return None,
    };
    let id = match id {
        Some(raw) => decode(raw)?,
        None => String::new(),
    };
    Some(Route {
        op,
        project,
        id,
        id2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(method: Method, path: &str) -> Option<(Operation, String, String)> {
        route(&method, path).map(|r| (r.op, r.project, r.id))
    }

    #[test]
    fn names_round_trip() {
        assert_eq!(Operation::ALL.len(), 59);
        for op in Operation::ALL {
            assert_eq!(op.as_str().parse::<Operation>(), Ok(*op));
            assert_eq!(Operation::ALL[op.index()], *op);
        }
        assert!("nope".parse::<Operation>().is_err());
    }

    #[test]
    fn custom_methods_and_encoded_ids() {
        assert_eq!(
            r(Method::POST, "/v1/projects/p/contacts/a%3Ab:merge"),
            Some((Operation::MergeContact, "p".into(), "a:b".into()))
        );
        assert_eq!(
            r(
                Method::POST,
                "/v1/projects/p/conversations/c1:inject-message"
            ),
            Some((Operation::InjectMessage, "p".into(), "c1".into()))
        );
        assert_eq!(
            r(Method::POST, "/v1/projects/p/messages:send").map(|x| x.0),
            Some(Operation::SendMessage)
        );
        assert_eq!(
            r(Method::GET, "/v1/projects/p/apps/a1/webhooks").map(|x| x.0),
            Some(Operation::ListWebhooks)
        );
        assert_eq!(r(Method::PUT, "/v1/projects/p/apps/a1"), None);
        assert_eq!(r(Method::GET, "/v1/projects/p/apps/"), None);
        assert_eq!(r(Method::GET, "/v1/projects//apps"), None);
        assert_eq!(r(Method::POST, "/v1/projects/p/messages:explode"), None);
        assert_eq!(r(Method::GET, "/v1/projects/p/contacts/%FF"), None);
        assert_eq!(r(Method::GET, "/v2/projects/p/apps"), None);
        // Templates v1 (under /v1) update with PATCH and have no translations route; v2 (under
        // /v2) update with PUT.
        assert_eq!(
            r(Method::GET, "/v1/projects/p/templates/t").map(|x| x.0),
            Some(Operation::GetTemplateV1)
        );
        assert_eq!(r(Method::PUT, "/v1/projects/p/templates/t"), None);
        assert_eq!(r(Method::PATCH, "/v2/projects/p/templates/t"), None);
        assert_eq!(
            r(Method::GET, "/v1/projects/p/templates/t/translations"),
            None
        );
        let consent = route(
            &Method::GET,
            "/v1/projects/p/apps/a/consents/identities/%2B46",
        )
        .unwrap();
        assert_eq!((consent.id.as_str(), consent.id2.as_str()), ("a", "+46"));
    }

    #[test]
    fn every_operation_has_a_route() {
        let cases = [
            (Method::GET, "/v1/projects/p/apps"),
            (Method::POST, "/v1/projects/p/apps"),
            (Method::GET, "/v1/projects/p/apps/x"),
            (Method::PATCH, "/v1/projects/p/apps/x"),
            (Method::DELETE, "/v1/projects/p/apps/x"),
            (Method::GET, "/v1/projects/p/apps/x/webhooks"),
            (Method::POST, "/v1/projects/p/webhooks"),
            (Method::GET, "/v1/projects/p/webhooks/x"),
            (Method::PATCH, "/v1/projects/p/webhooks/x"),
            (Method::DELETE, "/v1/projects/p/webhooks/x"),
            (Method::GET, "/v1/projects/p/contacts"),
            (Method::POST, "/v1/projects/p/contacts"),
            (Method::GET, "/v1/projects/p/contacts/x"),
            (Method::PATCH, "/v1/projects/p/contacts/x"),
            (Method::DELETE, "/v1/projects/p/contacts/x"),
            (Method::POST, "/v1/projects/p/contacts/x:merge"),
            (Method::GET, "/v1/projects/p/conversations"),
            (Method::POST, "/v1/projects/p/conversations"),
            (Method::GET, "/v1/projects/p/conversations/x"),
            (Method::PATCH, "/v1/projects/p/conversations/x"),
            (Method::DELETE, "/v1/projects/p/conversations/x"),
            (Method::POST, "/v1/projects/p/conversations/x:stop"),
            (
                Method::POST,
                "/v1/projects/p/conversations/x:inject-message",
            ),
            (Method::GET, "/v1/projects/p/messages"),
            (Method::POST, "/v1/projects/p/messages:send"),
            (Method::GET, "/v1/projects/p/messages/x"),
            (Method::DELETE, "/v1/projects/p/messages/x"),
            (Method::POST, "/v1/projects/p/events:send"),
            (Method::POST, "/v1/projects/p/capability:query"),
            (Method::POST, "/v1/projects/p/messages:transcode"),
            (Method::POST, "/v1/projects/p/optins:register"),
            (Method::POST, "/v1/projects/p/optouts:register"),
            (
                Method::GET,
                "/v1/projects/p/apps/a/consents/identities/%2B46",
            ),
            (Method::GET, "/v1/projects/p/apps/a/consents/OPT_OUT_ALL"),
            (Method::POST, "/v1/projects/p/contacts:getChannelProfile"),
            (Method::GET, "/v1/projects/p/contacts:identityConflicts"),
            (Method::POST, "/v1/projects/p/conversations/x:inject-event"),
            (Method::GET, "/v1/projects/p/conversations:recent"),
            (Method::GET, "/v1/projects/p/events"),
            (Method::GET, "/v1/projects/p/events/x"),
            (Method::DELETE, "/v1/projects/p/events/x"),
            (Method::PATCH, "/v1/projects/p/messages/x"),
            (Method::POST, "/v1/projects/p/messages:fetch-last-message"),
            (Method::POST, "/v1/projects/p/settings"),
            (Method::GET, "/v1/projects/p/settings"),
            (Method::PATCH, "/v1/projects/p/settings"),
            (Method::DELETE, "/v1/projects/p/settings"),
            (Method::GET, "/v2/projects/p/templates"),
            (Method::POST, "/v2/projects/p/templates"),
            (Method::GET, "/v2/projects/p/templates/t"),
            (Method::PUT, "/v2/projects/p/templates/t"),
            (Method::DELETE, "/v2/projects/p/templates/t"),
            (Method::GET, "/v2/projects/p/templates/t/translations"),
            (Method::GET, "/v1/projects/p/templates"),
            (Method::POST, "/v1/projects/p/templates"),
            (Method::GET, "/v1/projects/p/templates/t"),
            (Method::PATCH, "/v1/projects/p/templates/t"),
            (Method::DELETE, "/v1/projects/p/templates/t"),
            (Method::POST, "/oauth2/token"),
        ];
        let mut seen: Vec<Operation> = cases
            .iter()
            .map(|(m, p)| route(m, p).unwrap_or_else(|| panic!("{m} {p}")).op)
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), Operation::ALL.len());
    }
}
