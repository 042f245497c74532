//! Transcoding (the spec's `Transcoding` tag, `messages:transcode`): an app message rendered
//! as each channel's native payload.
//!
//! The shapes follow each channel's public API (WhatsApp Cloud API, Messenger Send API, RCS
//! Business Messaging, Viber, Sinch SMS batches, Sinch MMS); they are plausible, not byte-exact
//! copies of what the real API produces. An `explicit_channel_message` is returned as is, and
//! a channel without a shape gets the message as JSON.

use std::collections::HashMap;

use serde_json::{Value, json};
use sinch_conversation::types::{
    AppMessage, AppMessageTypes as Kind, CardMessage, Choice, ChoiceTypes,
    TemplateReferenceWithVersion, TranscodeMessageRequest, TranscodeMessageResponse,
};

use super::{
    apps::required_app,
    ctx::{Ctx, Outcome, ok, parse, unspecified},
    message_rules::validate_app_message,
};
use crate::{error::ApiError, store::Store};

pub(super) fn transcode_message(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let request: TranscodeMessageRequest = parse(ctx.body)?;
    required_app(store, Some(&request.app_id))?;
    let message = &request.app_message;
    validate_app_message(message)?;
    if request.channels.is_empty() {
        return Err(ApiError::invalid("channels must name at least one channel"));
    }
    if let Some(channel) = request.channels.iter().find(|c| unspecified(c)) {
        return Err(ApiError::invalid(format!(
            "channels must not contain {channel}"
        )));
    }
    let from = request.from.as_deref().unwrap_or_default();
    let to = request.to.as_deref().unwrap_or_default();
    let transcoded_message: HashMap<String, String> = request
        .channels
        .iter()
        .map(|channel| {
            let name = channel.to_string();
            let output = transcode(message, &name, from, to);
            (name, output)
        })
        .collect();
    ok(&TranscodeMessageResponse { transcoded_message })
}

/// The transcoded payload of `message` for `channel`, as a JSON string.
pub(crate) fn transcode(message: &AppMessage, channel: &str, from: &str, to: &str) -> String {
    if let Some(explicit) = message.common.explicit_channel_message.get(channel) {
        return explicit.clone();
    }
    let value = match channel {
        "WHATSAPP" => whatsapp(message, to),
        "MESSENGER" => messenger(message, to),
        "RCS" => rcs(message),
        "VIBERBM" | "VIBER" => viber(message, to),
        "MMS" => mms(message, from, to),
        "SMS" => json!({"from": from, "to": [to], "body": plain_text(message)}),
        other => json!({"channel": other, "message": message}),
    };
    value.to_string()
}

/// A choice's `postback_data` as text (the official document leaves its type open).
fn postback(choice: &Choice) -> Option<String> {
    match choice.common.postback_data.as_ref()? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn choice_title(choice: &Choice) -> String {
    match &choice.kind {
        ChoiceTypes::TextMessage(t) => t.text.clone(),
        ChoiceTypes::UrlMessage(u) => u.title.clone(),
        ChoiceTypes::CallMessage(c) => c.title.clone(),
        ChoiceTypes::LocationMessage(l) => l.title.clone(),
        ChoiceTypes::CalendarMessage(c) => c.title.clone(),
        ChoiceTypes::ShareLocationMessage(s) => s.title.clone(),
        _ => String::new(),
    }
}

fn choice_plain(choice: &Choice) -> String {
    let title = choice_title(choice);
    match &choice.kind {
        ChoiceTypes::UrlMessage(u) => format!("{title}: {}", u.url),
        ChoiceTypes::CallMessage(c) => format!("{title}: {}", c.phone_number),
        _ => title,
    }
}

fn choices_plain(choices: &[Choice]) -> String {
    choices
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{}. {}", i + 1, choice_plain(c)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn card_plain(card: &CardMessage) -> String {
    let mut lines = Vec::new();
    lines.extend(card.title.clone());
    lines.extend(card.description.clone());
    lines.extend(card.media_message.as_ref().map(|m| m.url.clone()));
    if !card.choices.is_empty() {
        lines.push(choices_plain(&card.choices));
    }
    lines.join("\n")
}

fn template_plain(reference: Option<&TemplateReferenceWithVersion>) -> String {
    let Some(reference) = reference else {
        return String::new();
    };
    let mut params: Vec<_> = reference.parameters.iter().collect();
    params.sort();
    let params: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let version = match reference.version.as_str() {
        "" => "latest",
        version => version,
    };
    format!(
        "[template {} v{version}] {}",
        reference.template_id,
        params.join(", ")
    )
    .trim_end()
    .to_owned()
}

/// The message as plain text, for text-only channels.
pub(crate) fn plain_text(message: &AppMessage) -> String {
    match &message.kind {
        Kind::TextMessage(t) => t.text.clone(),
        Kind::MediaMessage(m) => m.url.clone(),
        Kind::ChoiceMessage(c) => {
            let text = c
                .text_message
                .as_ref()
                .map(|t| t.text.clone())
                .unwrap_or_default();
            format!("{text}\n{}", choices_plain(&c.choices))
                .trim()
                .to_owned()
        }
        Kind::CardMessage(card) => card_plain(card),
        Kind::CarouselMessage(carousel) => {
            let mut parts: Vec<String> = carousel.cards.iter().map(card_plain).collect();
            if !carousel.choices.is_empty() {
                parts.push(choices_plain(&carousel.choices));
            }
            parts.join("\n\n")
        }
        Kind::LocationMessage(l) => {
            let (lat, lng) = (l.coordinates.latitude, l.coordinates.longitude);
            let title = [Some(l.title.clone()), l.label.clone()]
                .into_iter()
                .flatten()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            format!("{title} https://maps.google.com/?q={lat},{lng}")
                .trim()
                .to_owned()
        }
        Kind::TemplateMessage(t) => template_plain(t.omni_template.as_ref()),
        Kind::ListMessage(list) => {
            let mut lines = vec![list.title.clone()];
            lines.extend(list.description.clone());
            lines.join("\n")
        }
        Kind::ContactInfoMessage(contact) => contact.name.full_name.clone(),
        _ => String::new(),
    }
}

fn media_kind(url: &str) -> &'static str {
    let lower = url.to_ascii_lowercase();
    let path = lower.split(['?', '#']).next().unwrap_or_default();
    if [".jpg", ".jpeg", ".png", ".gif", ".webp"]
        .iter()
        .any(|e| path.ends_with(e))
    {
        "image"
    } else if [".mp4", ".3gp", ".mov"].iter().any(|e| path.ends_with(e)) {
        "video"
    } else if [".mp3", ".ogg", ".aac", ".amr"]
        .iter()
        .any(|e| path.ends_with(e))
    {
        "audio"
    } else {
        "document"
    }
}

fn whatsapp(message: &AppMessage, to: &str) -> Value {
    let mut out =
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": to});
    let body = match &message.kind {
        Kind::MediaMessage(m) => {
            let kind = media_kind(&m.url);
            json!({"type": kind, kind: {"link": m.url}})
        }
        Kind::ChoiceMessage(c) => {
            let buttons: Vec<Value> = c
                .choices
                .iter()
                .enumerate()
                .map(|(i, ch)| {
                    json!({"type": "reply", "reply": {
                        "id": postback(ch).unwrap_or_else(|| format!("choice_{i}")),
                        "title": choice_title(ch)}})
                })
                .collect();
            let text = c
                .text_message
                .as_ref()
                .map(|t| t.text.clone())
                .unwrap_or_default();
            json!({"type": "interactive", "interactive": {"type": "button",
                "body": {"text": text}, "action": {"buttons": buttons}}})
        }
        Kind::LocationMessage(l) => {
            json!({"type": "location", "location": {"latitude": l.coordinates.latitude,
                "longitude": l.coordinates.longitude, "name": l.title, "address": l.label}})
        }
        Kind::TemplateMessage(t) => {
            let (name, language, parameters) = match t.channel_template.get("WHATSAPP") {
                Some(r) => (
                    Some(r.template_id.clone()),
                    r.language_code.clone(),
                    &r.parameters,
                ),
                None => match &t.omni_template {
                    Some(r) => (
                        Some(r.template_id.clone()),
                        r.language_code.clone(),
                        &r.parameters,
                    ),
                    None => (None, None, &Default::default()),
                },
            };
            let mut params: Vec<_> = parameters.iter().collect();
            params.sort();
            let parameters: Vec<Value> = params
                .iter()
                .map(|(_, v)| json!({"type": "text", "text": v}))
                .collect();
            json!({"type": "template", "template": {
                "name": name,
                "language": {"code": language.unwrap_or_else(|| "en_US".into())},
                "components": [{"type": "body", "parameters": parameters}]}})
        }
        _ => json!({"type": "text", "text": {"body": plain_text(message)}}),
    };
    if let (Value::Object(out), Value::Object(body)) = (&mut out, body) {
        out.extend(body);
    }
    out
}

fn messenger_element(card: &CardMessage) -> Value {
    let buttons: Vec<Value> = card
        .choices
        .iter()
        .map(|c| match &c.kind {
            ChoiceTypes::UrlMessage(u) => {
                json!({"type": "web_url", "url": u.url, "title": u.title})
            }
            _ => json!({"type": "postback", "title": choice_title(c), "payload": postback(c)}),
        })
        .collect();
    json!({"title": card.title, "subtitle": card.description,
        "image_url": card.media_message.as_ref().map(|m| m.url.clone()), "buttons": buttons})
}

fn messenger(message: &AppMessage, to: &str) -> Value {
    let body = match &message.kind {
        Kind::MediaMessage(m) => {
            let kind = match media_kind(&m.url) {
                "document" => "file",
                other => other,
            };
            json!({"attachment": {"type": kind, "payload": {"url": m.url, "is_reusable": true}}})
        }
        Kind::ChoiceMessage(c) => {
            let replies: Vec<Value> = c
                .choices
                .iter()
                .map(|ch| json!({"content_type": "text", "title": choice_title(ch), "payload": postback(ch)}))
                .collect();
            json!({"text": c.text_message.as_ref().map(|t| t.text.clone()), "quick_replies": replies})
        }
        Kind::CardMessage(card) => {
            json!({"attachment": {"type": "template", "payload": {"template_type": "generic",
                "elements": [messenger_element(card)]}}})
        }
        Kind::CarouselMessage(carousel) => {
            let elements: Vec<Value> = carousel.cards.iter().map(messenger_element).collect();
            json!({"attachment": {"type": "template", "payload": {"template_type": "generic",
                "elements": elements}}})
        }
        _ => json!({"text": plain_text(message)}),
    };
    json!({"recipient": {"id": to}, "messaging_type": "RESPONSE", "message": body})
}

fn rcs_suggestions(choices: &[Choice]) -> Vec<Value> {
    choices
        .iter()
        .map(|c| {
            let text = choice_title(c);
            let postback = postback(c).unwrap_or_default();
            match &c.kind {
                ChoiceTypes::UrlMessage(u) => json!({"action": {"text": text,
                    "postbackData": postback, "openUrlAction": {"url": u.url}}}),
                ChoiceTypes::CallMessage(call) => json!({"action": {"text": text,
                    "postbackData": postback, "dialAction": {"phoneNumber": call.phone_number}}}),
                _ => json!({"reply": {"text": text, "postbackData": postback}}),
            }
        })
        .collect()
}

fn rcs_card(card: &CardMessage) -> Value {
    json!({"title": card.title, "description": card.description,
        "media": card.media_message.as_ref().map(|m| json!({
            "height": card.height.as_ref().map(|h| h.to_string()).unwrap_or_else(|| "MEDIUM".into()),
            "contentInfo": {"fileUrl": m.url}})),
        "suggestions": rcs_suggestions(&card.choices)})
}

fn rcs(message: &AppMessage) -> Value {
    let content = match &message.kind {
        Kind::MediaMessage(m) => {
            json!({"contentInfo": {"fileUrl": m.url, "thumbnailUrl": m.thumbnail_url}})
        }
        Kind::ChoiceMessage(c) => json!({"text": c.text_message.as_ref().map(|t| t.text.clone()),
            "suggestions": rcs_suggestions(&c.choices)}),
        Kind::CardMessage(card) => json!({"richCard": {"standaloneCard": {
            "cardOrientation": "VERTICAL", "cardContent": rcs_card(card)}}}),
        Kind::CarouselMessage(carousel) => {
            let cards: Vec<Value> = carousel.cards.iter().map(rcs_card).collect();
            json!({"richCard": {"carouselCard": {"cardWidth": "MEDIUM", "cardContents": cards}},
                "suggestions": rcs_suggestions(&carousel.choices)})
        }
        _ => json!({"text": plain_text(message)}),
    };
    json!({"contentMessage": content})
}

fn viber(message: &AppMessage, to: &str) -> Value {
    match &message.kind {
        Kind::MediaMessage(m) => {
            let url = m.url.clone();
            match media_kind(&url) {
                "image" => json!({"receiver": to, "type": "picture", "text": "", "media": url}),
                "video" => json!({"receiver": to, "type": "video", "media": url, "size": 0}),
                _ => {
                    json!({"receiver": to, "type": "file", "media": url, "file_name": url.rsplit('/').next()})
                }
            }
        }
        Kind::LocationMessage(l) => json!({"receiver": to, "type": "location",
            "location": {"lat": l.coordinates.latitude, "lon": l.coordinates.longitude}}),
        _ => {
            json!({"receiver": to, "min_api_version": 7, "type": "text", "text": plain_text(message)})
        }
    }
}

fn mms(message: &AppMessage, from: &str, to: &str) -> Value {
    let mut slide = serde_json::Map::new();
    let media = match &message.kind {
        Kind::MediaMessage(m) => Some(m.url.clone()),
        Kind::CardMessage(c) => c.media_message.as_ref().map(|m| m.url.clone()),
        _ => None,
    };
    if let Some(url) = media {
        slide.insert(media_kind(&url).to_owned(), json!({"url": url}));
    }
    let text = match &message.kind {
        Kind::CardMessage(card) => [card.description.clone(), Some(choices_plain(&card.choices))]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n"),
        Kind::MediaMessage(_) => String::new(),
        _ => plain_text(message),
    };
    if !text.is_empty() {
        slide.insert("message-text".into(), json!(text));
    }
    let subject = match &message.kind {
        Kind::CardMessage(c) => c.title.clone().unwrap_or_default(),
        _ => String::new(),
    };
    json!({"to": to, "from": from, "message-subject": subject, "slide": [slide]})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(v: Value) -> AppMessage {
        serde_json::from_value(v).unwrap()
    }

    fn out(message: &AppMessage, channel: &str) -> Value {
        serde_json::from_str(&transcode(message, channel, "SENDER", "+4670")).unwrap()
    }

    #[test]
    fn text_per_channel() {
        let m = msg(json!({"text_message": {"text": "Hi"}}));
        assert_eq!(
            out(&m, "SMS"),
            json!({"from": "SENDER", "to": ["+4670"], "body": "Hi"})
        );
        assert_eq!(out(&m, "WHATSAPP")["text"]["body"], "Hi");
        assert_eq!(out(&m, "MESSENGER")["message"]["text"], "Hi");
        assert_eq!(out(&m, "RCS")["contentMessage"]["text"], "Hi");
        assert_eq!(out(&m, "VIBERBM")["text"], "Hi");
        assert_eq!(out(&m, "MMS")["slide"][0]["message-text"], "Hi");
        assert_eq!(out(&m, "TELEGRAM")["message"]["text_message"]["text"], "Hi");
    }

    #[test]
    fn rich_messages() {
        let choice = msg(json!({"choice_message": {"text_message": {"text": "Pick"},
            "choices": [{"text_message": {"text": "Yes"}, "postback_data": "y"},
                        {"url_message": {"title": "Site", "url": "https://e.com"}}]}}));
        assert_eq!(
            out(&choice, "SMS")["body"],
            "Pick\n1. Yes\n2. Site: https://e.com"
        );
        assert_eq!(
            out(&choice, "WHATSAPP")["interactive"]["action"]["buttons"][0]["reply"]["id"],
            "y"
        );
        let media = msg(json!({"media_message": {"url": "https://e.com/cat.JPG?x=1"}}));
        assert_eq!(
            out(&media, "WHATSAPP")["image"]["link"],
            "https://e.com/cat.JPG?x=1"
        );
        assert_eq!(
            out(&media, "MESSENGER")["message"]["attachment"]["type"],
            "image"
        );
        assert_eq!(
            out(&media, "MMS")["slide"][0]["image"]["url"],
            "https://e.com/cat.JPG?x=1"
        );
        let explicit = msg(json!({"text_message": {"text": "x"},
            "explicit_channel_message": {"SMS": "{\"body\":\"raw\"}"}}));
        assert_eq!(transcode(&explicit, "SMS", "", ""), "{\"body\":\"raw\"}");
        let template = msg(
            json!({"template_message": {"omni_template": {"template_id": "T1",
            "version": "2", "parameters": {"name": "Ada"}}}}),
        );
        assert_eq!(out(&template, "SMS")["body"], "[template T1 v2] name=Ada");
        assert_eq!(out(&template, "WHATSAPP")["template"]["name"], "T1");
    }
}
