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
//! ```no_run
//! use futures_util::TryStreamExt as _;
//! use sinch_conversation::{Client, pagination::Paginate};
//!
//! # async fn f(client: &Client) -> Result<(), sinch_conversation::error::Error> {
//! let contacts: Vec<_> = client.list_contacts().project_id(client.project()).page_size(20).items().try_collect().await?;
//! # Ok(()) }
//! ```

use std::{collections::HashSet, future::Future, pin::Pin};

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
            seen: HashSet<String>,
            done: bool,
            // A token the server repeated: reported after the page that carried it.
            repeated: Option<String>,
        }
        let start = State {
            builder: self,
            token: None,
            seen: HashSet::new(),
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
                Some(next) if !state.seen.insert(next.to_owned()) => {
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
                        Err(error) => Err(Error::from_generated(error).await),
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
