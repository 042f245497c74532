//! Rules of the operations that take messages: the checks of app and contact message bodies
//! (sending, injecting, transcoding, a contact's reply) and the `max_messages` bound.

use sinch_conversation::types::{self, AppMessage, AppMessageTypes, ContactMessage};

use super::ctx::{Ctx, non_empty};
use crate::{error::ApiError, store::Store};

pub(super) fn validate_app_message(message: &AppMessage) -> Result<(), ApiError> {
    use AppMessageTypes as K;
    match &message.kind {
        K::Unknown(kind) if !kind.is_empty() => {
            return Err(ApiError::invalid(
                "message must set exactly one of text_message, media_message, template_message, \
                 choice_message, card_message, carousel_message, location_message, list_message \
                 and contact_info_message",
            ));
        }
        K::Unknown(_)
            if message.explicit_channel_message.is_empty()
                && message.explicit_channel_omni_message.is_empty()
                && message.channel_specific_message.is_empty() =>
        {
            return Err(ApiError::invalid(
                "message is empty: set one kind of message",
            ));
        }
        K::TextMessage(text) if non_empty(Some(&text.text)).is_none() => {
            return Err(ApiError::invalid("text_message.text is required"));
        }
        K::MediaMessage(media) if non_empty(Some(&media.url)).is_none() => {
            return Err(ApiError::invalid("media_message.url is required"));
        }
        K::ChoiceMessage(choice) if !(1..=10).contains(&choice.choices.len()) => {
            return Err(ApiError::invalid("choice_message needs 1 to 10 choices"));
        }
        K::CarouselMessage(carousel) => {
            if !(1..=10).contains(&carousel.cards.len()) {
                return Err(ApiError::invalid("carousel_message needs 1 to 10 cards"));
            }
            if carousel.choices.len() > 3 {
                return Err(ApiError::invalid(
                    "carousel_message has at most 3 outer choices",
                ));
            }
        }
        K::TemplateMessage(template)
            if template.omni_template.is_none() && template.channel_template.is_empty() =>
        {
            return Err(ApiError::invalid(
                "template_message needs omni_template or channel_template",
            ));
        }
        _ => {}
    }
    Ok(())
}

pub(super) fn validate_contact_message(message: &ContactMessage) -> Result<(), ApiError> {
    if matches!(message.kind, types::ContactMessageTypes::Unknown(_)) {
        return Err(ApiError::invalid(
            "contact_message must set exactly one kind of message",
        ));
    }
    Ok(())
}

pub(super) fn trim_messages(ctx: &Ctx<'_>, store: &mut Store) {
    if let Some(max) = ctx.shared.config.max_messages {
        store.messages.truncate_oldest(max);
    }
}
