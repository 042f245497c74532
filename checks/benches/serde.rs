//! Serialisation and parsing costs of the generated models (criterion).
//!
//! `cargo bench -p sinch-conversation-checks --bench serde`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use sinch_conversation::types::{
    AppMessage, CardMessage, Choice, ConversationChannel, ListMessagesResponse, Recipient,
    SendMessageRequest,
};

fn request(message: AppMessage) -> SendMessageRequest {
    SendMessageRequest::builder()
        .app_id("01EB6FZFMN7DHE2Q0ABCDEFG")
        .recipient(Recipient::channel(ConversationChannel::Sms, "+46700000001"))
        .message(message)
        .channel_priority_order(vec![
            ConversationChannel::Whatsapp,
            ConversationChannel::Sms,
        ])
        .message_metadata(Some("order-42".to_string()))
        .ttl(Some("600s".to_string()))
        .try_into()
        .expect("every required field is set")
}

fn product_card(i: usize) -> CardMessage {
    CardMessage::new(
        format!("Product {i}"),
        "A fine thing, in stock and ready to ship.",
    )
    .with_media(format!("https://cdn.example.com/p/{i}.jpg"))
    .with_choices([
        Choice::reply("Buy", format!("buy-{i}")),
        Choice::url("Details", format!("https://example.com/p/{i}")),
    ])
}

fn list_messages_body() -> Vec<u8> {
    let messages: Vec<_> = (0..20)
        .map(|i| {
            json!({
                "id": format!("01FJA8B4A7BM43YGWSG9GBV{i:03}"),
                "direction": if i % 2 == 0 { "TO_APP" } else { "TO_CONTACT" },
                "contact_message": {"text_message": {"text": format!("message number {i}")}},
                "channel_identity": {"channel": "WHATSAPP", "identity": "46700000001", "app_id": "01EB6FZFMN7DHE2Q0ABCDEFG"},
                "conversation_id": "01FJA8B4A7BM43YGWSG9GBV067",
                "contact_id": "01FJA8B466Y0R2GNXD78MD9SM1",
                "metadata": "",
                "accept_time": "2026-11-26T10:00:00.123Z"
            })
        })
        .collect();
    serde_json::to_vec(&json!({"messages": messages, "next_page_token": "CAEQFA"})).unwrap()
}

fn benches(c: &mut Criterion) {
    let text = request(AppMessage::text(
        "Your order #42 has shipped and will arrive tomorrow.",
    ));
    let card = request(AppMessage::card(product_card(1)));
    let carousel = request(AppMessage::carousel((0..5).map(product_card)));
    c.bench_function("serialise text SendMessageRequest", |b| {
        b.iter(|| serde_json::to_vec(black_box(&text)).unwrap())
    });
    c.bench_function("serialise card SendMessageRequest", |b| {
        b.iter(|| serde_json::to_vec(black_box(&card)).unwrap())
    });
    c.bench_function("serialise carousel (5 cards) SendMessageRequest", |b| {
        b.iter(|| serde_json::to_vec(black_box(&carousel)).unwrap())
    });
    let list = list_messages_body();
    c.bench_function("parse ListMessagesResponse (20 messages)", |b| {
        b.iter(|| serde_json::from_slice::<ListMessagesResponse>(black_box(&list)).unwrap())
    });
    let delivered =
        include_bytes!("../../tests/resources/webhooks/message_delivery_delivered.json");
    c.bench_function("parse delivery-report callback", |b| {
        b.iter(|| sinch_conversation::webhooks::parse(black_box(delivered)).unwrap())
    });
}

criterion_group!(serde_benches, benches);
criterion_main!(serde_benches);
