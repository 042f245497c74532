//! The typed callback events and the payloads they carry.
//!
//! A callback body is a JSON object with the common [`Envelope`] fields and exactly one payload
//! field whose name tells the trigger (`message`, `message_delivery_report`,
//! `contact_create_notification`, ...). [`Event`] has one variant per trigger, each a
//! [`Callback`] pairing the envelope with the typed payload; embedded API models (messages,
//! contacts, conversations, channel identities, reasons) are the generated [`crate::types`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::types::{
    AppMessage, ChannelIdentity, Contact, ContactMessage, Conversation, ConversationChannel,
    ConversationDirection, ConversationMessage, Reason, WebhookTrigger,
};

/// Defines an open string enum: known values as variants, anything else kept in `Other`.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $($variant:ident = $wire:literal,)* }
    ) => {
        $(#[$meta])*
        ///
        /// Open enum: a value this version does not know is kept in [`Self::Other`].
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $(
                #[doc = concat!("`", $wire, "`")]
                $variant,
            )*
            /// A value this version of the crate does not know.
            Other(String),
        }

        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Other(value) => value,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Ok(match Self::from(value.as_str()) {
                    Self::Other(_) => Self::Other(value),
                    known => known,
                })
            }
        }
    };
}

open_enum! {
    /// Whether the Conversation API stores contacts and conversations for the app.
    pub enum ProcessingMode {
        Conversation = "CONVERSATION",
        Dispatch = "DISPATCH",
    }
}

open_enum! {
    /// The delivery status of a message or event.
    pub enum DeliveryStatus {
        QueuedOnChannel = "QUEUED_ON_CHANNEL",
        Delivered = "DELIVERED",
        Read = "READ",
        Failed = "FAILED",
        SwitchingChannel = "SWITCHING_CHANNEL",
    }
}

open_enum! {
    /// The recipient's capability on a channel.
    pub enum CapabilityStatus {
        Unknown = "CAPABILITY_UNKNOWN",
        Full = "CAPABILITY_FULL",
        Partial = "CAPABILITY_PARTIAL",
        None = "NO_CAPABILITY",
    }
}

open_enum! {
    /// The outcome of an opt-in registration.
    pub enum OptInStatus {
        Succeeded = "OPT_IN_SUCCEEDED",
        Failed = "OPT_IN_FAILED",
        Unspecified = "OPT_IN_STATUS_UNSPECIFIED",
    }
}

open_enum! {
    /// The outcome of an opt-out registration.
    pub enum OptOutStatus {
        Succeeded = "OPT_OUT_SUCCEEDED",
        Failed = "OPT_OUT_FAILED",
        Unspecified = "OPT_OUT_STATUS_UNSPECIFIED",
    }
}

open_enum! {
    /// The stored status of a record.
    pub enum RecordStatus {
        Unspecified = "RECORD_STATUS_UNSPECIFIED",
        EventRecordStored = "EVENT_RECORD_STORED",
        Unrecognized = "UNRECOGNIZED",
    }
}

open_enum! {
    /// The type of media an Instagram comment was made on.
    pub enum CommentType {
        Feed = "FEED",
        Live = "LIVE",
    }
}

open_enum! {
    /// The stage a payment has reached.
    pub enum PaymentStatus {
        Unknown = "PAYMENT_STATUS_UNKNOWN",
        New = "PAYMENT_STATUS_NEW",
        Pending = "PAYMENT_STATUS_PENDING",
        Captured = "PAYMENT_STATUS_CAPTURED",
        Canceled = "PAYMENT_STATUS_CANCELED",
        Failed = "PAYMENT_STATUS_FAILED",
    }
}

open_enum! {
    /// The status of the stage a payment has reached.
    pub enum PaymentTransactionStatus {
        Unknown = "PAYMENT_STATUS_TRANSACTION_UNKNOWN",
        Pending = "PAYMENT_STATUS_TRANSACTION_PENDING",
        Failed = "PAYMENT_STATUS_TRANSACTION_FAILED",
        Success = "PAYMENT_STATUS_TRANSACTION_SUCCESS",
        Canceled = "PAYMENT_STATUS_TRANSACTION_CANCELED",
    }
}

open_enum! {
    /// Whether a contact placed or removed an emoji reaction.
    pub enum ReactionAction {
        Unknown = "REACTION_ACTION_UNKNOWN",
        React = "REACTION_ACTION_REACT",
        Unreact = "REACTION_ACTION_UNREACT",
    }
}

open_enum! {
    /// The sentiment Smart Conversations found in a text.
    pub enum Sentiment {
        Positive = "positive",
        Negative = "negative",
        Neutral = "neutral",
    }
}

open_enum! {
    /// Whether Smart Conversations found content offensive.
    pub enum Evaluation {
        Safe = "SAFE",
        Unsafe = "UNSAFE",
    }
}

/// The fields every callback carries, whatever its trigger.
///
/// ```
/// use sinch_conversation::webhooks::parse;
///
/// let event = parse(br#"{"app_id":"APP","project_id":"PROJ",
///     "accepted_time":"2024-05-01T10:00:00.5Z","correlation_id":"c-1",
///     "opt_in_notification":{"status":"OPT_IN_SUCCEEDED"}}"#).unwrap();
/// let envelope = event.envelope();
/// assert_eq!(envelope.app_id, "APP");
/// assert_eq!(envelope.correlation_id.as_deref(), Some("c-1"));
/// assert_eq!(envelope.accepted_time.unwrap().timestamp(), 1_714_557_600);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Envelope {
    /// ID of the subscribed app (may be empty for project-level events such as contact changes).
    pub app_id: String,
    /// ID of the project of the app that subscribed to the callback.
    pub project_id: String,
    /// When the Conversation API accepted or received the callback from the channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_time: Option<DateTime<Utc>>,
    /// The time of the event as provided by the underlying channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_time: Option<DateTime<Utc>>,
    /// Context-dependent metadata: for messages, the `message_metadata` of the send request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_metadata: Option<String>,
    /// The `correlation_id` of the send message request this callback relates to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
}

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
        "smart_conversation_notification", "SMART_CONVERSATIONS";
    /// A record was stored.
    RecordNotification(RecordNotification) = "record_notification", "RECORD_NOTIFICATION";
}

/// A message from a contact (`message` and `message_redaction` payloads).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InboundMessage {
    /// The message ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The direction of the message: always `TO_APP` for contact messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<ConversationDirection>,
    /// The content of the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_message: Option<ContactMessage>,
    /// The channel and the contact's identity on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_identity: Option<ChannelIdentity>,
    /// The conversation the message is part of (empty in `DISPATCH` mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// The contact (empty in `DISPATCH` mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Channel-specific metadata; for choice responses, the `message_metadata` of the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<String>,
    /// When the Conversation API received the channel callback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accept_time: Option<DateTime<Utc>>,
    /// The sender ID the contact wrote to (for SMS and MMS, the originator number or short code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    /// Whether contacts and conversations are stored for the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_mode: Option<ProcessingMode>,
    /// Whether the message was injected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub injected: Option<bool>,
}

impl From<InboundMessage> for ConversationMessage {
    /// The message as the API's generic [`ConversationMessage`] model (the callback-only fields
    /// `sender_id`, `processing_mode` and `injected` are dropped).
    fn from(message: InboundMessage) -> Self {
        ConversationMessage {
            accept_time: message.accept_time,
            channel_identity: message.channel_identity,
            contact_id: message.contact_id,
            contact_message: message.contact_message,
            conversation_id: message.conversation_id,
            direction: message.direction,
            id: message.id,
            metadata: message.metadata,
            ..ConversationMessage::default()
        }
    }
}

/// An app message was submitted to a channel (`message_submit_notification`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MessageSubmitNotification {
    /// The ID of the app message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The conversation the message is part of (empty in `DISPATCH` mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// The channel and the contact's identity on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_identity: Option<ChannelIdentity>,
    /// The contact (empty in `DISPATCH` mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// The message as submitted to the channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_message: Option<AppMessage>,
    /// The `message_metadata` of the send message request, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<String>,
    /// Whether contacts and conversations are stored for the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_mode: Option<ProcessingMode>,
}

/// The delivery status of an app message changed (`message_delivery_report`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MessageDeliveryReport {
    /// The ID of the app message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The conversation the message is part of (empty in `DISPATCH` mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// The delivery status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<DeliveryStatus>,
    /// The channel and the contact's identity on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_identity: Option<ChannelIdentity>,
    /// The contact (empty in `DISPATCH` mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Why the delivery failed, for `FAILED` and `SWITCHING_CHANNEL`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// The `message_metadata` of the send message request, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<String>,
    /// Whether contacts and conversations are stored for the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_mode: Option<ProcessingMode>,
}

/// An event from a contact (`event`): exactly one of `contact_event` and
/// `contact_message_event` is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InboundEvent {
    /// The event ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The direction of the event: always `TO_APP` for contact events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<ConversationDirection>,
    /// The channel and the contact's identity on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_identity: Option<ChannelIdentity>,
    /// The contact (empty in `DISPATCH` mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// The conversation the event is part of (empty in `DISPATCH` mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// When the Conversation API received the channel callback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accept_time: Option<DateTime<Utc>>,
    /// Whether contacts and conversations are stored for the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_mode: Option<ProcessingMode>,
    /// A conversation event: composing, composing end, comment, deletion, generic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_event: Option<ContactEvent>,
    /// A message-related event: payment status, shortlink visit, reaction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_message_event: Option<ContactMessageEvent>,
}

/// An event from a contact about the conversation; one field is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactEvent {
    /// The contact is typing (an empty object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub composing_event: Option<serde_json::Map<String, serde_json::Value>>,
    /// The contact stopped typing (an empty object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub composing_end_event: Option<serde_json::Map<String, serde_json::Value>>,
    /// The contact deleted the conversation (an empty object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_deleted_event: Option<serde_json::Map<String, serde_json::Value>>,
    /// A comment outside the conversation (Instagram).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment_event: Option<CommentEvent>,
    /// An event with a free-form payload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generic_event: Option<GenericEvent>,
}

/// A comment a contact made outside the main conversation (Instagram).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommentEvent {
    /// The event ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The text of the comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The type of media commented on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment_type: Option<CommentType>,
    /// The URL of the live broadcast or post commented on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commented_on: Option<String>,
    /// The username of the commenter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// An event with a free-form payload.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GenericEvent {
    /// Arbitrary JSON set on the event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<serde_json::Value>,
}

/// An event from a contact about a message; one field is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactMessageEvent {
    /// The state of a payment flow changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_status_update_event: Option<PaymentStatusUpdateEvent>,
    /// The contact visited a shortlink (Messenger, Instagram).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shortlink_activated_event: Option<ShortLinkActivatedEvent>,
    /// The contact reacted to a message with an emoji (Messenger, Instagram).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reaction_event: Option<ReactionEvent>,
}

/// The state of a payment flow changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PaymentStatusUpdateEvent {
    /// The payment of the order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_id: Option<String>,
    /// The stage the payment reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_status: Option<PaymentStatus>,
    /// The status of that stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_transaction_status: Option<PaymentTransactionStatus>,
    /// The ID of the transaction status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_transaction_id: Option<String>,
}

/// A contact visited a shortlink.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShortLinkActivatedEvent {
    /// The payload configured for the postback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// The title (Instagram only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The `ref` parameter of the shortlink.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The source, `SHORTLINK` by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The type of referral (`OPEN_THREAD` for Instagram and Messenger).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether the conversation thread already existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_thread: Option<bool>,
}

/// A contact placed or removed an emoji reaction on a message.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReactionEvent {
    /// The emoji.
    pub emoji: String,
    /// Whether the reaction was placed or removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<ReactionAction>,
    /// The app message reacted to.
    pub message_id: String,
    /// The group of the emoji, such as `smile` or `love`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reaction_category: Option<String>,
}

/// The delivery status of an app event changed (`event_delivery_report`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventDeliveryReport {
    /// The ID of the app event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// The delivery status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<DeliveryStatus>,
    /// The channel and the contact's identity on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_identity: Option<ChannelIdentity>,
    /// The contact (empty in `DISPATCH` mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Why the delivery failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// The metadata of the send event request, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<String>,
    /// Whether contacts and conversations are stored for the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_mode: Option<ProcessingMode>,
}

/// A conversation started, stopped or was deleted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConversationNotification {
    /// The conversation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation: Option<Conversation>,
}

/// A contact was created, deleted or updated.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactNotification {
    /// The contact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
}

/// Two contacts were merged (`contact_merge_notification`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactMergeNotification {
    /// The contact that remains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preserved_contact: Option<Contact>,
    /// The contact merged into it and deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_contact: Option<Contact>,
}

/// Channel identities found on several contacts
/// (`duplicated_contact_identities_notification`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DuplicatedIdentitiesNotification {
    /// The duplicates, per channel.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub duplicated_identities: Vec<DuplicatedIdentities>,
}

/// Contacts sharing an identity on one channel.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DuplicatedIdentities {
    /// The channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<ConversationChannel>,
    /// The contacts sharing the identity.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contact_ids: Vec<String>,
}

/// The result of an asynchronous capability check (`capability_notification`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CapabilityNotification {
    /// The ID of the capability request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The contact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// The channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<ConversationChannel>,
    /// The identity on the channel, such as a phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The recipient's capability on the channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capability_status: Option<CapabilityStatus>,
    /// For `CAPABILITY_PARTIAL`, the channel-specific capabilities supported.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub channel_capabilities: Vec<String>,
    /// Why the check failed, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

/// Details of a failed opt-in or opt-out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsentErrorDetails {
    /// A human-readable description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The result of an opt-in registration (`opt_in_notification`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OptInNotification {
    /// The ID of the opt-in request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The contact (empty in `DISPATCH` mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// The channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<ConversationChannel>,
    /// The identity on the channel, such as a phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<OptInStatus>,
    /// Set when the opt-in failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_details: Option<ConsentErrorDetails>,
    /// Whether contacts and conversations are stored for the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_mode: Option<ProcessingMode>,
}

/// The result of an opt-out registration (`opt_out_notification`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OptOutNotification {
    /// The ID of the opt-out request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The contact (empty in `DISPATCH` mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// The channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<ConversationChannel>,
    /// The identity on the channel, such as a phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<OptOutStatus>,
    /// Set when the opt-out failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_details: Option<ConsentErrorDetails>,
    /// Whether contacts and conversations are stored for the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_mode: Option<ProcessingMode>,
}

/// Channel-specific information (`channel_event_notification`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelEventNotification {
    /// The event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_event: Option<ChannelEvent>,
}

/// A channel-specific event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelEvent {
    /// The channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<ConversationChannel>,
    /// The type of event, such as `WHATSAPP_QUALITY_RATING_CHANGED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    /// Details; their shape depends on the channel and the event type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<serde_json::Value>,
}

/// A channel callback the Conversation API has no mapping for (`unsupported_callback`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UnsupportedCallback {
    /// The channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<ConversationChannel>,
    /// The channel's own payload, usually JSON, as a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// Whether contacts and conversations are stored for the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_mode: Option<ProcessingMode>,
    /// The message ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The contact, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// The conversation, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// The channel and the contact's identity on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_identity: Option<ChannelIdentity>,
}

/// Smart Conversations analyses of a message (`smart_conversation_notification`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SmartConversationNotification {
    /// The contact who sent the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// The contact's identity on the channel (a plain string here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_identity: Option<String>,
    /// The channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<ConversationChannel>,
    /// The analysed message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The conversation of the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// The analyses, depending on the functionalities enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analysis_results: Option<AnalysisResults>,
}

/// The analyses of Smart Conversations.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalysisResults {
    /// Sentiment analyses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ml_sentiment_result: Vec<SentimentAnalysis>,
    /// Intent (natural language understanding) analyses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ml_nlu_result: Vec<NluAnalysis>,
    /// Image recognition analyses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ml_image_recognition_result: Vec<ImageRecognitionAnalysis>,
    /// Personal information (PII) analyses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ml_pii_result: Vec<PiiAnalysis>,
    /// Offensiveness analyses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ml_offensive_analysis_result: Vec<OffensiveAnalysis>,
}

/// A sentiment analysis of a message.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SentimentAnalysis {
    /// The analysed text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Every sentiment with its likelihood.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<SentimentScore>,
    /// The most likely sentiment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<Sentiment>,
    /// Its likelihood, from 0 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// A sentiment and its likelihood.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SentimentScore {
    /// The sentiment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<Sentiment>,
    /// Its likelihood, from 0 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// An intent analysis of a message.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NluAnalysis {
    /// The analysed text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Every intent with its likelihood.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<IntentScore>,
    /// The most likely intent, such as `chitchat.greeting`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    /// Its likelihood, from 0 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// An intent and its likelihood.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IntentScore {
    /// The intent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    /// Its likelihood, from 0 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// An image recognition analysis.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImageRecognitionAnalysis {
    /// The URL of the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The kind of document the image most likely shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_image_classification: Option<DocumentImageClassification>,
    /// Text extracted from the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optical_character_recognition: Option<OpticalCharacterRecognition>,
    /// Document fields found in the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_field_classification: Option<DocumentFieldClassification>,
}

/// The kind of document an image most likely shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentImageClassification {
    /// The document type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_type: Option<String>,
    /// The likelihood, from 0 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// Text extracted from an image.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpticalCharacterRecognition {
    /// One entry per section of the image.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub result: Vec<TextData>,
}

/// Strings found in one section of an image, or assigned to one document field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TextData {
    /// The strings.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<String>,
}

/// Document fields found in an image.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentFieldClassification {
    /// Field name to values, per section.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub result: Vec<std::collections::BTreeMap<String, TextData>>,
}

/// A personal-information analysis of a message.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PiiAnalysis {
    /// The analysed text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The text with personal information masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked: Option<String>,
}

/// An offensiveness analysis of a text or image.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OffensiveAnalysis {
    /// The analysed text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The analysed image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Whether the content is safe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<Evaluation>,
    /// The likelihood of the evaluation, from 0 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// A record was stored (`record_notification`).
///
/// Field names are read in `snake_case` or `camelCase` (the published type definitions use the
/// latter); they are written in `snake_case`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecordNotification {
    /// The ID of the entity.
    #[serde(alias = "entityId", skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// The stored status.
    #[serde(alias = "recordStatus", skip_serializing_if = "Option::is_none")]
    pub record_status: Option<RecordStatus>,
    /// Whether contacts and conversations are stored for the app.
    #[serde(alias = "processingMode", skip_serializing_if = "Option::is_none")]
    pub processing_mode: Option<ProcessingMode>,
    /// The channel and the contact's identity on it.
    #[serde(alias = "channelIdentity", skip_serializing_if = "Option::is_none")]
    pub channel_identity: Option<ChannelIdentity>,
    /// The contact (absent in `DISPATCH` mode).
    #[serde(alias = "contactId", skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// The conversation (absent in `DISPATCH` mode).
    #[serde(alias = "conversationId", skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// Why storing failed, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value()
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}
