//! The access tokens the token endpoint issued, and when each expires.

use std::{collections::HashMap, time::Duration};

use tokio::time::Instant;

/// Issued access tokens and when each expires.
#[derive(Debug)]
pub(crate) struct Tokens {
    pub(crate) ttl: Duration,
    issued: HashMap<String, Instant>,
}

/// What a bearer token is worth.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TokenState {
    Valid,
    Expired,
    Unknown,
}

impl Tokens {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            issued: HashMap::new(),
        }
    }

    pub(crate) fn issue(&mut self) -> String {
        let now = Instant::now();
        if self.issued.len() > 4096 {
            // Keep expired tokens recognisable for a while, but bound the table.
            let horizon = now.checked_sub(Duration::from_secs(3600)).unwrap_or(now);
            self.issued.retain(|_, expires| *expires > horizon);
        }
        let token = format!("emu.{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        // A huge configured lifetime must not overflow the clock.
        let expires = now
            .checked_add(self.ttl)
            .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600));
        self.issued.insert(token.clone(), expires);
        token
    }

    pub(crate) fn check(&self, token: &str) -> TokenState {
        match self.issued.get(token) {
            Some(expires) if *expires > Instant::now() => TokenState::Valid,
            Some(_) => TokenState::Expired,
            None => TokenState::Unknown,
        }
    }

    /// Every token issued so far expires now.
    pub(crate) fn expire_all(&mut self) {
        let now = Instant::now();
        for expires in self.issued.values_mut() {
            *expires = (*expires).min(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expire_on_demand() {
        let mut tokens = Tokens::new(Duration::from_secs(60));
        let t = tokens.issue();
        assert_eq!(tokens.check(&t), TokenState::Valid);
        assert_eq!(tokens.check("nope"), TokenState::Unknown);
        tokens.expire_all();
        assert_eq!(tokens.check(&t), TokenState::Expired);
        let fresh = tokens.issue();
        assert_eq!(tokens.check(&fresh), TokenState::Valid);
        tokens.ttl = Duration::MAX;
        let forever = tokens.issue();
        assert_eq!(tokens.check(&forever), TokenState::Valid);
    }
}
