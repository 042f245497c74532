//! Request, callback and token counters, and their snapshots ([`Stats`]).

use std::{
    collections::BTreeMap,
    sync::atomic::{AtomicU64, Ordering},
};

use serde::Serialize;

use crate::ops::Operation;

/// Counters of one operation.
///
/// Every request routed to the operation is `received`; once answered it is counted in exactly
/// one of `succeeded` (2xx), `failed` (an error the emulator chose: validation, auth, not found)
/// or `injected` (a fault injected by a test: a status, or a dropped connection).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OperationStats {
    /// Requests received.
    pub received: u64,
    /// Requests answered with a 2xx status.
    pub succeeded: u64,
    /// Requests answered with an error status by the emulated API.
    pub failed: u64,
    /// Requests answered by an injected fault (status or dropped connection).
    pub injected: u64,
}

/// Counters of callback deliveries to webhooks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CallbackStats {
    /// HTTP attempts made.
    pub attempts: u64,
    /// Callbacks the target accepted (2xx).
    pub delivered: u64,
    /// Attempts that failed (error status or transport error) and were retried or abandoned.
    pub failed_attempts: u64,
    /// Callbacks given up after the last retry.
    pub abandoned: u64,
}

/// A snapshot of every counter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Per operation, by name ([`Operation::as_str`]); operations never called are included.
    pub operations: BTreeMap<String, OperationStats>,
    /// Callback deliveries.
    pub callbacks: CallbackStats,
    /// Access tokens issued by the token endpoint.
    pub tokens_issued: u64,
}

impl Stats {
    /// The counters of `op`.
    pub fn operation(&self, op: Operation) -> OperationStats {
        self.operations
            .get(op.as_str())
            .copied()
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct OpCounters {
    received: AtomicU64,
    succeeded: AtomicU64,
    failed: AtomicU64,
    injected: AtomicU64,
}

/// How a request ended, for the counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Succeeded,
    Failed,
    Injected,
}

/// The live counters.
pub(crate) struct Counters {
    ops: Vec<OpCounters>,
    pub(crate) callback_attempts: AtomicU64,
    pub(crate) callbacks_delivered: AtomicU64,
    pub(crate) callback_failures: AtomicU64,
    pub(crate) callbacks_abandoned: AtomicU64,
    pub(crate) tokens_issued: AtomicU64,
}

impl Default for Counters {
    fn default() -> Self {
        Self {
            ops: Operation::ALL
                .iter()
                .map(|_| OpCounters::default())
                .collect(),
            callback_attempts: AtomicU64::new(0),
            callbacks_delivered: AtomicU64::new(0),
            callback_failures: AtomicU64::new(0),
            callbacks_abandoned: AtomicU64::new(0),
            tokens_issued: AtomicU64::new(0),
        }
    }
}

pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Counters {
    pub(crate) fn received(&self, op: Operation) {
        if let Some(c) = self.ops.get(op.index()) {
            bump(&c.received);
        }
    }

    pub(crate) fn finished(&self, op: Operation, outcome: Outcome) {
        if let Some(c) = self.ops.get(op.index()) {
            bump(match outcome {
                Outcome::Succeeded => &c.succeeded,
                Outcome::Failed => &c.failed,
                Outcome::Injected => &c.injected,
            });
        }
    }

    pub(crate) fn operation(&self, op: Operation) -> OperationStats {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        self.ops
            .get(op.index())
            .map(|c| OperationStats {
                received: load(&c.received),
                succeeded: load(&c.succeeded),
                failed: load(&c.failed),
                injected: load(&c.injected),
            })
            .unwrap_or_default()
    }

    pub(crate) fn snapshot(&self) -> Stats {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Stats {
            operations: Operation::ALL
                .iter()
                .map(|op| (op.as_str().to_owned(), self.operation(*op)))
                .collect(),
            callbacks: CallbackStats {
                attempts: load(&self.callback_attempts),
                delivered: load(&self.callbacks_delivered),
                failed_attempts: load(&self.callback_failures),
                abandoned: load(&self.callbacks_abandoned),
            },
            tokens_issued: load(&self.tokens_issued),
        }
    }

    pub(crate) fn reset(&self) {
        let zero = |c: &AtomicU64| c.store(0, Ordering::Relaxed);
        for c in &self.ops {
            zero(&c.received);
            zero(&c.succeeded);
            zero(&c.failed);
            zero(&c.injected);
        }
        zero(&self.callback_attempts);
        zero(&self.callbacks_delivered);
        zero(&self.callback_failures);
        zero(&self.callbacks_abandoned);
        zero(&self.tokens_issued);
    }
}
