//! The typed callback events: one variant per trigger, each pairing the common envelope with
//! the trigger's payload.
//!
//! A callback body is a JSON object with the common [`Envelope`] fields and exactly one payload
//! field whose name tells the trigger (`message`, `message_delivery_report`,
//! `contact_create_notification`, ...). The envelope and every payload are the official
//! document's own callback schemas, generated into [`crate::types`]; the aliases below give the
//! payloads short names. What stays hand-written is the trigger table and the glue.

use serde::{Deserialize, Serialize};

use crate::types::{self, WebhookTrigger};

/// The fields every callback carries, whatever its trigger (`CallbackEventCommon`).
///
/// ```
/// use sinch_conversation::webhooks::parse;
///
/// let event = parse(br#"{"app_id":"APP","project_id":"PROJ",
///     "accepted_time":"2024-05-01T10:00:00.5Z","correlation_id":"c-1",
///     "opt_in_notification":{"status":"OPT_IN_SUCCEEDED"}}"#).unwrap();
/// let envelope = event.envelope();
/// assert_eq!(envelope.app_id.as_deref(), Some("APP"));
/// assert_eq!(envelope.correlation_id.as_deref(), Some("c-1"));
/// assert_eq!(envelope.accepted_time.unwrap().timestamp(), 1_714_557_600);
/// ```
pub type Envelope = types::CallbackEventCommon;

/// A message from a contact (`message` and `message_redaction`).
pub type InboundMessage = types::MessageInboundEventItem;
/// An app message was submitted to a channel (`message_submit_notification`).
pub type MessageSubmitNotification = types::MessageSubmitEventMessageSubmitNotification;
/// The delivery status of an app message changed (`message_delivery_report`).
pub type MessageDeliveryReport = types::MessageDeliveryReceiptEventMessageDeliveryReport;
/// An event from a contact (`event`).
pub type InboundEvent = types::EventInboundEvent;
/// The delivery status of an app event changed (`event_delivery_report`).
pub type EventDeliveryReport = types::EventDeliveryEventDeliveryReport;
/// A conversation started, stopped or was deleted.
pub type ConversationNotification = types::ConversationNotification;
/// A contact was created, updated or deleted.
pub type ContactNotification = types::ContactNotification;
/// Two contacts were merged (`contact_merge_notification`).
pub type ContactMergeNotification = types::ContactMergeEventContactMergeNotification;
/// Channel identities were found on several contacts
/// (`duplicated_contact_identities_notification`).
pub type DuplicatedIdentitiesNotification =
    types::ContactIdentitiesDuplicationEventDuplicatedContactIdentitiesNotification;
/// The result of an asynchronous capability check (`capability_notification`).
pub type CapabilityNotification = types::CapabilityEventCapabilityNotification;
/// The result of an opt-in registration (`opt_in_notification`).
pub type OptInNotification = types::OptInEventOptInNotification;
/// The result of an opt-out registration (`opt_out_notification`).
pub type OptOutNotification = types::OptOutEventOptOutNotification;
/// Channel-specific information (`channel_event_notification`).
pub type ChannelEventNotification = types::ChannelEventChannelEventNotification;
/// A channel callback the Conversation API has no mapping for (`unsupported_callback`).
pub type UnsupportedCallback = types::UnsupportedCallbackEventUnsupportedCallback;
/// Smart Conversations analyses of a message (`smart_conversation_notification`).
pub type SmartConversationNotification =
    types::SmartConversationsEventSmartConversationNotification;
/// A record was stored (`record_notification`).
pub type RecordNotification = types::RecordNotificationEventRecordNotification;

/// A callback of one known trigger: the common envelope and the typed payload.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Callback<T> {
    /// The fields common to every callback.
    pub envelope: Envelope,
    /// The trigger-specific payload.
    pub payload: T,
}

/// A callback whose trigger this version of the crate does not know.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnknownEvent {
    /// The fields common to every callback, as far as they could be read.
    pub envelope: Envelope,
    /// The whole callback body, untouched.
    pub raw: serde_json::Value,
}

/// Declares the [`Event`] enum and its trigger table from one list.
macro_rules! events {
    ($(
        $(#[$doc:meta])*
        $variant:ident($payload:ty) = $key:literal, $trigger:literal;
    )*) => {
        /// A parsed callback: one variant per trigger, plus [`Event::Unknown`].
        ///
        /// Obtain one with [`parse`](super::parse); match on the variant for the payload, or use
        /// [`Event::envelope`] and [`Event::trigger`] for what every callback has.
        ///
        /// ```
        /// use sinch_conversation::webhooks::{Event, parse};
        ///
        /// let body = br#"{"app_id":"APP","project_id":"PROJ","message_delivery_report":
        ///     {"message_id":"M1","status":"DELIVERED","processing_mode":"CONVERSATION"}}"#;
        /// match parse(body).unwrap() {
        ///     Event::MessageDelivery(cb) => {
        ///         assert_eq!(cb.payload.message_id.as_deref(), Some("M1"));
        ///     }
        ///     other => panic!("unexpected {other:?}"),
        /// }
        /// ```
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        // An event is parsed once per callback and rarely moved; boxing each payload would
        // only make matching on it clumsier.
        #[allow(clippy::large_enum_variant)]
        pub enum Event {
            $(
                $(#[$doc])*
                #[doc = ""]
                #[doc = concat!("Trigger `", $trigger, "`, payload field `", $key, "`.")]
                $variant(Callback<$payload>),
            )*
            /// A callback with a payload field this version does not know; the raw JSON is kept.
            Unknown(UnknownEvent),
        }

        impl Event {
            /// The envelope fields common to every callback.
            pub fn envelope(&self) -> &Envelope {
                match self {
                    $(Self::$variant(cb) => &cb.envelope,)*
                    Self::Unknown(unknown) => &unknown.envelope,
                }
            }

            /// The name of the trigger, such as `"MESSAGE_INBOUND"`; `None` for
            /// [`Event::Unknown`] unless its body names a `trigger`.
            pub fn trigger_name(&self) -> Option<&str> {
                match self {
                    $(Self::$variant(_) => Some($trigger),)*
                    Self::Unknown(unknown) => unknown.raw.get("trigger").and_then(|t| t.as_str()),
                }
            }

            /// The trigger as the API's [`WebhookTrigger`] enum.
            pub fn trigger(&self) -> Option<WebhookTrigger> {
                self.trigger_name().map(WebhookTrigger::from)
            }

            /// The name of the payload field, such as `"message"`; `None` for [`Event::Unknown`].
            pub fn payload_field(&self) -> Option<&'static str> {
                match self {
                    $(Self::$variant(_) => Some($key),)*
                    Self::Unknown(_) => None,
                }
            }

            /// The callback as the JSON object the API sends.
            pub fn to_value(&self) -> Result<serde_json::Value, serde_json::Error> {
                let (envelope, key, payload) = match self {
                    $(Self::$variant(cb) => (&cb.envelope, $key, serde_json::to_value(&cb.payload)?),)*
                    Self::Unknown(unknown) => return Ok(unknown.raw.clone()),
                };
                let mut value = serde_json::to_value(envelope)?;
                if let serde_json::Value::Object(map) = &mut value {
                    map.insert(key.to_owned(), payload);
                }
                Ok(value)
            }
        }

        /// Payload fields in the order they are looked for.
        pub(super) const PAYLOAD_FIELDS: &[&str] = &[$($key,)*];

        /// Builds the event for payload field `key` (one of [`PAYLOAD_FIELDS`]).
        pub(super) fn from_parts(
            key: &str,
            envelope: Envelope,
            payload: &serde_json::Value,
        ) -> Option<Result<Event, serde_json::Error>> {
            match key {
                $($key => Some(
                    <$payload>::deserialize(payload)
                        .map(|payload| Event::$variant(Callback { envelope, payload })),
                ),)*
                _ => None,
            }
        }
    };
}

events! {
    /// A message from a contact.
    MessageInbound(InboundMessage) = "message", "MESSAGE_INBOUND";
    /// A message from a contact, redacted by Smart Conversations if needed.
    MessageInboundSmartConversationRedaction(InboundMessage) =
        "message_redaction", "MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION";
    /// An app message was submitted to a channel (before any delivery receipt).
    MessageSubmit(MessageSubmitNotification) = "message_submit_notification", "MESSAGE_SUBMIT";
    /// The delivery status of an app message changed.
    MessageDelivery(MessageDeliveryReport) = "message_delivery_report", "MESSAGE_DELIVERY";
    /// An event from a contact (composing, comment, reaction, ...).
    EventInbound(InboundEvent) = "event", "EVENT_INBOUND";
    /// The delivery status of an app event changed.
    EventDelivery(EventDeliveryReport) = "event_delivery_report", "EVENT_DELIVERY";
    /// A conversation started.
    ConversationStart(ConversationNotification) =
        "conversation_start_notification", "CONVERSATION_START";
    /// A conversation stopped.
    ConversationStop(ConversationNotification) =
        "conversation_stop_notification", "CONVERSATION_STOP";
    /// A conversation was deleted.
    ConversationDelete(ConversationNotification) =
        "conversation_delete_notification", "CONVERSATION_DELETE";
    /// A contact was created.
    ContactCreate(ContactNotification) = "contact_create_notification", "CONTACT_CREATE";
    /// A contact was deleted.
    ContactDelete(ContactNotification) = "contact_delete_notification", "CONTACT_DELETE";
    /// Two contacts were merged.
    ContactMerge(ContactMergeNotification) = "contact_merge_notification", "CONTACT_MERGE";
    /// A contact was updated.
    ContactUpdate(ContactNotification) = "contact_update_notification", "CONTACT_UPDATE";
    /// Channel identities were found on several contacts.
    ContactIdentitiesDuplication(DuplicatedIdentitiesNotification) =
        "duplicated_contact_identities_notification", "CONTACT_IDENTITIES_DUPLICATION";
    /// The result of an asynchronous capability check.
    Capability(CapabilityNotification) = "capability_notification", "CAPABILITY";
    /// The result of an opt-in registration.
    OptIn(OptInNotification) = "opt_in_notification", "OPT_IN";
    /// The result of an opt-out registration.
    OptOut(OptOutNotification) = "opt_out_notification", "OPT_OUT";
    /// Channel-specific information, such as a WhatsApp quality rating change.
    ChannelEvent(ChannelEventNotification) = "channel_event_notification", "CHANNEL_EVENT";
    /// A channel callback the Conversation API has no mapping for.
    Unsupported(UnsupportedCallback) = "unsupported_callback", "UNSUPPORTED";
    /// Smart Conversations analyses of a message.
    SmartConversations(SmartConversationNotification) =
        "smart_conversation_notification", "SMART_CONVERSATION";
    /// A record was stored.
    RecordNotification(RecordNotification) = "record_notification", "RECORD_NOTIFICATION";
}

impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value()
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}
