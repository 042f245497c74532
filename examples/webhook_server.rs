//! Receives Conversation API callbacks, verifies their signatures and prints the typed events.
//!
//! ```sh
//! SINCH_WEBHOOK_SECRET=my-secret cargo run --example webhook_server --features axum
//! ```
//!
//! Then point a webhook (with the same `secret`) at `http://<public address>:3000/callbacks`
//! (`PORT` changes the port). Requests with a missing or wrong signature get `401`, bodies that
//! are not callbacks `400`.

use std::net::SocketAddr;

use axum::{Router, http::StatusCode, routing::post};
use sinch_conversation::webhooks::{
    Event, Receiver,
    axum::{VerifiedEvent, WebhookRejection},
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("SINCH_WEBHOOK_SECRET")
        .map_err(|_| "set SINCH_WEBHOOK_SECRET to the secret configured on the webhook")?;
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse()?,
        Err(_) => 3000,
    };

    let app = Router::new()
        .route("/callbacks", post(callback))
        .with_state(Receiver::new(secret));

    let addr = SocketAddr::from(([0, 0, 0, 0], port));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("listening on http://{}/callbacks", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

/// Takes the rejection too, to log it before answering with its status.
async fn callback(event: Result<VerifiedEvent, WebhookRejection>) -> StatusCode {
    let event = match event {
        Ok(VerifiedEvent(event)) => event,
        Err(rejection) => {
            eprintln!("rejected callback ({}): {rejection}", rejection.status());
            return rejection.status();
        }
    };
    let envelope = event.envelope();
    let trigger = event.trigger_name().unwrap_or("unknown trigger");
    println!(
        "{trigger} for app {:?} at {:?}",
        envelope.app_id, envelope.accepted_time
    );
    match &event {
        Event::MessageInbound(cb) => {
            let message = &cb.payload;
            let text = message.contact_message.as_ref().and_then(|m| m.as_text());
            let from = message
                .channel_identity
                .as_ref()
                .map(|c| (&c.channel, &c.identity));
            println!("  from {from:?}: {text:?}");
        }
        Event::MessageDelivery(cb) => {
            let report = &cb.payload;
            println!(
                "  message {:?} is {:?} (reason: {:?})",
                report.message_id, report.status, report.reason
            );
        }
        Event::ContactCreate(cb) | Event::ContactUpdate(cb) | Event::ContactDelete(cb) => {
            if let Some(contact) = &cb.payload.contact {
                println!("  contact {:?} ({:?})", contact.id, contact.display_name);
            }
        }
        Event::OptIn(cb) => println!("  opt-in {:?}", cb.payload.status),
        Event::OptOut(cb) => println!("  opt-out {:?}", cb.payload.status),
        Event::Unknown(unknown) => println!("  raw: {}", unknown.raw),
        other => println!("  {other:?}"),
    }
    StatusCode::OK
}
