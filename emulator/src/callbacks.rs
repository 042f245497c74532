//! Callbacks to webhooks: who gets which trigger, signing, and delivery with retries.

use std::{sync::Arc, time::Duration};

use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};
use sinch_conversation::webhooks::sign_headers;

use crate::{
    state::{Shared, shutdown_signal},
    stats::bump,
    store::{Store, new_id},
};

/// Callbacks one API call causes, before they are matched to webhooks.
#[derive(Debug, Clone)]
pub(crate) struct Emit {
    /// The trigger webhooks subscribe to (`MESSAGE_DELIVERY`, ...).
    pub(crate) trigger: &'static str,
    /// Only the webhooks of this app; `None`: the webhooks of every app of the project.
    pub(crate) app_id: Option<String>,
    /// Sent here, unsigned, instead of to the webhooks (a send request's `callback_url`).
    pub(crate) callback_url: Option<String>,
    /// Bodies (without `app_id`, which each webhook's app fills), each sent after its wait.
    pub(crate) steps: Vec<(Duration, Value)>,
}

impl Emit {
    /// One callback sent right away.
    pub(crate) fn now(trigger: &'static str, app_id: Option<String>, body: Value) -> Self {
        Self {
            trigger,
            app_id,
            callback_url: None,
            steps: vec![(Duration::ZERO, body)],
        }
    }
}

/// A timestamp as the API writes them.
pub(crate) fn timestamp() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The envelope of a callback around `payload` under `key`.
pub(crate) fn envelope(project_id: &str, key: &str, payload: Value, metadata: &str) -> Value {
    let now = timestamp();
    json!({
        "project_id": project_id,
        "accepted_time": now,
        "event_time": now,
        key: payload,
        "message_metadata": metadata,
        "correlation_id": "",
    })
}

/// One target's share of an [`Emit`].
#[derive(Debug)]
pub(crate) struct Job {
    target: String,
    secret: Option<String>,
    app_id: String,
    steps: Vec<(Duration, Value)>,
}

/// Matches emits to the webhooks subscribed to their trigger (under the store lock).
pub(crate) fn resolve(store: &Store, emits: Vec<Emit>) -> Vec<Job> {
    let mut jobs = Vec::new();
    for emit in emits {
        if let Some(url) = &emit.callback_url {
            jobs.push(Job {
                target: url.clone(),
                secret: None,
                app_id: emit.app_id.clone().unwrap_or_default(),
                steps: emit.steps.clone(),
            });
            continue;
        }
        for webhook in store.webhooks.values() {
            let app_matches = emit
                .app_id
                .as_deref()
                .is_none_or(|app| app == webhook.app_id);
            let subscribed = webhook
                .triggers
                .iter()
                .any(|t| t.to_string() == emit.trigger);
            if app_matches && subscribed {
                jobs.push(Job {
                    target: webhook.target.clone(),
                    secret: webhook.secret.clone().filter(|s| !s.is_empty()),
                    app_id: webhook.app_id.clone(),
                    steps: emit.steps.clone(),
                });
            }
        }
    }
    jobs
}

/// Starts delivering `jobs` in the background, one task per target, steps in order.
pub(crate) fn spawn(shared: &Arc<Shared>, jobs: Vec<Job>) {
    for job in jobs {
        let shared = Arc::clone(shared);
        let stop = shared.shutdown.clone();
        shared.runtime.clone().spawn(async move {
            tokio::select! {
                _ = run(&shared, job) => {}
                _ = shutdown_signal(stop) => {}
            }
        });
    }
}

async fn run(shared: &Shared, job: Job) {
    for (wait, mut body) in job.steps {
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        if let Value::Object(map) = &mut body {
            map.insert("app_id".into(), Value::String(job.app_id.clone()));
        }
        let Ok(bytes) = serde_json::to_vec(&body) else {
            continue;
        };
        deliver(shared, &job.target, job.secret.as_deref(), bytes).await;
    }
}

/// Posts one callback, retrying with exponential backoff while the target fails.
async fn deliver(shared: &Shared, target: &str, secret: Option<&str>, body: Vec<u8>) {
    let config = &shared.config;
    let counters = &shared.counters;
    let attempts = config.callback_attempts.max(1);
    for attempt in 1..=attempts {
        bump(&counters.callback_attempts);
        let mut request = shared
            .http
            .post(target)
            .timeout(config.callback_timeout)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.clone());
        if let Some(secret) = secret {
            // Signed afresh on every attempt, so a late retry is still within the tolerance.
            let headers = sign_headers(secret, &body, &new_id(), Utc::now().timestamp());
            for (name, value) in headers {
                request = request.header(name, value);
            }
        }
        match request.send().await {
            Ok(response) if response.status().is_success() => {
                bump(&counters.callbacks_delivered);
                return;
            }
            _ => bump(&counters.callback_failures),
        }
        if attempt < attempts {
            let factor = 1u32.checked_shl(attempt - 1).unwrap_or(u32::MAX);
            let delay = config
                .callback_backoff
                .saturating_mul(factor)
                .min(Duration::from_secs(60));
            tokio::time::sleep(delay).await;
        }
    }
    bump(&counters.callbacks_abandoned);
}
