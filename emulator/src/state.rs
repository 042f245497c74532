//! State shared by the server, the callback tasks and the [`Emulator`](crate::Emulator) handle.

use std::{
    sync::{Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use tokio::{runtime::Handle, sync::watch};

use crate::{faults::Faults, stats::Counters, store::Store, tokens::Tokens};

/// Locks a mutex, recovering the data of a poisoned one (a panicking test must not take the
/// emulator down with it).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Fixed settings, from the builder.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) project_id: String,
    pub(crate) key_id: String,
    pub(crate) key_secret: String,
    pub(crate) require_auth: bool,
    pub(crate) report_delay: Duration,
    pub(crate) callback_attempts: u32,
    pub(crate) callback_backoff: Duration,
    pub(crate) callback_timeout: Duration,
    pub(crate) max_messages: Option<usize>,
    pub(crate) retry_after: Duration,
    pub(crate) max_body: usize,
}

pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) store: Mutex<Store>,
    pub(crate) tokens: Mutex<Tokens>,
    pub(crate) faults: Mutex<Faults>,
    pub(crate) counters: Counters,
    /// Client for callbacks.
    pub(crate) http: reqwest::Client,
    /// Where callback tasks run.
    pub(crate) runtime: Handle,
    /// Becomes `true` when the emulator shuts down.
    pub(crate) shutdown: watch::Receiver<bool>,
}

/// Resolves when `shutdown` turns `true` (or its sender is gone).
pub(crate) async fn shutdown_signal(mut shutdown: watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}
