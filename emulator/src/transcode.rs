//! `messages:transcode`: an app message rendered as each channel's native payload.
//!
//! The shapes follow each channel's public API (WhatsApp Cloud API, Messenger Send API, RCS
//! Business Messaging, Viber, Sinch SMS batches, Sinch MMS); they are plausible, not byte-exact
//! copies of what the real API produces.

use serde_json::{Value, json};
use sinch_conversation::types::{AppMessage, CardMessage, Choice, TemplateReference};

/// The transcoded payload of `message` for `channel`, as a JSON string.
pub(crate) fn transcode(message: &AppMessage, channel: &str, from: &str, to: &str) -> String {
    if let Some(explicit) = message.explicit_channel_message.get(channel) {
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

fn choice_title(choice: &Choice) -> String {
    if let Some(t) = &choice.text_message {
        return t.text.clone().unwrap_or_default();
    }
    if let Some(u) = &choice.url_message {
        return u.title.clone().unwrap_or_default();
    }
    if let Some(c) = &choice.call_message {
        return c.title.clone();
    }
    if let Some(l) = &choice.location_message {
        return l.title.clone().unwrap_or_default();
    }
    String::new()
}

fn choice_plain(choice: &Choice) -> String {
    let title = choice_title(choice);
    if let Some(u) = &choice.url_message {
        return format!("{title}: {}", u.url.clone().unwrap_or_default());
    }
    if let Some(c) = &choice.call_message {
        return format!("{title}: {}", c.phone_number);
    }
    title
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
    lines.extend(card.media_message.as_ref().and_then(|m| m.url.clone()));
    if !card.choices.is_empty() {
        lines.push(choices_plain(&card.choices));
    }
    lines.join("\n")
}

fn template_plain(reference: Option<&TemplateReference>) -> String {
    let Some(reference) = reference else {
        return String::new();
    };
    let mut params: Vec<_> = reference.parameters.iter().collect();
    params.sort();
    let params: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(
        "[template {} v{}] {}",
        reference.template_id.as_deref().unwrap_or_default(),
        reference.version.as_deref().unwrap_or("latest"),
        params.join(", ")
    )
    .trim_end()
    .to_owned()
}

/// The message as plain text, for text-only channels.
pub(crate) fn plain_text(message: &AppMessage) -> String {
    if let Some(t) = &message.text_message {
        return t.text.clone().unwrap_or_default();
    }
    if let Some(m) = &message.media_message {
        return m.url.clone().unwrap_or_default();
    }
    if let Some(c) = &message.choice_message {
        let text = c
            .text_message
            .as_ref()
            .and_then(|t| t.text.clone())
            .unwrap_or_default();
        return format!("{text}\n{}", choices_plain(&c.choices))
            .trim()
            .to_owned();
    }
    if let Some(card) = &message.card_message {
        return card_plain(card);
    }
    if let Some(carousel) = &message.carousel_message {
        let mut parts: Vec<String> = carousel.cards.iter().map(card_plain).collect();
        if !carousel.choices.is_empty() {
            parts.push(choices_plain(&carousel.choices));
        }
        return parts.join("\n\n");
    }
    if let Some(l) = &message.location_message {
        let (lat, lng) = l
            .coordinates
            .as_ref()
            .map(|c| {
                (
                    c.latitude.unwrap_or_default(),
                    c.longitude.unwrap_or_default(),
                )
            })
            .unwrap_or_default();
        let title = [l.title.clone(), l.label.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        return format!("{title} https://maps.google.com/?q={lat},{lng}")
            .trim()
            .to_owned();
    }
    if let Some(t) = &message.template_message {
        return template_plain(t.omni_template.as_ref());
    }
    String::new()
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
    let body = if let Some(m) = &message.media_message {
        let url = m.url.clone().unwrap_or_default();
        let kind = media_kind(&url);
        json!({"type": kind, kind: {"link": url}})
    } else if let Some(c) = &message.choice_message {
        let buttons: Vec<Value> = c
            .choices
            .iter()
            .enumerate()
            .map(|(i, ch)| {
                json!({"type": "reply", "reply": {
                    "id": ch.postback_data.clone().unwrap_or_else(|| format!("choice_{i}")),
                    "title": choice_title(ch)}})
            })
            .collect();
        let text = c
            .text_message
            .as_ref()
            .and_then(|t| t.text.clone())
            .unwrap_or_default();
        json!({"type": "interactive", "interactive": {"type": "button",
            "body": {"text": text}, "action": {"buttons": buttons}}})
    } else if let Some(l) = &message.location_message {
        let c = l.coordinates.clone().unwrap_or_default();
        json!({"type": "location", "location": {"latitude": c.latitude, "longitude": c.longitude,
            "name": l.title, "address": l.label}})
    } else if let Some(t) = &message.template_message {
        let reference = t
            .channel_template
            .get("WHATSAPP")
            .or(t.omni_template.as_ref());
        let mut params: Vec<_> = reference
            .map(|r| r.parameters.iter().collect())
            .unwrap_or_else(Vec::new);
        params.sort();
        let parameters: Vec<Value> = params
            .iter()
            .map(|(_, v)| json!({"type": "text", "text": v}))
            .collect();
        json!({"type": "template", "template": {
            "name": reference.and_then(|r| r.template_id.clone()),
            "language": {"code": reference.and_then(|r| r.language_code.clone()).unwrap_or_else(|| "en_US".into())},
            "components": [{"type": "body", "parameters": parameters}]}})
    } else {
        json!({"type": "text", "text": {"body": plain_text(message)}})
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
        .map(|c| match &c.url_message {
            Some(u) => json!({"type": "web_url", "url": u.url, "title": u.title}),
            None => {
                json!({"type": "postback", "title": choice_title(c), "payload": c.postback_data})
            }
        })
        .collect();
    json!({"title": card.title, "subtitle": card.description,
        "image_url": card.media_message.as_ref().and_then(|m| m.url.clone()), "buttons": buttons})
}

fn messenger(message: &AppMessage, to: &str) -> Value {
    let body = if let Some(m) = &message.media_message {
        let url = m.url.clone().unwrap_or_default();
        let kind = match media_kind(&url) {
            "document" => "file",
            other => other,
        };
        json!({"attachment": {"type": kind, "payload": {"url": url, "is_reusable": true}}})
    } else if let Some(c) = &message.choice_message {
        let replies: Vec<Value> = c
            .choices
            .iter()
            .map(|ch| json!({"content_type": "text", "title": choice_title(ch), "payload": ch.postback_data}))
            .collect();
        json!({"text": c.text_message.as_ref().and_then(|t| t.text.clone()), "quick_replies": replies})
    } else if let Some(card) = &message.card_message {
        json!({"attachment": {"type": "template", "payload": {"template_type": "generic",
            "elements": [messenger_element(card)]}}})
    } else if let Some(carousel) = &message.carousel_message {
        let elements: Vec<Value> = carousel.cards.iter().map(messenger_element).collect();
        json!({"attachment": {"type": "template", "payload": {"template_type": "generic",
            "elements": elements}}})
    } else {
        json!({"text": plain_text(message)})
    };
    json!({"recipient": {"id": to}, "messaging_type": "RESPONSE", "message": body})
}

fn rcs_suggestions(choices: &[Choice]) -> Vec<Value> {
    choices
        .iter()
        .map(|c| {
            let text = choice_title(c);
            let postback = c.postback_data.clone().unwrap_or_default();
            if let Some(u) = &c.url_message {
                json!({"action": {"text": text, "postbackData": postback,
                    "openUrlAction": {"url": u.url}}})
            } else if let Some(call) = &c.call_message {
                json!({"action": {"text": text, "postbackData": postback,
                    "dialAction": {"phoneNumber": call.phone_number}}})
            } else {
                json!({"reply": {"text": text, "postbackData": postback}})
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
    let content = if let Some(m) = &message.media_message {
        json!({"contentInfo": {"fileUrl": m.url, "thumbnailUrl": m.thumbnail_url}})
    } else if let Some(c) = &message.choice_message {
        json!({"text": c.text_message.as_ref().and_then(|t| t.text.clone()),
            "suggestions": rcs_suggestions(&c.choices)})
    } else if let Some(card) = &message.card_message {
        json!({"richCard": {"standaloneCard": {"cardOrientation": "VERTICAL",
            "cardContent": rcs_card(card)}}})
    } else if let Some(carousel) = &message.carousel_message {
        let cards: Vec<Value> = carousel.cards.iter().map(rcs_card).collect();
        json!({"richCard": {"carouselCard": {"cardWidth": "MEDIUM", "cardContents": cards}},
            "suggestions": rcs_suggestions(&carousel.choices)})
    } else {
        json!({"text": plain_text(message)})
    };
    json!({"contentMessage": content})
}

fn viber(message: &AppMessage, to: &str) -> Value {
    if let Some(m) = &message.media_message {
        let url = m.url.clone().unwrap_or_default();
        return match media_kind(&url) {
            "image" => json!({"receiver": to, "type": "picture", "text": "", "media": url}),
            "video" => json!({"receiver": to, "type": "video", "media": url, "size": 0}),
            _ => {
                json!({"receiver": to, "type": "file", "media": url, "file_name": url.rsplit('/').next()})
            }
        };
    }
    if let Some(l) = &message.location_message {
        let c = l.coordinates.clone().unwrap_or_default();
        return json!({"receiver": to, "type": "location",
            "location": {"lat": c.latitude, "lon": c.longitude}});
    }
    json!({"receiver": to, "min_api_version": 7, "type": "text", "text": plain_text(message)})
}

fn mms(message: &AppMessage, from: &str, to: &str) -> Value {
    let mut slide = serde_json::Map::new();
    if let Some(url) = message
        .media_message
        .as_ref()
        .and_then(|m| m.url.clone())
        .or_else(|| {
            message
                .card_message
                .as_ref()
                .and_then(|c| c.media_message.as_ref())
                .and_then(|m| m.url.clone())
        })
    {
        slide.insert(media_kind(&url).to_owned(), json!({"url": url}));
    }
    let text = match &message.card_message {
        Some(card) => [card.description.clone(), Some(choices_plain(&card.choices))]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n"),
        None if message.media_message.is_some() => String::new(),
        None => plain_text(message),
    };
    if !text.is_empty() {
        slide.insert("message-text".into(), json!(text));
    }
    let subject = message
        .card_message
        .as_ref()
        .and_then(|c| c.title.clone())
        .unwrap_or_default();
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
