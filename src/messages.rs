//! Concise constructors for recipients, every kind of app message and app event, and a
//! one-line send.
//!
//! ```no_run
//! use sinch_conversation::{Client, types::{AppMessage, ConversationChannel, Recipient}};
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
//! # Ok(()) }
//! ```

use std::{collections::HashMap, time::Duration};

use crate::{
    Client,
    error::Error,
    types::builder,
    types::{
        AppEvent, AppMessage, CallMessage, CardHeight, CardMessage, CarouselMessage,
        ChannelIdentities, ChannelIdentitiesRecipient, ChannelRecipientIdentity, Choice,
        ChoiceMessage, CommentReplyEvent, ComposingEvent, ContactRecipient, ConversationChannel,
        Coordinates, LocationMessage, MediaMessage, MessageQueue, Recipient, SendEventRequest,
        SendEventResponse, SendMessageRequest, SendMessageResponse, TemplateMessage,
        TemplateReference, TextMessage, UrlMessage,
    },
};

impl Recipient {
    /// A contact, by its id.
    pub fn contact(contact_id: impl Into<String>) -> Self {
        Recipient::ContactRecipient(ContactRecipient {
            contact_id: contact_id.into(),
        })
    }

    /// An identity on one channel (a phone number for SMS, a PSID for Messenger, ...).
    pub fn channel(channel: ConversationChannel, identity: impl Into<String>) -> Self {
        Self::channels([(channel, identity.into())])
    }

    /// Identities on several channels; the API picks by channel priority.
    pub fn channels(identities: impl IntoIterator<Item = (ConversationChannel, String)>) -> Self {
        let channel_identities = identities
            .into_iter()
            .map(|(channel, identity)| ChannelRecipientIdentity { channel, identity })
            .collect();
        Recipient::ChannelIdentitiesRecipient(ChannelIdentitiesRecipient {
            identified_by: ChannelIdentities { channel_identities },
        })
    }
}

fn text(text: impl Into<String>) -> TextMessage {
    TextMessage {
        text: Some(text.into()),
    }
}

impl AppMessage {
    /// A text message.
    pub fn text(body: impl Into<String>) -> Self {
        Self {
            text_message: Some(text(body)),
            ..Default::default()
        }
    }

    /// An image, video, audio or document by URL.
    pub fn media(url: impl Into<String>) -> Self {
        Self {
            media_message: Some(MediaMessage {
                url: Some(url.into()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// A text with choices (buttons or quick replies).
    pub fn choice(body: impl Into<String>, choices: impl IntoIterator<Item = Choice>) -> Self {
        Self {
            choice_message: Some(ChoiceMessage {
                text_message: Some(text(body)),
                choices: choices.into_iter().collect(),
                message_properties: None,
            }),
            ..Default::default()
        }
    }

    /// A card; see [`CardMessage::new`].
    pub fn card(card: CardMessage) -> Self {
        Self {
            card_message: Some(card),
            ..Default::default()
        }
    }

    /// A carousel of cards.
    pub fn carousel(cards: impl IntoIterator<Item = CardMessage>) -> Self {
        Self {
            carousel_message: Some(CarouselMessage {
                cards: cards.into_iter().collect(),
                choices: Vec::new(),
            }),
            ..Default::default()
        }
    }

    /// A location pin.
    pub fn location(latitude: f32, longitude: f32, title: impl Into<String>) -> Self {
        Self {
            location_message: Some(location(latitude, longitude, title)),
            ..Default::default()
        }
    }

    /// An omni-channel template by id and version, with its parameters.
    pub fn template(
        template_id: impl Into<String>,
        version: impl Into<String>,
        parameters: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        Self {
            template_message: Some(TemplateMessage {
                omni_template: Some(TemplateReference {
                    template_id: Some(template_id.into()),
                    version: Some(version.into()),
                    language_code: None,
                    parameters: parameters.into_iter().collect(),
                }),
                channel_template: HashMap::new(),
            }),
            ..Default::default()
        }
    }

    /// A message in a channel's own JSON, per channel (overrides transcoding on those channels).
    pub fn explicit_channel(
        messages: impl IntoIterator<Item = (ConversationChannel, String)>,
    ) -> Self {
        Self {
            explicit_channel_message: messages
                .into_iter()
                .map(|(c, m)| (c.to_string(), m))
                .collect(),
            ..Default::default()
        }
    }
}

fn location(latitude: f32, longitude: f32, title: impl Into<String>) -> LocationMessage {
    LocationMessage {
        coordinates: Some(Coordinates {
            latitude: Some(latitude),
            longitude: Some(longitude),
        }),
        title: Some(title.into()),
        label: None,
    }
}

impl Choice {
    /// A reply choice; `postback` comes back in the contact's choice response.
    pub fn reply(body: impl Into<String>, postback: impl Into<String>) -> Self {
        Self {
            text_message: Some(text(body)),
            postback_data: Some(postback.into()),
            ..Default::default()
        }
    }

    /// A link.
    pub fn url(title: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            url_message: Some(UrlMessage {
                title: Some(title.into()),
                url: Some(url.into()),
            }),
            ..Default::default()
        }
    }

    /// A phone call.
    pub fn call(title: impl Into<String>, phone_number: impl Into<String>) -> Self {
        Self {
            call_message: Some(CallMessage {
                title: title.into(),
                phone_number: phone_number.into(),
            }),
            ..Default::default()
        }
    }

    /// A location.
    pub fn location(latitude: f32, longitude: f32, title: impl Into<String>) -> Self {
        Self {
            location_message: Some(location(latitude, longitude, title)),
            ..Default::default()
        }
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
        self.media_message = Some(MediaMessage {
            url: Some(url.into()),
            ..Default::default()
        });
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

impl AppEvent {
    /// "The app is typing".
    pub fn composing() -> Self {
        Self {
            composing_event: Some(ComposingEvent(serde_json::Map::new())),
            ..Default::default()
        }
    }

    /// A reply to a comment (Instagram and Messenger comments).
    pub fn comment_reply(body: impl Into<String>) -> Self {
        Self {
            comment_reply_event: Some(CommentReplyEvent { text: body.into() }),
            ..Default::default()
        }
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

    /// The request as it will be sent.
    pub fn request(&self) -> Result<SendMessageRequest, Error> {
        self.request
            .clone()
            .channel_properties(self.channel_properties.clone())
            .try_into()
            .map_err(|e: crate::types::error::ConversionError| Error::InvalidRequest(e.to_string()))
    }

    /// Sends it.
    pub async fn send(self) -> Result<SendMessageResponse, Error> {
        let project = require_project(self.client)?;
        // The builder goes in as it is: the generated code converts it, with no copy.
        let request = self.request.channel_properties(self.channel_properties);
        match self
            .client
            .send_message()
            .project_id(project)
            .body(request)
            .send()
            .await
        {
            Ok(response) => Ok(response.into_inner()),
            Err(error) => Err(Error::from_generated(error).await),
        }
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

    /// The request as it will be sent.
    pub fn request(&self) -> &SendEventRequest {
        &self.request
    }

    /// Sends it.
    pub async fn send(self) -> Result<SendEventResponse, Error> {
        let project = require_project(self.client)?;
        match self
            .client
            .send_event()
            .project_id(project)
            .body(self.request)
            .send()
            .await
        {
            Ok(response) => Ok(response.into_inner()),
            Err(error) => Err(Error::from_generated(error).await),
        }
    }
}

fn require_project(client: &Client) -> Result<String, Error> {
    match client.project() {
        "" => Err(Error::InvalidRequest(
            "no project id configured: set ClientBuilder::project_id".into(),
        )),
        project => Ok(project.to_owned()),
    }
}

impl Client {
    /// A message of any kind to `recipient` from app `app_id`, in the configured project.
    pub fn message(
        &self,
        app_id: impl Into<String>,
        recipient: Recipient,
        message: AppMessage,
    ) -> OutgoingMessage<'_> {
        OutgoingMessage {
            client: self,
            request: builder::SendMessageRequest::default()
                .app_id(app_id.into())
                .project_id(self.project().to_owned())
                .recipient(recipient)
                .message(message),
            channel_properties: HashMap::new(),
        }
    }

    /// A text message: `client.send_text(app, Recipient::channel(Sms, "+46..."), "Hi").send().await`.
    pub fn send_text(
        &self,
        app_id: impl Into<String>,
        recipient: Recipient,
        body: impl Into<String>,
    ) -> OutgoingMessage<'_> {
        self.message(app_id, recipient, AppMessage::text(body))
    }

    /// An event (for example [`AppEvent::composing`]) to `recipient`.
    pub fn event(
        &self,
        app_id: impl Into<String>,
        recipient: Recipient,
        event: AppEvent,
    ) -> OutgoingEvent<'_> {
        OutgoingEvent {
            client: self,
            request: SendEventRequest {
                app_id: Some(app_id.into()),
                project_id: Some(self.project().to_owned()),
                recipient: Some(recipient),
                event: Some(event),
                ..Default::default()
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
