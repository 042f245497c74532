//! Retry policy: what is safe to retry, and how long to wait.

use std::time::Duration;

use reqwest::{Method, StatusCode, header::HeaderMap};

/// When and how the client retries a failed request.
///
/// By default it retries 429 and 503 answers (honouring `Retry-After`) and connection
/// failures that provably did not reach the server, with capped exponential backoff and
/// jitter. A POST that may have reached the server (a timeout after the request was
/// written) is never retried unless [`RetryPolicy::retry_ambiguous_posts`] is set, because
/// a second send would deliver the message twice.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Total attempts, the first included (1 disables retries).
    pub max_attempts: u32,
    /// Delay before the first retry; doubles on each following one.
    pub base_delay: Duration,
    /// Upper bound for any single delay, `Retry-After` included.
    pub max_delay: Duration,
    /// Retry non-idempotent requests after failures that may have reached the server.
    pub retry_ambiguous_posts: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            retry_ambiguous_posts: false,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The wait before retry number `retry` (1 for the first retry): `Retry-After` when the
    /// server sent one, else exponential backoff with full jitter; both capped at `max_delay`.
    pub fn delay(&self, retry: u32, headers: Option<&HeaderMap>) -> Duration {
        if let Some(after) = headers.and_then(retry_after) {
            return after.min(self.max_delay);
        }
        let exp = self.base_delay.saturating_mul(
            1u32.checked_shl(retry.saturating_sub(1))
                .unwrap_or(u32::MAX),
        );
        let capped = exp.min(self.max_delay);
        // Jitter in [capped/2, capped] spreads retries of concurrent callers.
        capped / 2 + capped.mul_f64(fastrand::f64() / 2.0)
    }

    /// Whether a failed transport attempt may be retried for this method.
    pub fn may_retry_transport_error(&self, method: &Method, error: &reqwest::Error) -> bool {
        // A refused or failed connection never carried the request.
        if error.is_connect() {
            return true;
        }
        let idempotent = matches!(
            *method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        );
        (idempotent || self.retry_ambiguous_posts) && (error.is_timeout() || error.is_request())
    }
}

/// Statuses worth retrying by default: rate limiting and temporary unavailability.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
    )
}

/// `Retry-After` in seconds (HTTP dates are rare from Sinch and ignored).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
            ..Default::default()
        };
        let first = policy.delay(1, None);
        assert!(
            first >= Duration::from_millis(50) && first <= Duration::from_millis(100),
            "{first:?}"
        );
        let third = policy.delay(3, None);
        assert!(
            third >= Duration::from_millis(150) && third <= Duration::from_millis(300),
            "{third:?}"
        );
        assert!(policy.delay(40, None) <= Duration::from_millis(300));
    }

    #[test]
    fn retry_after_wins_but_is_capped() {
        let policy = RetryPolicy {
            max_delay: Duration::from_secs(5),
            ..Default::default()
        };
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(policy.delay(1, Some(&headers)), Duration::from_secs(2));
        headers.insert(reqwest::header::RETRY_AFTER, "120".parse().unwrap());
        assert_eq!(policy.delay(1, Some(&headers)), Duration::from_secs(5));
        headers.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert!(policy.delay(1, Some(&headers)) <= Duration::from_millis(200));
    }
}
