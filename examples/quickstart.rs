//! The README's main command: send a message and receive its signed delivery report.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! Without `SINCH_*` credentials in the environment it starts the local emulator in-process
//! (and says so). With `SINCH_PROJECT_ID`, `SINCH_KEY_ID`, `SINCH_KEY_SECRET` and
//! `SINCH_REGION` (or `SINCH_CONVERSATION_URL`) it talks to that API instead; then also set
//! `SINCH_TO` (the phone number to text) and, to receive the delivery report,
//! `SINCH_WEBHOOK_URL`: a public URL forwarding to this program's receiver on
//! `127.0.0.1:$SINCH_WEBHOOK_PORT` (default 3000). `SINCH_APP_ID` reuses an existing app
//! instead of creating one (the SMS credentials of a new app come from
//! `SINCH_SMS_SERVICE_PLAN_ID` and `SINCH_SMS_API_TOKEN`).
//!
//! Steps: create an app and a webhook with a secret (served by a local callback receiver),
//! send a text, print its id, receive and verify the signed delivery callback, list the
//! conversation's messages, clean up.

use std::{process::ExitCode, time::Duration};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use chrono::Utc;
use sinch_conversation::{
    ClientBuilder, ClientInfo as _, ResponseValue,
    error::Error,
    types::{self, ConversationChannel, Recipient},
    webhooks::{Event, Receiver},
};
use sinch_conversation_emulator::Emulator;
use tokio::sync::mpsc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The value of a generated operation's answer (its status and headers are not needed here).
async fn api<T>(result: Result<ResponseValue<T>, Error>) -> Result<T, Error> {
    Ok(result?.into_inner())
}

#[derive(Clone)]
struct Callbacks {
    receiver: Receiver,
    events: mpsc::UnboundedSender<Event>,
}

/// The webhook target: verifies the signature, parses the event, hands it to `main`.
async fn callback(State(state): State<Callbacks>, headers: HeaderMap, body: Bytes) -> StatusCode {
    match state.receiver.receive(&headers, &body, Utc::now()) {
        Ok(event) => {
            let _ = state.events.send(event);
            StatusCode::OK
        }
        Err(error) => {
            eprintln!("  rejected a callback: {error}");
            StatusCode::UNAUTHORIZED
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("quickstart failed: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), BoxError> {
    let started = std::time::Instant::now();

    // 1. The API: the real one when credentials are in the environment, else the emulator.
    let live = ["SINCH_PROJECT_ID", "SINCH_KEY_ID", "SINCH_KEY_SECRET"]
        .iter()
        .any(|name| env(name).is_some());
    let (client, emulator) = if live {
        let client = ClientBuilder::from_env()?.build()?;
        println!(
            "Using the Conversation API at {} (project {})",
            client.baseurl(),
            client.project()
        );
        (client, None)
    } else {
        let emulator = Emulator::start().await?;
        println!(
            "No SINCH_* credentials in the environment: using the local emulator at {}",
            emulator.base_url()
        );
        (emulator.client()?, Some(emulator))
    };

    // 2. A local receiver for the callbacks, checking each signature with the webhook's secret.
    // A random secret (std's hasher keys are random per process).
    let random = std::hash::BuildHasher::hash_one(
        &std::collections::hash_map::RandomState::new(),
        std::time::SystemTime::now(),
    );
    let secret = format!("quickstart-{random:016x}");
    let port: u16 = match (live, env("SINCH_WEBHOOK_PORT")) {
        (_, Some(port)) => port.parse()?,
        (true, None) => 3000,
        (false, None) => 0,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let local_url = format!("http://{}/callbacks", listener.local_addr()?);
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let state = Callbacks {
        receiver: Receiver::new(secret.clone()),
        events: events_tx,
    };
    let app = Router::new()
        .route("/callbacks", post(callback))
        .with_state(state);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let target = match (live, env("SINCH_WEBHOOK_URL")) {
        (_, Some(url)) => Some(url),
        (false, None) => Some(local_url.clone()),
        (true, None) => None,
    };
    println!("Callback receiver listening on {local_url}");

    // 3. An app (or the one named by SINCH_APP_ID).
    let (app_id, created_app) = match env("SINCH_APP_ID") {
        Some(app_id) => (app_id, false),
        None => {
            let (plan, token) = (
                env("SINCH_SMS_SERVICE_PLAN_ID").unwrap_or_else(|| "quickstart-plan".into()),
                env("SINCH_SMS_API_TOKEN").unwrap_or_else(|| "quickstart-token".into()),
            );
            let sms = types::ConversationChannelCredentials::new(
                ConversationChannel::Sms,
                types::StaticBearerCredentials::new(plan, token),
            );
            let app = types::AppCreateRequest::new(vec![sms], "Rust quickstart");
            let app = api(client.create_app().body(app).send().await).await?;
            let app_id = app.id.ok_or("the API returned an app without an id")?;
            println!("Created app {app_id}");
            (app_id, true)
        }
    };

    // 4. A webhook with a secret, for delivery reports.
    let webhook_id = match &target {
        Some(target) => {
            let webhook = types::CreateWebhookBody::new(app_id.clone(), target.clone())
                .with_secret(secret.as_str())
                .with_triggers([types::WebhookTrigger::MessageDelivery]);
            let webhook = api(client.create_webhook().body(webhook).send().await).await?;
            let id = webhook
                .id
                .ok_or("the API returned a webhook without an id")?;
            println!("Created webhook {id} -> {target} (MESSAGE_DELIVERY, signed)");
            Some(id)
        }
        None => {
            println!(
                "SINCH_WEBHOOK_URL is not set: the live API cannot reach {local_url}, so the \
                 delivery report is not awaited"
            );
            None
        }
    };

    // 5. Send a text.
    let to = match (live, env("SINCH_TO")) {
        (_, Some(to)) => to,
        (false, None) => "+46700000001".to_owned(),
        (true, None) => return Err("set SINCH_TO to the phone number to send to".into()),
    };
    let sent = client
        .send_text(
            &app_id,
            Recipient::channel(ConversationChannel::Sms, &to),
            "Hello from the Rust quickstart!",
        )
        .send()
        .await?;
    let message_id = sent.message_id.ok_or("the API returned no message id")?;
    println!("Sent message {message_id} to {to}");

    // 6. Its delivery report, signature verified by the receiver.
    let mut conversation_id = None;
    if webhook_id.is_some() {
        let wait = if live { 60 } else { 10 };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(wait);
        loop {
            // A webhook was set up, so a missing report is a failure, live or not.
            let event = match tokio::time::timeout_at(deadline, events.recv()).await {
                Ok(Some(event)) => event,
                _ => return Err(format!("no delivery report within {wait} s").into()),
            };
            let Event::MessageDelivery(report) = event else {
                continue;
            };
            if report.payload.message_id.as_deref() != Some(message_id.as_str()) {
                continue;
            }
            let status = report
                .payload
                .status
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default();
            println!("Delivery report (signature verified): {status}");
            conversation_id = report.payload.conversation_id.clone();
            if matches!(status.as_str(), "DELIVERED" | "FAILED" | "READ") {
                break;
            }
        }
    }

    // 7. The conversation's messages.
    let conversation_id = match conversation_id.filter(|id| !id.is_empty()) {
        Some(id) => Some(id),
        None => api(client.get_message().message_id(&message_id).send().await)
            .await
            .ok()
            .and_then(|m| m.conversation_id.clone()),
    };
    match conversation_id {
        Some(conversation_id) => {
            let list = api(client
                .list_messages()
                .conversation_id(&conversation_id)
                .send()
                .await)
            .await?;
            println!(
                "Conversation {conversation_id} has {} message(s):",
                list.messages.len()
            );
            for message in &list.messages {
                let text = message.as_text().unwrap_or("(not text)");
                let direction = message
                    .direction
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                println!(
                    "  {} {direction}: {text}",
                    message.id.as_deref().unwrap_or("?")
                );
            }
        }
        None => println!("The message is not in a conversation (yet); nothing to list"),
    }

    // 8. Clean up what was created.
    if let Some(id) = webhook_id {
        api(client.delete_webhook().webhook_id(id).send().await).await?;
    }
    if created_app {
        api(client.delete_app().app_id(&app_id).send().await).await?;
    }
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    println!("Done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
