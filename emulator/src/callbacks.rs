//! Callbacks to webhooks: who gets which trigger, signing, and delivery with retries.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, SubsecRound as _, Utc};
use sinch_conversation::{
    types::WebhookTrigger,
    webhooks::{Callback, Envelope, Event, sign_headers},
};

use crate::{
    state::{Shared, shutdown_signal},
    stats::bump,
    store::{Store, new_id},
};

/// Callbacks one API call causes, before they are matched to webhooks.
#[derive(Debug, Clone)]
pub(crate) struct Emit {
    /// Only the webhooks of this app. `None`: a project-level trigger (contacts), sent to the
    /// webhooks of every app with `"app_id": ""`, as the API does.
    pub(crate) app_id: Option<String>,
    /// Sent here instead of to the webhooks (a send request's `callback_url`), signed with the
    /// app's `callback_settings.secret_for_overridden_callback_urls` when it has one.
    pub(crate) callback_url: Option<String>,
    /// The callbacks, each the client's own typed [`Event`] (the official callback schemas),
    /// each sent after its wait. They share one trigger.
    pub(crate) steps: Vec<(Duration, Event)>,
}

impl Emit {
    /// One callback sent right away.
    pub(crate) fn now(app_id: Option<String>, event: Event) -> Self {
        Self {
            app_id,
            callback_url: None,
            steps: vec![(Duration::ZERO, event)],
        }
    }

    /// The trigger webhooks subscribe to (`MESSAGE_DELIVERY`, ...), from the official
    /// `WebhookTrigger` of the events.
    fn trigger(&self) -> Option<WebhookTrigger> {
        self.steps.first().and_then(|(_, event)| event.trigger())
    }
}

/// A timestamp as the API writes them (microseconds).
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// The envelope of a callback (`CallbackEventCommon`): `app_id` is `""` for the project-level
/// contact triggers.
pub(crate) fn envelope(project_id: &str, app_id: &str, metadata: &str) -> Envelope {
    let now = now();
    Envelope {
        accepted_time: Some(now),
        app_id: Some(app_id.to_owned()),
        correlation_id: Some(String::new()),
        event_time: Some(now),
        message_metadata: Some(metadata.to_owned()),
        project_id: Some(project_id.to_owned()),
    }
}

/// The callback of `envelope` and `payload`.
pub(crate) fn callback<T>(envelope: Envelope, payload: T) -> Callback<T> {
    Callback { envelope, payload }
}

/// Where a [`Job`] delivers: a webhook (two webhooks may share a target URL), or a URL.
#[derive(Debug, PartialEq, Eq)]
enum Destination {
    Webhook(String),
    Url(String),
}

/// Every callback of one API call for one destination, delivered one after the other.
#[derive(Debug)]
pub(crate) struct Job {
    destination: Destination,
    target: String,
    secret: Option<String>,
    /// Complete callbacks, each sent after its wait and after the one before has been
    /// delivered or abandoned.
    steps: Vec<(Duration, Event)>,
}

impl Job {
    /// The job of `destination` in `jobs`, added if it is not there yet.
    fn of<'j>(
        jobs: &'j mut Vec<Job>,
        destination: Destination,
        target: &str,
        secret: Option<String>,
    ) -> &'j mut Job {
        let index = match jobs.iter().position(|j| j.destination == destination) {
            Some(index) => index,
            None => {
                jobs.push(Job {
                    destination,
                    target: target.to_owned(),
                    secret,
                    steps: Vec::new(),
                });
                jobs.len() - 1
            }
        };
        &mut jobs[index]
    }

    fn push_steps(&mut self, steps: &[(Duration, Event)]) {
        self.steps.extend(steps.iter().cloned());
    }
}

/// Matches emits to the webhooks subscribed to their trigger (under the store lock): one job
/// per destination, holding its callbacks in the order they were emitted.
pub(crate) fn resolve(store: &Store, emits: Vec<Emit>) -> Vec<Job> {
    let mut jobs: Vec<Job> = Vec::new();
    for emit in emits {
        if let Some(url) = &emit.callback_url {
            let app_id = emit.app_id.as_deref().unwrap_or_default();
            let secret = store
                .apps
                .get(app_id)
                .and_then(|app| app.callback_settings.as_ref())
                .and_then(|settings| settings.secret_for_overridden_callback_urls.clone())
                .map(sinch_conversation::Secret::into_inner)
                .filter(|s| !s.is_empty());
            Job::of(&mut jobs, Destination::Url(url.clone()), url, secret).push_steps(&emit.steps);
            continue;
        }
        let Some(trigger) = emit.trigger() else {
            continue;
        };
        for webhook in store.webhooks.values() {
            let app_matches = emit
                .app_id
                .as_deref()
                .is_none_or(|app| webhook.app_id.as_deref() == Some(app));
            let subscribed = webhook.triggers.contains(&trigger);
            if app_matches && subscribed {
                let destination = Destination::Webhook(webhook.id.clone().unwrap_or_default());
                let secret = webhook
                    .secret
                    .clone()
                    .map(sinch_conversation::Secret::into_inner)
                    .filter(|s| !s.is_empty());
                Job::of(&mut jobs, destination, &webhook.target, secret).push_steps(&emit.steps);
            }
        }
    }
    jobs
}

/// Starts delivering `jobs` in the background: one task per job, its callbacks in order.
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
    for (wait, event) in job.steps {
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        // The JSON object the API sends: the envelope and the payload under its field.
        let Ok(bytes) = serde_json::to_vec(&event) else {
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
