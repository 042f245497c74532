//! Faults injected by tests: failing statuses, dropped connections, delays.

use std::{
    collections::{HashMap, VecDeque},
    time::Duration,
};

use crate::ops::Operation;

/// What an injected fault does to one request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with `status` and the API's error body. A 429 or 503 carries `Retry-After`:
    /// `retry_after`, or the emulator's default
    /// ([`EmulatorBuilder::retry_after`](crate::EmulatorBuilder::retry_after)) when `None`.
    Status {
        /// The HTTP status (for example 429, 500, 503).
        status: u16,
        /// The `Retry-After` to send, if not the default.
        retry_after: Option<Duration>,
    },
    /// Close the connection without answering: the client sees a transport error.
    DropConnection,
}

impl Fault {
    /// A status answer with the default `Retry-After` for 429 and 503.
    pub fn status(status: u16) -> Self {
        Fault::Status {
            status,
            retry_after: None,
        }
    }

    /// 429 `RESOURCE_EXHAUSTED` with this `Retry-After`.
    pub fn too_many_requests(retry_after: Duration) -> Self {
        Fault::Status {
            status: 429,
            retry_after: Some(retry_after),
        }
    }

    /// 503 `UNAVAILABLE` with this `Retry-After`.
    pub fn unavailable(retry_after: Duration) -> Self {
        Fault::Status {
            status: 503,
            retry_after: Some(retry_after),
        }
    }
}

/// The faults waiting for requests.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    queued: HashMap<Operation, VecDeque<(Fault, u32)>>,
    delays: HashMap<Operation, Duration>,
    delay_all: Duration,
}

impl Faults {
    pub(crate) fn push(&mut self, op: Operation, times: u32, fault: Fault) {
        if times > 0 {
            self.queued.entry(op).or_default().push_back((fault, times));
        }
    }

    /// The fault for the next request of `op`, if one is queued.
    pub(crate) fn take(&mut self, op: Operation) -> Option<Fault> {
        let queue = self.queued.get_mut(&op)?;
        let (fault, left) = queue.front_mut()?;
        let fault = fault.clone();
        *left -= 1;
        if *left == 0 {
            queue.pop_front();
        }
        Some(fault)
    }

    pub(crate) fn set_delay(&mut self, op: Option<Operation>, delay: Duration) {
        match op {
            Some(op) if delay.is_zero() => {
                self.delays.remove(&op);
            }
            Some(op) => {
                self.delays.insert(op, delay);
            }
            None => self.delay_all = delay,
        }
    }

    pub(crate) fn delay(&self, op: Operation) -> Duration {
        self.delays
            .get(&op)
            .copied()
            .unwrap_or_default()
            .max(self.delay_all)
    }

    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }
}

/// `Retry-After` as the API writes it: whole seconds, or a decimal for sub-second test delays.
pub(crate) fn retry_after_value(delay: Duration) -> String {
    if delay.subsec_nanos() == 0 {
        delay.as_secs().to_string()
    } else {
        let text = format!("{:.3}", delay.as_secs_f64());
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_consumed_in_order() {
        let mut f = Faults::default();
        f.push(Operation::SendMessage, 2, Fault::status(429));
        f.push(Operation::SendMessage, 1, Fault::DropConnection);
        f.push(Operation::GetApp, 0, Fault::status(500));
        assert_eq!(f.take(Operation::SendMessage), Some(Fault::status(429)));
        assert_eq!(f.take(Operation::SendMessage), Some(Fault::status(429)));
        assert_eq!(f.take(Operation::SendMessage), Some(Fault::DropConnection));
        assert_eq!(f.take(Operation::SendMessage), None);
        assert_eq!(f.take(Operation::GetApp), None);
    }

    #[test]
    fn delays_and_retry_after() {
        let mut f = Faults::default();
        f.set_delay(Some(Operation::GetApp), Duration::from_millis(5));
        f.set_delay(None, Duration::from_millis(2));
        assert_eq!(f.delay(Operation::GetApp), Duration::from_millis(5));
        assert_eq!(f.delay(Operation::ListApps), Duration::from_millis(2));
        f.clear();
        assert_eq!(f.delay(Operation::GetApp), Duration::ZERO);
        assert_eq!(retry_after_value(Duration::from_secs(2)), "2");
        assert_eq!(retry_after_value(Duration::from_millis(50)), "0.05");
        assert_eq!(retry_after_value(Duration::from_millis(1500)), "1.5");
    }
}
