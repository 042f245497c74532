//! Concise constructors for recipients, every kind of app message and app event, and a
//! one-line send.
//!
//! Over 600 lines on purpose: one short constructor per message and event kind, each with its
//! doctest, reads best in one place.
//!
//! ```no_run
//! use sinch_conversation::{Client, types::{AppEvent, AppMessage, ConversationChannel, Recipient}};
//!
//! # async fn f(client: &Client) -> Result<(), sinch_conversation::error::Error> {
//! client.send_text("APP_ID", Recipient::channel(ConversationChannel::Sms, "+46700000001"), "Hi").send().await?;
//!
//! client
//!     .message("APP_ID", Recipient::contact("CONTACT_ID"), AppMessage::media("https://example.com/cat.jpg"))
//!     .channel_priority([ConversationChannel::Whatsapp, ConversationChannel::Sms])
//!     .ttl(std::time::Duration::from_secs(30))
//!     .send()
//!     .await?;
//!
//! // Several identities (the first is required), and an event.
//! let recipient = Recipient::channels(
//!     (ConversationChannel::Whatsapp, "+46700000001"),
//!     [(ConversationChannel::Sms, "+46700000001")],
//! );
//! client.event("APP_ID", recipient, AppEvent::composing()).send().await?;
//! # Ok(()) }
//! ```

use std::{collections::HashMap, time::Duration};

use serde_json::{Map, Value};

use crate::{
    Client,
    error::Error,
    types::builder,
    types::{
        AddressInfo, Agent, AgentJoinedEvent, AgentLeftEvent, AgentType, AppEvent, AppMessage,
        AppMessageCommonProps, AppMessageTypes, CallMessage, CardHeight, CardMessage,
        CarouselMessage, ChannelIdentities, ChannelIdentityList, ChannelRecipientIdentity,
        ChannelSpecificMessage, Choice, ChoiceCommonProps, ChoiceItem, ChoiceMessage, ChoiceTypes,
        CommentReplyEvent, ComposingEndEvent, ComposingEventType, ContactInfoMessage,
        ContactMessage, ContactMessageTypes, ConversationChannel, ConversationMessage,
        ConversationMessageTypes, Coordinates, DisplayMode, EmailInfo, GenericEvent, ListItem,
        ListMessage, ListMessageMessageProperties, ListSection, LocationMessage, MediaProperties,
        MessageQueue, NameInfo, OmniMessageOverride, OrganizationInfo, PhoneNumberInfo,
        ProductItem, ReadMessageEvent, Recipient, RecipientBase, RecipientRequest, ReplyTo,
        SendEventRequest, SendEventResponse, SendMessageRequest, SendMessageResponse,
        TemplateMessage, TemplateReferenceWithVersion, TextMessage, UrlInfo, UrlMessage,
    },
};

impl Recipient {
    /// A contact, by its id.
    pub fn contact(contact_id: impl Into<String>) -> Self {
        Self {
            kind: RecipientBase::ContactId(contact_id.into()),
        }
    }

    /// An identity on one channel (a phone number for SMS, a PSID for Messenger, ...).
    pub fn channel(channel: ConversationChannel, identity: impl Into<String>) -> Self {
        Self::channels(
            (channel, identity),
            std::iter::empty::<(ConversationChannel, String)>(),
        )
    }

    /// Identities on several channels; the API picks one by channel priority.
    ///
    /// The first identity is a parameter of its own, so a recipient with no identity at all
    /// (which the API rejects) cannot be built with this constructor.
    ///
    /// ```
    /// use sinch_conversation::types::{ConversationChannel::{Messenger, Sms}, Recipient};
    ///
    /// let recipient = Recipient::channels((Messenger, "psid-1"), [(Sms, "+46700000001")]);
    /// assert_eq!(
    ///     serde_json::to_value(&recipient).unwrap(),
    ///     serde_json::json!({"identified_by": {"channel_identities": [
    ///         {"channel": "MESSENGER", "identity": "psid-1"},
    ///         {"channel": "SMS", "identity": "+46700000001"}
    ///     ]}})
    /// );
    /// ```
    pub fn channels<S: Into<String>>(
        first: (ConversationChannel, impl Into<String>),
        rest: impl IntoIterator<Item = (ConversationChannel, S)>,
    ) -> Self {
        let first = ChannelRecipientIdentity {
            channel: first.0,
            identity: first.1.into(),
        };
        let channel_identities = std::iter::once(first)
            .chain(
                rest.into_iter()
                    .map(|(channel, identity)| ChannelRecipientIdentity {
                        channel,
                        identity: identity.into(),
                    }),
            )
            .collect();
        Self {
            kind: RecipientBase::IdentifiedBy(ChannelIdentityList(ChannelIdentities {
                channel_identities,
            })),
        }
    }
}

/// The official document names the recipient of a request and of a response apart; they are
/// the same one-of, so a [`Recipient`] built with its constructors serves as either.
impl From<Recipient> for RecipientRequest {
    fn from(recipient: Recipient) -> Self {
        Self {
            kind: recipient.kind,
        }
    }
}

impl From<RecipientRequest> for Recipient {
    fn from(recipient: RecipientRequest) -> Self {
        Self {
            kind: recipient.kind,
        }
    }
}

/// Why the API would reject `recipient` as naming no one, checked before any request so that a
/// recipient built by hand from the generated types fails clearly too.
fn recipient_problem(recipient: &RecipientBase) -> Option<&'static str> {
    match recipient {
        RecipientBase::ContactId(id) if id.is_empty() => {
            Some("the recipient's contact id is empty")
        }
        RecipientBase::IdentifiedBy(list) if list.channel_identities.is_empty() => Some(
            "the recipient has no channel identity: use Recipient::channel or Recipient::channels",
        ),
        RecipientBase::Unknown(_) => Some(
            "the recipient is neither a contact id nor channel identities: use Recipient::contact or Recipient::channel",
        ),
        _ => None,
    }
}

fn text(text: impl Into<String>) -> TextMessage {
    TextMessage { text: text.into() }
}

fn media(url: impl Into<String>) -> MediaProperties {
    MediaProperties {
        url: url.into(),
        filename_override: None,
        thumbnail_url: None,
    }
}

fn choice_message(
    body: impl Into<String>,
    choices: impl IntoIterator<Item = Choice>,
) -> ChoiceMessage {
    ChoiceMessage {
        text_message: Some(text(body)),
        choices: choices.into_iter().collect(),
        message_properties: None,
    }
}

fn carousel(cards: impl IntoIterator<Item = CardMessage>) -> CarouselMessage {
    CarouselMessage {
        cards: cards.into_iter().collect(),
        choices: Vec::new(),
    }
}

fn template_reference(
    template_id: impl Into<String>,
    version: impl Into<String>,
    parameters: impl IntoIterator<Item = (String, String)>,
) -> TemplateReferenceWithVersion {
    TemplateReferenceWithVersion {
        template_id: template_id.into(),
        version: version.into(),
        language_code: None,
        parameters: parameters.into_iter().collect(),
    }
}

/// A map keyed by channel name (`"WHATSAPP"`), the form of the per-channel message maps.
fn by_channel<T>(
    entries: impl IntoIterator<Item = (ConversationChannel, T)>,
) -> HashMap<String, T> {
    entries
        .into_iter()
        .map(|(channel, value)| (channel.to_string(), value))
        .collect()
}

/// The constructors [`AppMessage`] and [`OmniMessageOverride`] share: both carry one message
/// kind, in enums whose variants have the same names. `$wrap` makes `Self` from a kind.
macro_rules! message_kinds {
    ($type:ty, $kinds:ident, $wrap:expr) => {
        impl $type {
            /// A text message.
            pub fn text(body: impl Into<String>) -> Self {
                $wrap($kinds::TextMessage(text(body)))
            }

            /// An image, video, audio or document by URL.
            pub fn media(url: impl Into<String>) -> Self {
                $wrap($kinds::MediaMessage(media(url)))
            }

            /// A text with choices (buttons or quick replies).
            pub fn choice(
                body: impl Into<String>,
                choices: impl IntoIterator<Item = Choice>,
            ) -> Self {
                $wrap($kinds::ChoiceMessage(choice_message(body, choices)))
            }

            /// A card; see [`CardMessage::new`].
            pub fn card(card: CardMessage) -> Self {
                $wrap($kinds::CardMessage(card))
            }

            /// A carousel of cards.
            pub fn carousel(cards: impl IntoIterator<Item = CardMessage>) -> Self {
                $wrap($kinds::CarouselMessage(carousel(cards)))
            }

            /// A location pin (`f64` coordinates, which round-trip exactly).
            pub fn location(latitude: f64, longitude: f64, title: impl Into<String>) -> Self {
                $wrap($kinds::LocationMessage(location(
                    latitude, longitude, title,
                )))
            }

            /// A list of choices or products in sections; see [`ListMessage::new`].
            pub fn list(list: ListMessage) -> Self {
                $wrap($kinds::ListMessage(list))
            }

            /// A contact card (vCard-like); see [`ContactInfoMessage::new`].
            pub fn contact_info(contact: ContactInfoMessage) -> Self {
                $wrap($kinds::ContactInfoMessage(contact))
            }
        }
    };
}

message_kinds!(AppMessage, AppMessageTypes, AppMessage::from);
message_kinds!(
    OmniMessageOverride,
    OmniMessageOverride,
    std::convert::identity
);

/// An app message of one kind, with none of the common properties set.
impl From<AppMessageTypes> for AppMessage {
    fn from(kind: AppMessageTypes) -> Self {
        Self {
            common: AppMessageCommonProps::default(),
            kind,
        }
    }
}

/// No omni-channel kind: for a message given only per channel.
fn no_kind() -> AppMessage {
    AppMessage::from(AppMessageTypes::Unknown(Map::new()))
}

impl AppMessage {
    /// An omni-channel template by id and version, with its parameters.
    pub fn template(
        template_id: impl Into<String>,
        version: impl Into<String>,
        parameters: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        Self::from(AppMessageTypes::TemplateMessage(TemplateMessage {
            omni_template: Some(template_reference(template_id, version, parameters)),
            channel_template: HashMap::new(),
        }))
    }

    /// A message in a channel's own JSON, per channel (overrides transcoding on those channels).
    pub fn explicit_channel(
        messages: impl IntoIterator<Item = (ConversationChannel, String)>,
    ) -> Self {
        let mut message = no_kind();
        message.common.explicit_channel_message = by_channel(messages);
        message
    }

    /// A message kind only some channels have (WhatsApp flows and payments, KakaoTalk commerce,
    /// LINE notification templates), per channel; each converts from its own type
    /// (`FlowChannelSpecificMessage`, ...) into a [`ChannelSpecificMessage`].
    pub fn channel_specific(
        messages: impl IntoIterator<Item = (ConversationChannel, ChannelSpecificMessage)>,
    ) -> Self {
        let mut message = no_kind();
        message.common.channel_specific_message = by_channel(messages);
        message
    }

    /// Per-channel content (currently WhatsApp, KakaoTalk or WeChat) replacing the message on
    /// those channels, as omni-channel messages; see the [`OmniMessageOverride`] constructors.
    ///
    /// Use it alone, or on top of a message for the other channels with
    /// [`with_channel_overrides`](Self::with_channel_overrides).
    pub fn explicit_channel_omni(
        overrides: impl IntoIterator<Item = (ConversationChannel, OmniMessageOverride)>,
    ) -> Self {
        no_kind().with_channel_overrides(overrides)
    }

    /// Adds per-channel omni-channel content to this message, for example
    /// `AppMessage::text("Hi").with_channel_overrides([(Whatsapp, OmniMessageOverride::template(..))])`.
    pub fn with_channel_overrides(
        mut self,
        overrides: impl IntoIterator<Item = (ConversationChannel, OmniMessageOverride)>,
    ) -> Self {
        self.common
            .explicit_channel_omni_message
            .extend(by_channel(overrides));
        self
    }

    /// Adds channel-specific messages on top of this one, for the channels named.
    pub fn with_channel_specific(
        mut self,
        messages: impl IntoIterator<Item = (ConversationChannel, ChannelSpecificMessage)>,
    ) -> Self {
        self.common
            .channel_specific_message
            .extend(by_channel(messages));
        self
    }

    /// Sets the agent the message is sent as (shown on channels that support it).
    pub fn with_agent(mut self, agent: Agent) -> Self {
        self.common.agent = Some(agent);
        self
    }

    /// Sends this message as a reply to the message `message_id` (quoted on channels that
    /// support it).
    ///
    /// ```
    /// use sinch_conversation::types::AppMessage;
    ///
    /// let reply = AppMessage::text("On its way").reply_to("01HQ5Z");
    /// assert_eq!(
    ///     serde_json::to_value(&reply).unwrap(),
    ///     serde_json::json!({"text_message": {"text": "On its way"}, "reply_to": {"message_id": "01HQ5Z"}})
    /// );
    /// ```
    pub fn reply_to(mut self, message_id: impl Into<String>) -> Self {
        self.common.reply_to = Some(ReplyTo {
            message_id: message_id.into(),
        });
        self
    }

    /// The text, when this is a text message.
    pub fn as_text(&self) -> Option<&str> {
        match &self.kind {
            AppMessageTypes::TextMessage(message) => Some(&message.text),
            _ => None,
        }
    }
}

impl ContactMessage {
    /// The text, when the contact sent a text message.
    pub fn as_text(&self) -> Option<&str> {
        match &self.kind {
            ContactMessageTypes::TextMessage(message) => Some(&message.text),
            _ => None,
        }
    }
}

impl ConversationMessage {
    /// The text, when this is a text message from either side.
    pub fn as_text(&self) -> Option<&str> {
        match &self.kind {
            ConversationMessageTypes::AppMessage(message) => message.as_text(),
            ConversationMessageTypes::ContactMessage(message) => message.as_text(),
            ConversationMessageTypes::Unknown(_) => None,
        }
    }
}

impl OmniMessageOverride {
    /// A template by id and version, with its parameters (sent as `template_reference`).
    pub fn template(
        template_id: impl Into<String>,
        version: impl Into<String>,
        parameters: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        OmniMessageOverride::TemplateReference(template_reference(template_id, version, parameters))
    }
}

fn location(latitude: f64, longitude: f64, title: impl Into<String>) -> LocationMessage {
    LocationMessage {
        coordinates: Coordinates {
            latitude,
            longitude,
        },
        title: title.into(),
        label: None,
    }
}

impl Choice {
    fn of(kind: ChoiceTypes) -> Self {
        Self {
            common: ChoiceCommonProps::default(),
            kind,
        }
    }

    /// A reply choice; `postback` comes back in the contact's choice response.
    pub fn reply(body: impl Into<String>, postback: impl Into<String>) -> Self {
        let mut choice = Self::of(ChoiceTypes::TextMessage(text(body)));
        choice.common.postback_data = Some(Value::String(postback.into()));
        choice
    }

    /// A link.
    pub fn url(title: impl Into<String>, url: impl Into<String>) -> Self {
        Self::of(ChoiceTypes::UrlMessage(UrlMessage {
            title: title.into(),
            url: url.into(),
        }))
    }

    /// A phone call.
    pub fn call(title: impl Into<String>, phone_number: impl Into<String>) -> Self {
        Self::of(ChoiceTypes::CallMessage(CallMessage {
            title: title.into(),
            phone_number: phone_number.into(),
        }))
    }

    /// A location.
    pub fn location(latitude: f64, longitude: f64, title: impl Into<String>) -> Self {
        Self::of(ChoiceTypes::LocationMessage(location(
            latitude, longitude, title,
        )))
    }

    /// Sets how the choice is shown (RCS only: [`DisplayMode::Persistent`] keeps it visible
    /// when new messages arrive).
    ///
    /// ```
    /// use sinch_conversation::types::{Choice, DisplayMode};
    ///
    /// let choice = Choice::reply("Yes", "yes").with_display_mode(DisplayMode::Persistent);
    /// assert_eq!(
    ///     serde_json::to_value(&choice).unwrap(),
    ///     serde_json::json!({"text_message": {"text": "Yes"}, "postback_data": "yes", "display_mode": "PERSISTENT"})
    /// );
    /// ```
    pub fn with_display_mode(mut self, mode: DisplayMode) -> Self {
        self.common.display_mode = Some(mode);
        self
    }
}

impl CardMessage {
    /// A card with a title and a description; add media, choices and height with the setters.
    pub fn new(title: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            title: Some(title.into()),
            description: Some(description.into()),
            ..Default::default()
        }
    }

    /// Adds an image or video.
    pub fn with_media(mut self, url: impl Into<String>) -> Self {
        self.media_message = Some(media(url));
        self
    }

    /// Adds choices.
    pub fn with_choices(mut self, choices: impl IntoIterator<Item = Choice>) -> Self {
        self.choices.extend(choices);
        self
    }

    /// Sets the height.
    pub fn with_height(mut self, height: CardHeight) -> Self {
        self.height = Some(height);
        self
    }
}

impl ListMessage {
    /// A list with a title and its sections; add a description, media and properties with the
    /// setters. All items of a list are of one kind: choices or products.
    ///
    /// ```
    /// use sinch_conversation::types::{AppMessage, ListItem, ListMessage, ListSection};
    ///
    /// let message = AppMessage::list(
    ///     ListMessage::new("Pick a size", [ListSection::new("Sizes", [
    ///         ListItem::choice("Small", "s"),
    ///         ListItem::choice("Large", "l"),
    ///     ])])
    ///     .with_menu("Sizes"),
    /// );
    /// assert_eq!(
    ///     serde_json::to_value(&message).unwrap(),
    ///     serde_json::json!({"list_message": {
    ///         "title": "Pick a size",
    ///         "sections": [{"title": "Sizes", "items": [
    ///             {"choice": {"title": "Small", "postback_data": "s"}},
    ///             {"choice": {"title": "Large", "postback_data": "l"}}
    ///         ]}],
    ///         "message_properties": {"menu": "Sizes"}
    ///     }})
    /// );
    /// ```
    pub fn new(title: impl Into<String>, sections: impl IntoIterator<Item = ListSection>) -> Self {
        Self {
            title: title.into(),
            sections: sections.into_iter().collect(),
            description: None,
            media: None,
            message_properties: None,
        }
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Adds an image or video (a header on the channels that show one).
    pub fn with_media(mut self, url: impl Into<String>) -> Self {
        self.media = Some(media(url));
        self
    }

    /// Sets the text of the menu of a choice list.
    pub fn with_menu(mut self, menu: impl Into<String>) -> Self {
        self.properties().menu = Some(menu.into());
        self
    }

    /// Sets the header of a WhatsApp choice list (ignored on other channels).
    pub fn with_whatsapp_header(mut self, header: impl Into<String>) -> Self {
        self.properties().whatsapp_header = Some(header.into());
        self
    }

    /// Sets the catalog the products belong to (required for a product list).
    pub fn with_catalog_id(mut self, catalog_id: impl Into<String>) -> Self {
        self.properties().catalog_id = Some(catalog_id.into());
        self
    }

    fn properties(&mut self) -> &mut ListMessageMessageProperties {
        self.message_properties.get_or_insert_with(Default::default)
    }
}

impl ListSection {
    /// A section with a title.
    pub fn new(
        title: impl Into<String>,
        items: impl IntoIterator<Item = impl Into<ListItem>>,
    ) -> Self {
        Self {
            title: Some(title.into()),
            items: items.into_iter().map(Into::into).collect(),
        }
    }

    /// A section without a title.
    pub fn untitled(items: impl IntoIterator<Item = impl Into<ListItem>>) -> Self {
        Self {
            title: None,
            items: items.into_iter().map(Into::into).collect(),
        }
    }
}

impl ListItem {
    /// A choice; `postback` comes back in the contact's choice response. For a description or
    /// media, build a [`ChoiceItem`] instead (it converts into a `ListItem`).
    pub fn choice(title: impl Into<String>, postback: impl Into<String>) -> Self {
        ChoiceItem::new(title, postback).into()
    }

    /// A product of a catalog (see [`ListMessage::with_catalog_id`]).
    pub fn product(id: impl Into<String>, marketplace: impl Into<String>) -> Self {
        ProductItem::new(id, marketplace).into()
    }
}

impl ChoiceItem {
    /// A choice of a list; `postback` comes back in the contact's choice response.
    pub fn new(title: impl Into<String>, postback: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            postback_data: Some(postback.into()),
            description: None,
            media: None,
        }
    }

    /// Sets the description (subtitle).
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Adds an image.
    pub fn with_media(mut self, url: impl Into<String>) -> Self {
        self.media = Some(media(url));
        self
    }
}

impl ProductItem {
    /// A product by its id in a marketplace (for WhatsApp, `"FACEBOOK"`).
    pub fn new(id: impl Into<String>, marketplace: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            marketplace: marketplace.into(),
            currency: None,
            item_price: None,
            quantity: None,
        }
    }
}

impl ContactInfoMessage {
    /// A contact card with a full name and a phone number; add the rest with the setters (the
    /// fields are public for what the setters do not cover, such as a number's `type_`).
    pub fn new(full_name: impl Into<String>, phone_number: impl Into<String>) -> Self {
        Self {
            name: NameInfo::new(full_name),
            phone_numbers: Vec::new(),
            email_addresses: Vec::new(),
            urls: Vec::new(),
            addresses: Vec::new(),
            organization: None,
            birthday: None,
        }
        .with_phone_number(phone_number)
    }

    /// Replaces the name, to give its parts besides the full name; see [`NameInfo::new`].
    pub fn with_name(mut self, name: NameInfo) -> Self {
        self.name = name;
        self
    }

    /// Adds a phone number.
    pub fn with_phone_number(mut self, phone_number: impl Into<String>) -> Self {
        self.phone_numbers.push(PhoneNumberInfo {
            phone_number: phone_number.into(),
            type_: None,
        });
        self
    }

    /// Adds an email address.
    pub fn with_email(mut self, email_address: impl Into<String>) -> Self {
        self.email_addresses.push(EmailInfo {
            email_address: email_address.into(),
            type_: None,
        });
        self
    }

    /// Adds a URL.
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.urls.push(UrlInfo {
            url: url.into(),
            type_: None,
        });
        self
    }

    /// Adds a postal address.
    pub fn with_address(mut self, address: AddressInfo) -> Self {
        self.addresses.push(address);
        self
    }

    /// Sets the organization.
    pub fn with_organization(mut self, organization: OrganizationInfo) -> Self {
        self.organization = Some(organization);
        self
    }

    /// Sets the date of birth (`YYYY-MM-DD`).
    pub fn with_birthday(mut self, birthday: impl Into<String>) -> Self {
        self.birthday = Some(birthday.into());
        self
    }
}

impl NameInfo {
    /// A name given in full; set its parts with the public fields:
    /// `NameInfo { first_name: Some("Ada".into()), ..NameInfo::new("Ada King") }`.
    pub fn new(full_name: impl Into<String>) -> Self {
        Self {
            full_name: full_name.into(),
            first_name: None,
            middle_name: None,
            last_name: None,
            prefix: None,
            suffix: None,
        }
    }
}

impl Agent {
    /// An agent of the given kind with a display name.
    pub fn new(display_name: impl Into<String>, kind: AgentType) -> Self {
        Self {
            display_name: Some(display_name.into()),
            picture_url: None,
            type_: Some(kind),
        }
    }

    /// A human agent.
    pub fn human(display_name: impl Into<String>) -> Self {
        Self::new(display_name, AgentType::Human)
    }

    /// A bot.
    pub fn bot(display_name: impl Into<String>) -> Self {
        Self::new(display_name, AgentType::Bot)
    }

    /// Sets the picture.
    pub fn with_picture(mut self, url: impl Into<String>) -> Self {
        self.picture_url = Some(url.into());
        self
    }
}

impl AppEvent {
    /// "The app is typing".
    pub fn composing() -> Self {
        AppEvent::ComposingEvent(ComposingEventType(Map::new()))
    }

    /// "The app stopped typing".
    pub fn composing_end() -> Self {
        AppEvent::ComposingEndEvent(ComposingEndEvent(Map::new()))
    }

    /// Marks the contact's message `message_id` as read, which shows the contact a read
    /// receipt (WhatsApp and RCS). The official document leaves the event's object open; the
    /// message is named by `message_id`, as in Sinch's guide.
    ///
    /// ```
    /// use sinch_conversation::types::AppEvent;
    ///
    /// assert_eq!(
    ///     serde_json::to_value(AppEvent::read_message("01HQ5Z")).unwrap(),
    ///     serde_json::json!({"read_message_event": {"message_id": "01HQ5Z"}})
    /// );
    /// ```
    pub fn read_message(message_id: impl Into<String>) -> Self {
        let mut event = Map::new();
        event.insert("message_id".into(), Value::String(message_id.into()));
        AppEvent::ReadMessageEvent(ReadMessageEvent(event))
    }

    /// A reply to a comment (Instagram and Messenger comments).
    pub fn comment_reply(body: impl Into<String>) -> Self {
        AppEvent::CommentReplyEvent(CommentReplyEvent { text: body.into() })
    }

    /// An agent joined the conversation.
    pub fn agent_joined(agent: Agent) -> Self {
        AppEvent::AgentJoinedEvent(AgentJoinedEvent { agent })
    }

    /// An agent left the conversation.
    pub fn agent_left(agent: Agent) -> Self {
        AppEvent::AgentLeftEvent(AgentLeftEvent { agent })
    }

    /// An event carrying only an arbitrary JSON object.
    ///
    /// ```
    /// use sinch_conversation::types::AppEvent;
    /// use serde_json::json;
    ///
    /// let payload = json!({"order": 42}).as_object().cloned().unwrap_or_default();
    /// assert_eq!(
    ///     serde_json::to_value(AppEvent::generic(payload)).unwrap(),
    ///     json!({"generic_event": {"payload": {"order": 42}}})
    /// );
    /// ```
    pub fn generic(payload: Map<String, Value>) -> Self {
        AppEvent::GenericEvent(GenericEvent { payload })
    }
}

/// A protobuf JSON duration (`"30s"`, `"0.5s"`), the form the API takes for `ttl`.
fn duration_string(duration: Duration) -> String {
    if duration.subsec_nanos() == 0 {
        format!("{}s", duration.as_secs())
    } else {
        format!("{}s", duration.as_secs_f64())
    }
}

/// A message ready to send; options are set with its methods. Made by [`Client::message`].
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until .send() is awaited"]
pub struct OutgoingMessage<'a> {
    client: &'a Client,
    // The generated builder, so fields the spec adds later need no change here.
    request: builder::SendMessageRequest,
    channel_properties: HashMap<String, String>,
    // Why the recipient names no one, reported by `request` and `send` before any request.
    recipient_problem: Option<&'static str>,
}

impl<'a> OutgoingMessage<'a> {
    /// The order in which channels are tried.
    pub fn channel_priority(
        mut self,
        channels: impl IntoIterator<Item = ConversationChannel>,
    ) -> Self {
        self.request = self
            .request
            .channel_priority_order(channels.into_iter().collect::<Vec<_>>());
        self
    }

    /// Metadata echoed in delivery reports and replies.
    pub fn metadata(mut self, metadata: impl Into<String>) -> Self {
        self.request = self.request.message_metadata(Some(metadata.into()));
        self
    }

    /// How long the message may wait for delivery.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.request = self.request.ttl(Some(duration_string(ttl)));
        self
    }

    /// Where this message's callbacks go instead of the app's webhooks.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.request = self.request.callback_url(Some(url.into()));
        self
    }

    /// The processing queue.
    pub fn queue(mut self, queue: MessageQueue) -> Self {
        self.request = self.request.queue(Some(queue));
        self
    }

    /// A channel-specific property (for example `WHATSAPP_HEADER`).
    pub fn channel_property(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.channel_properties.insert(key.into(), value.into());
        self
    }

    /// The request as it will be sent, or why it would not be (a recipient that names no one,
    /// a missing required field).
    pub fn request(&self) -> Result<SendMessageRequest, Error> {
        check_recipient(self.recipient_problem)?;
        self.request
            .clone()
            .channel_properties(self.channel_properties.clone())
            .try_into()
            .map_err(|e: crate::types::error::ConversionError| Error::InvalidRequest(e.to_string()))
    }

    /// Sends it.
    pub async fn send(self) -> Result<SendMessageResponse, Error> {
        require_project(self.client)?;
        check_recipient(self.recipient_problem)?;
        // The builder goes in as it is: the generated code converts it, with no copy.
        let request = self.request.channel_properties(self.channel_properties);
        self.client
            .send_message()
            .body(request)
            .send()
            .await
            .map(crate::ResponseValue::into_inner)
    }
}

/// An event ready to send. Made by [`Client::event`].
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until .send() is awaited"]
pub struct OutgoingEvent<'a> {
    client: &'a Client,
    request: SendEventRequest,
}

impl OutgoingEvent<'_> {
    /// The order in which channels are tried.
    pub fn channel_priority(
        mut self,
        channels: impl IntoIterator<Item = ConversationChannel>,
    ) -> Self {
        self.request.channel_priority_order = channels.into_iter().collect();
        self
    }

    /// Metadata echoed in delivery reports.
    pub fn metadata(mut self, metadata: impl Into<String>) -> Self {
        self.request.event_metadata = Some(metadata.into());
        self
    }

    /// Where this event's callbacks go instead of the app's webhooks.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.request.callback_url = Some(url.into());
        self
    }

    /// The processing queue.
    pub fn queue(mut self, queue: MessageQueue) -> Self {
        self.request.queue = Some(queue);
        self
    }

    /// The request as it will be sent, or why it would not be (as with
    /// [`OutgoingMessage::request`]).
    pub fn request(&self) -> Result<SendEventRequest, Error> {
        check_recipient(recipient_problem(&self.request.recipient.kind))?;
        Ok(self.request.clone())
    }

    /// Sends it.
    pub async fn send(self) -> Result<SendEventResponse, Error> {
        require_project(self.client)?;
        check_recipient(recipient_problem(&self.request.recipient.kind))?;
        self.client
            .send_event()
            .body(self.request)
            .send()
            .await
            .map(crate::ResponseValue::into_inner)
    }
}

fn check_recipient(problem: Option<&'static str>) -> Result<(), Error> {
    match problem {
        Some(problem) => Err(Error::InvalidRequest(problem.into())),
        None => Ok(()),
    }
}

/// The helpers take no `.project_id(..)`: the client's project must be set. The generated
/// builders start from it, so nothing is copied here.
fn require_project(client: &Client) -> Result<(), Error> {
    match client.project() {
        "" => Err(Error::InvalidRequest(
            "no project id configured: set ClientBuilder::project_id".into(),
        )),
        _ => Ok(()),
    }
}

impl Client {
    /// A message of any kind to `recipient` from app `app_id`, in the configured project.
    pub fn message(
        &self,
        app_id: impl Into<String>,
        recipient: impl Into<RecipientRequest>,
        message: AppMessage,
    ) -> OutgoingMessage<'_> {
        let recipient = recipient.into();
        OutgoingMessage {
            client: self,
            recipient_problem: recipient_problem(&recipient.kind),
            request: builder::SendMessageRequest::default()
                .app_id(app_id.into())
                .recipient(recipient)
                .message(message),
            channel_properties: HashMap::new(),
        }
    }

    /// A text message: `client.send_text(app, Recipient::channel(Sms, "+46..."), "Hi").send().await`.
    pub fn send_text(
        &self,
        app_id: impl Into<String>,
        recipient: impl Into<RecipientRequest>,
        body: impl Into<String>,
    ) -> OutgoingMessage<'_> {
        self.message(app_id, recipient, AppMessage::text(body))
    }

    /// An event (for example [`AppEvent::composing`]) to `recipient`.
    pub fn event(
        &self,
        app_id: impl Into<String>,
        recipient: impl Into<RecipientRequest>,
        event: AppEvent,
    ) -> OutgoingEvent<'_> {
        OutgoingEvent {
            client: self,
            request: SendEventRequest {
                app_id: app_id.into(),
                recipient: recipient.into(),
                event,
                callback_url: None,
                channel_priority_order: Vec::new(),
                event_metadata: None,
                queue: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_the_protobuf_json_form() {
        assert_eq!(duration_string(Duration::from_secs(30)), "30s");
        assert_eq!(duration_string(Duration::from_millis(1500)), "1.5s");
    }
}
