//! Streams over the list operations that page with `page_token` / `next_page_token`.
//!
//! Every operation whose spec has a `page_token` query parameter and a page with
//! `next_page_token` and one list of items implements [`Paginate`]
//! ([`OperationInfo::paginated`](crate::operations::OperationInfo::paginated)).
//!
//! The stream keeps the caller's filters and `page_size` on every page, fetches lazily
//! (a page is requested only when the consumer pulls past the previous one), stops when the
//! token is empty or absent, and ends with the first error. A server that hands back a
//! token it already gave is a bug; the stream yields that page, then stops with
//! [`Error::RepeatedPageToken`] rather than loop forever.
//!
//! Noticing that takes at most 8 KiB per stream, however many pages and however long the tokens:
//! the stream keeps a 64-bit hash of each of the last 1 024 tokens (never the tokens), plus one
//! checkpoint hash. A loop of up to 1 024 pages (A/B/A/B, ...) stops at its first repeated token;
//! a longer one, of λ pages entered after μ, stops by page 2·max(μ, λ) + λ, under three laps
//! (Brent's cycle detection over the checkpoint). The hash is SipHash with random keys the server
//! never sees, so two different tokens are taken for one with odds below 10⁻¹⁶ a page, which a
//! server cannot raise; and even then the stream ends with the error, never with pages silently
//! missing.
//!
//! ```no_run
//! use futures_util::TryStreamExt as _;
//! use sinch_conversation::{Client, pagination::Paginate};
//!
//! # async fn f(client: &Client) -> Result<(), sinch_conversation::error::Error> {
//! let contacts: Vec<_> = client.list_contacts().project_id(client.project()).page_size(20).items().try_collect().await?;
//! # Ok(()) }
//! ```

use std::{
    future::Future,
    hash::{BuildHasher as _, RandomState},
    pin::Pin,
};

use futures_util::{Stream, TryStreamExt as _, stream};

use crate::{builder, error::Error};

/// A boxed stream, as returned by [`Paginate`].
pub type BoxStream<'a, T> = Pin<Box<dyn Stream<Item = T> + Send + 'a>>;

/// A list operation whose pages can be streamed.
pub trait Paginate<'a>: Sized + Send + 'a {
    /// One page of the response.
    type Page: Send + 'a;
    /// One item of a page.
    type Item: Send + 'a;

    /// Fetches the page at `token` (`None`: the first).
    fn fetch(
        self,
        token: Option<String>,
    ) -> Pin<Box<dyn Future<Output = Result<Self::Page, Error>> + Send + 'a>>;
    /// The page's `next_page_token`.
    fn next_token(page: &Self::Page) -> Option<&str>;
    /// The page's items.
    fn into_items(page: Self::Page) -> Vec<Self::Item>;

    /// Every page, in order.
    fn pages(self) -> BoxStream<'a, Result<Self::Page, Error>>
    where
        Self: Clone,
    {
        struct State<B> {
            builder: B,
            token: Option<String>,
            seen: TokenLoopDetector,
            done: bool,
            // A token the server repeated: reported after the page that carried it.
            repeated: Option<String>,
        }
        let start = State {
            builder: self,
            token: None,
            seen: TokenLoopDetector::new(),
            done: false,
            repeated: None,
        };
        Box::pin(stream::try_unfold(start, |mut state| async move {
            if let Some(token) = state.repeated.take() {
                return Err(Error::RepeatedPageToken(token));
            }
            if state.done {
                return Ok(None);
            }
            let page = state.builder.clone().fetch(state.token.take()).await?;
            match Self::next_token(&page).filter(|t| !t.is_empty()) {
                None => state.done = true,
                Some(next) if state.seen.repeats(next) => {
                    // The page itself is fine: hand it over, then stop with the error.
                    state.repeated = Some(next.to_owned());
                }
                Some(next) => state.token = Some(next.to_owned()),
            }
            Ok(Some((page, state)))
        }))
    }

    /// Every item of every page, in order.
    fn items(self) -> BoxStream<'a, Result<Self::Item, Error>>
    where
        Self: Clone,
    {
        Box::pin(
            self.pages()
                .map_ok(|page| stream::iter(Self::into_items(page).into_iter().map(Ok)))
                .try_flatten(),
        )
    }
}

/// How many recent page tokens [`TokenLoopDetector`] remembers (as hashes, 8 bytes each).
const TOKEN_WINDOW: usize = 1024;

/// Notices a paginated list that hands back a page token it already gave, in memory that grows
/// neither with the tokens' length nor with the number of pages.
///
/// It never keeps a token, only a 64-bit hash of it, and at most [`TOKEN_WINDOW`] + 1 of those:
/// 8 KiB for the last 1 024 tokens, plus one checkpoint.
///
/// - **A loop of up to 1 024 pages** (A/B/A/B, ...) is caught at its first repeated token, exactly
///   as if every token were kept: the token it repeats is still among the last 1 024.
/// - **A longer loop** is caught by Brent's cycle detection: the checkpoint is the hash of token
///   1, 2, 4, 8, ... A server whose next token depends only on the token asked for, looping with
///   a period of λ pages after μ pages, comes back to a checkpoint by page 2·max(μ, λ) + λ: at
///   most three times the pages of its first lap, and then stops the same way.
///
/// A false positive needs two different tokens with the same hash. The hash is SipHash with
/// random keys ([`RandomState`], new for each stream), so a server cannot aim for one, and
/// by chance each new token has at most 1 025 / 2⁶⁴ (below 10⁻¹⁶) odds of matching; a billion
/// pages stay below 10⁻⁷. Even then the stream ends with [`Error::RepeatedPageToken`], an error
/// the caller sees: it never silently drops pages.
#[derive(Debug)]
struct TokenLoopDetector {
    hasher: RandomState,
    /// The hashes of the last [`TOKEN_WINDOW`] tokens; `recent[next]` is the oldest once full.
    recent: Vec<u64>,
    next: usize,
    /// Tokens seen so far.
    count: u64,
    /// The hash of the token seen when `count` last reached a power of two (Brent).
    checkpoint: Option<u64>,
}

impl TokenLoopDetector {
    /// A detector that has seen no token.
    fn new() -> Self {
        Self {
            hasher: RandomState::new(),
            recent: Vec::new(),
            next: 0,
            count: 0,
            checkpoint: None,
        }
    }

    /// Records `token`; `true` if it repeats a token seen before (see the type's docs for
    /// which repeats are caught when).
    fn repeats(&mut self, token: &str) -> bool {
        let hash = self.hasher.hash_one(token);
        if self.checkpoint == Some(hash) || self.recent.contains(&hash) {
            return true;
        }
        self.count += 1;
        if self.count.is_power_of_two() {
            self.checkpoint = Some(hash);
        }
        if self.recent.len() < TOKEN_WINDOW {
            if self.recent.capacity() == 0 {
                self.recent.reserve_exact(TOKEN_WINDOW);
            }
            self.recent.push(hash);
        } else {
            self.recent[self.next] = hash;
            self.next = (self.next + 1) % TOKEN_WINDOW;
        }
        false
    }

    /// The heap memory the detector holds, in bytes: at most `TOKEN_WINDOW * 8`, whatever the
    /// tokens' length and number.
    #[cfg(test)]
    fn stored_bytes(&self) -> usize {
        self.recent.capacity() * size_of::<u64>()
    }
}

macro_rules! paginate {
    ($builder:ident, $page:ty, $item:ty, $field:ident) => {
        impl<'a> Paginate<'a> for builder::$builder<'a> {
            type Page = $page;
            type Item = $item;

            fn fetch(
                self,
                token: Option<String>,
            ) -> Pin<Box<dyn Future<Output = Result<Self::Page, Error>> + Send + 'a>> {
                let request = match token {
                    Some(token) => self.page_token(token),
                    None => self,
                };
                Box::pin(async move {
                    match request.send().await {
                        Ok(page) => Ok(page.into_inner()),
                        Err(error) => Err(error),
                    }
                })
            }

            fn next_token(page: &Self::Page) -> Option<&str> {
                page.next_page_token.as_deref()
            }

            fn into_items(page: Self::Page) -> Vec<Self::Item> {
                page.$field
            }
        }
    };
}

// One `paginate!` per operation that pages, derived from the spec by `build.rs`.
include!(concat!(env!("OUT_DIR"), "/paginate.rs"));

#[cfg(test)]
mod tests {
    use super::{TOKEN_WINDOW, TokenLoopDetector};

    /// The 1-based position of the first token `detector` calls a repeat, within `limit` tokens.
    fn first_repeat(tokens: impl Fn(usize) -> String, limit: usize) -> Option<usize> {
        let mut detector = TokenLoopDetector::new();
        (1..=limit).find(|&i| detector.repeats(&tokens(i)))
    }

    /// Token `i` (1-based) of a server that gives `mu` distinct tokens, then loops over `lambda`.
    fn looping(mu: usize, lambda: usize) -> impl Fn(usize) -> String {
        move |i| {
            if i <= mu {
                format!("pre-{i}")
            } else {
                format!("loop-{}", (i - mu - 1) % lambda)
            }
        }
    }

    #[test]
    fn a_loop_within_the_window_stops_at_its_first_repeated_token() {
        for lambda in [1, 2, 3, 5, 64, TOKEN_WINDOW - 1, TOKEN_WINDOW] {
            for mu in [0, 1, 7, 3 * TOKEN_WINDOW] {
                assert_eq!(
                    first_repeat(looping(mu, lambda), 10 * TOKEN_WINDOW),
                    Some(mu + lambda + 1),
                    "mu {mu}, lambda {lambda}"
                );
            }
        }
        // A repeat that is not a loop (the server moved on after it) is caught too.
        let tokens = ["a", "b", "c", "a", "d"];
        assert_eq!(first_repeat(|i| tokens[i - 1].to_owned(), 5), Some(4));
    }

    #[test]
    fn a_loop_longer_than_the_window_stops_within_three_laps() {
        for lambda in [TOKEN_WINDOW + 1, 1500, 3000, 5000] {
            for mu in [0, 1, 2000, 6000] {
                let bound = 2 * mu.max(lambda) + lambda;
                let found = first_repeat(looping(mu, lambda), bound + 1)
                    .unwrap_or_else(|| panic!("mu {mu}, lambda {lambda}: not caught by {bound}"));
                assert!(found > mu + lambda, "mu {mu}, lambda {lambda}: {found}");
                assert!(
                    found <= bound,
                    "mu {mu}, lambda {lambda}: {found} > {bound}"
                );
            }
        }
    }

    #[test]
    fn memory_stays_bounded_whatever_the_number_and_length_of_tokens() {
        const PAGES: usize = 10_000;
        let mut long = TokenLoopDetector::new();
        let mut short = TokenLoopDetector::new();
        let mut token = "x".repeat(4096);
        for i in 0..PAGES {
            let prefix = format!("{i:08}");
            token.replace_range(..prefix.len(), &prefix);
            assert!(!long.repeats(&token), "distinct 4 KiB token {i}");
            assert!(!short.repeats(&prefix), "distinct short token {i}");
            assert!(long.stored_bytes() <= TOKEN_WINDOW * size_of::<u64>());
        }
        // 10 000 tokens of 4 KiB are 40 MiB; the detector holds 8 KiB, as for 8-byte tokens.
        assert_eq!(long.stored_bytes(), TOKEN_WINDOW * size_of::<u64>());
        assert_eq!(long.stored_bytes(), short.stored_bytes());
        assert_eq!(long.recent.len(), TOKEN_WINDOW);
        // Nothing is allocated before the first token.
        assert_eq!(TokenLoopDetector::new().stored_bytes(), 0);
    }
}
