//! When and how long to wait before sending a request again.

use std::{
    collections::hash_map::RandomState,
    hash::{BuildHasher, Hasher},
    time::{Duration, SystemTime},
};

use reqwest::{Method, StatusCode, header::HeaderMap};

/// Which failed requests the client sends again, and how long it waits in between.
///
/// By default a request is attempted at most 3 times. It is retried when the API answers
/// `429 Too Many Requests` or `503 Service Unavailable` (never sooner than the response's
/// `Retry-After` says), and when the connection failed before the request reached the server
/// (connection refused, DNS or TLS failure). An *ambiguous* failure, where the request may have
/// reached the server (a timeout or a dropped connection after the request was written), is
/// retried only for idempotent methods (`GET`, `HEAD`, `OPTIONS`, `PUT`, `DELETE`): a `POST`
/// that sends a message is not repeated, because that could deliver the message twice, unless
/// [`with_retry_ambiguous_sends`](Self::with_retry_ambiguous_sends) opts in.
///
/// Waits grow exponentially from [`with_base_delay`](Self::with_base_delay), capped at
/// [`with_max_delay`](Self::with_max_delay), with random jitter. When `Retry-After` asks for a longer
/// wait than `max_delay`, the client gives up and returns the response instead.
///
/// ```
/// use std::time::Duration;
/// use sinch_conversation::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .with_max_attempts(5)
///     .with_base_delay(Duration::from_millis(100))
///     .with_max_delay(Duration::from_secs(5));
/// assert_eq!(policy.attempts(), 5);
/// assert_eq!(RetryPolicy::none().attempts(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    statuses: Vec<StatusCode>,
    retry_ambiguous_sends: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            statuses: vec![
                StatusCode::TOO_MANY_REQUESTS,
                StatusCode::SERVICE_UNAVAILABLE,
            ],
            retry_ambiguous_sends: false,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries: every request is attempted once.
    pub fn none() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// The maximum number of attempts per request, the first one included (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry; each further retry waits twice as long.
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest wait between two attempts, and the longest `Retry-After` that is honoured.
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The response statuses that are retried (default: 429 and 503).
    ///
    /// ```
    /// use sinch_conversation::RetryPolicy;
    /// use reqwest::StatusCode;
    ///
    /// let policy = RetryPolicy::default().with_retry_statuses([
    ///     StatusCode::TOO_MANY_REQUESTS,
    ///     StatusCode::BAD_GATEWAY,
    ///     StatusCode::SERVICE_UNAVAILABLE,
    /// ]);
    /// # let _ = policy;
    /// ```
    pub fn with_retry_statuses(mut self, statuses: impl IntoIterator<Item = StatusCode>) -> Self {
        self.statuses = statuses.into_iter().collect();
        self
    }

    /// Also retry non-idempotent requests (`POST`, `PATCH`) after an ambiguous failure.
    ///
    /// Off by default: a `POST` that timed out after it was written may have been processed,
    /// and sending it again may deliver a message twice.
    pub fn with_retry_ambiguous_sends(mut self, enabled: bool) -> Self {
        self.retry_ambiguous_sends = enabled;
        self
    }

    /// The maximum number of attempts per request.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether a response with `status` is retried.
    pub(crate) fn retries_status(&self, status: StatusCode) -> bool {
        self.statuses.contains(&status)
    }

    /// Whether a transport error is retried for a request with `method`.
    pub(crate) fn retries_error(&self, error: &reqwest::Error, method: &Method) -> bool {
        // A failed connect (refused, DNS, TLS handshake) never carried the request.
        if error.is_connect() {
            return true;
        }
        if error.is_builder() || error.is_redirect() || error.is_status() || error.is_decode() {
            return false;
        }
        is_idempotent(method) || self.retry_ambiguous_sends
    }

    /// The wait before attempt `attempt + 1`, or `None` to give up.
    ///
    /// `retry_after` is the server's request; it is honoured when it fits under `max_delay`.
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let backoff = self.backoff(attempt);
        match retry_after {
            Some(wanted) if wanted > self.max_delay => None,
            Some(wanted) => Some(wanted.max(backoff)),
            None => Some(backoff),
        }
    }

    /// Capped exponential backoff with "equal jitter": half fixed, half random.
    fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let full = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        let half = full / 2;
        half + half.mul_f64(jitter())
    }
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE | Method::TRACE
    )
}

/// A random number in `[0, 1)`, good enough to spread retries (not for cryptography).
fn jitter() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// The `Retry-After` of a response: delay-seconds or an HTTP date. Malformed values are ignored.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(
        date.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default()
            .with_max_attempts(10)
            .with_base_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_millis(300));
        for attempt in 1..10 {
            let delay = policy.delay(attempt, None).unwrap();
            let full =
                Duration::from_millis(100 * (1 << (attempt - 1))).min(Duration::from_millis(300));
            assert!(delay >= full / 2 && delay <= full, "{attempt}: {delay:?}");
        }
        assert_eq!(policy.delay(10, None), None);
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let policy = RetryPolicy::default().with_max_delay(Duration::from_secs(5));
        assert!(policy.delay(1, Some(Duration::from_secs(4))).unwrap() >= Duration::from_secs(4));
        assert_eq!(policy.delay(1, Some(Duration::from_secs(6))), None);
    }

    #[test]
    fn retry_after_parses_seconds_and_dates_and_ignores_garbage() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert("retry-after", "soon-ish".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after", "-3".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn jitter_is_in_range() {
        for _ in 0..1000 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j));
        }
    }
}
