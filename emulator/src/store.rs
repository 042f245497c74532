//! The project's resources in memory: ordered tables with stable page tokens, and ULID-like ids.

use std::collections::{BTreeMap, HashMap, HashSet};

use sinch_conversation::types::{
    AppResponse, AuditRecord, Contact, Conversation, ConversationEvent, ConversationMessage,
    MessageSource, ProjectSettings, V2Template, Webhook,
};

use crate::error::ApiError;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new id in the API's style: a ULID (26 Crockford base32 characters, time first).
pub(crate) fn new_id() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default()
        & ((1u128 << 48) - 1);
    let random = (u128::from(fastrand::u64(..)) << 16) | u128::from(fastrand::u16(..));
    let value = (millis << 80) | random;
    (0..26)
        .map(|i| {
            let shift = 5 * (25 - i);
            char::from(CROCKFORD[((value >> shift) & 31) as usize])
        })
        .collect()
}

/// Rows in insertion order, found by id.
#[derive(Debug)]
pub(crate) struct Table<T> {
    next_seq: u64,
    rows: BTreeMap<u64, (String, T)>,
    index: HashMap<String, u64>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Self {
            next_seq: 1,
            rows: BTreeMap::new(),
            index: HashMap::new(),
        }
    }
}

/// One page of a list.
pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    pub(crate) next_page_token: Option<String>,
    /// How many rows match the filter in all.
    pub(crate) total: usize,
}

/// The order of a list.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    OldestFirst,
    NewestFirst,
}

impl<T: Clone> Table<T> {
    pub(crate) fn insert(&mut self, id: String, row: T) {
        if let Some(seq) = self.index.get(&id) {
            if let Some(slot) = self.rows.get_mut(seq) {
                slot.1 = row;
            }
            return;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.index.insert(id.clone(), seq);
        self.rows.insert(seq, (id, row));
    }

    pub(crate) fn get(&self, id: &str) -> Option<&T> {
        self.index
            .get(id)
            .and_then(|seq| self.rows.get(seq))
            .map(|(_, row)| row)
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        let seq = self.index.get(id)?;
        self.rows.get_mut(seq).map(|(_, row)| row)
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<T> {
        let seq = self.index.remove(id)?;
        self.rows.remove(&seq).map(|(_, row)| row)
    }

    /// Removes every row `drop` selects.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let index = &mut self.index;
        self.rows.retain(|_, (id, row)| {
            let kept = keep(row);
            if !kept {
                index.remove(id.as_str());
            }
            kept
        });
    }

    /// Drops the oldest rows beyond `max`.
    pub(crate) fn truncate_oldest(&mut self, max: usize) {
        while self.rows.len() > max {
            match self.rows.pop_first() {
                Some((_, (id, _))) => {
                    self.index.remove(&id);
                }
                None => break,
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    pub(crate) fn values(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.rows.values().map(|(_, row)| row)
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.rows.values_mut().map(|(_, row)| row)
    }

    /// The page of rows matching `filter` that starts at `token` (`None`: the first page).
    pub(crate) fn page(
        &self,
        token: Option<&str>,
        size: usize,
        order: Order,
        filter: impl Fn(&T) -> bool,
    ) -> Result<Page<T>, ApiError> {
        let start = match token.filter(|t| !t.is_empty()) {
            None => None,
            Some(token) => Some(decode_token(token)?),
        };
        let matching: Box<dyn Iterator<Item = (&u64, &(String, T))>> = match (order, start) {
            (Order::OldestFirst, None) => Box::new(self.rows.iter()),
            (Order::OldestFirst, Some(seq)) => Box::new(self.rows.range(seq..)),
            (Order::NewestFirst, None) => Box::new(self.rows.iter().rev()),
            (Order::NewestFirst, Some(seq)) => Box::new(self.rows.range(..=seq).rev()),
        };
        let mut items = Vec::with_capacity(size);
        let mut next_page_token = None;
        for (seq, (_, row)) in matching.filter(|(_, (_, row))| filter(row)) {
            if items.len() == size {
                next_page_token = Some(encode_token(*seq));
                break;
            }
            items.push(row.clone());
        }
        let total = self.values().filter(|row| filter(row)).count();
        Ok(Page {
            items,
            next_page_token,
            total,
        })
    }
}

/// A page of an already filtered and ordered list, with offset tokens.
pub(crate) fn page_of<T>(
    items: Vec<T>,
    token: Option<&str>,
    size: usize,
) -> Result<Page<T>, ApiError> {
    let total = items.len();
    let start = match token.filter(|t| !t.is_empty()) {
        None => 0,
        Some(token) => usize::try_from(decode_token(token)?).unwrap_or(usize::MAX),
    };
    let items: Vec<T> = items.into_iter().skip(start).take(size).collect();
    let end = start.saturating_add(items.len());
    let next_page_token = (end < total).then(|| encode_token(end as u64));
    Ok(Page {
        items,
        next_page_token,
        total,
    })
}

fn encode_token(seq: u64) -> String {
    format!("PT{seq:012X}")
}

fn decode_token(token: &str) -> Result<u64, ApiError> {
    token
        .strip_prefix("PT")
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .ok_or_else(|| ApiError::invalid(format!("Invalid page_token '{token}'")))
}

/// A stored message, with what the API knows about it beyond [`ConversationMessage`].
#[derive(Clone, Debug)]
pub(crate) struct StoredMessage {
    pub(crate) app_id: String,
    /// Where the API keeps it: `CONVERSATION_SOURCE` (an app in `CONVERSATION` mode) or
    /// `DISPATCH_SOURCE`; the message operations see one source at a time.
    pub(crate) source: MessageSource,
    pub(crate) message: ConversationMessage,
}

/// A stored event, with its app.
#[derive(Clone, Debug)]
pub(crate) struct StoredEvent {
    pub(crate) app_id: String,
    pub(crate) event: ConversationEvent,
}

/// Everything the emulator stores for its project.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) apps: Table<AppResponse>,
    pub(crate) webhooks: Table<Webhook>,
    pub(crate) contacts: Table<Contact>,
    pub(crate) conversations: Table<Conversation>,
    pub(crate) messages: Table<StoredMessage>,
    /// `(app_id, channel, identity)` opted out.
    pub(crate) opt_outs: HashSet<(String, String, String)>,
    pub(crate) events: Table<StoredEvent>,
    /// `(app_id, identity, record)`, oldest first.
    pub(crate) consent_records: Vec<(String, String, AuditRecord)>,
    pub(crate) settings: Option<ProjectSettings>,
    pub(crate) templates: Table<V2Template>,
}

impl Store {
    /// The contact that has `identity` on `channel`.
    pub(crate) fn contact_by_identity(&self, channel: &str, identity: &str) -> Option<&Contact> {
        self.contacts.values().find(|c| {
            c.channel_identities
                .iter()
                .any(|ci| ci.channel.to_string() == channel && ci.identity == identity)
        })
    }

    /// The active conversation of `app_id` with `contact_id`.
    pub(crate) fn active_conversation(
        &self,
        app_id: &str,
        contact_id: &str,
    ) -> Option<&Conversation> {
        self.conversations.values().find(|c| {
            c.active == Some(true)
                && c.app_id.as_deref() == Some(app_id)
                && c.contact_id.as_deref() == Some(contact_id)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_ulids_and_differ() {
        let a = new_id();
        let b = new_id();
        assert_eq!(a.len(), 26);
        assert!(a.bytes().all(|c| CROCKFORD.contains(&c)));
        assert_ne!(a, b);
    }

    #[test]
    fn pages_are_stable_across_deletes() {
        let mut t = Table::default();
        for i in 0..25 {
            t.insert(format!("id{i}"), i);
        }
        let first = t.page(None, 10, Order::OldestFirst, |_| true).unwrap();
        assert_eq!(first.items, (0..10).collect::<Vec<_>>());
        assert_eq!(first.total, 25);
        t.remove("id3");
        let token = first.next_page_token.unwrap();
        let second = t
            .page(Some(&token), 10, Order::OldestFirst, |_| true)
            .unwrap();
        assert_eq!(second.items, (10..20).collect::<Vec<_>>());
        let third = t
            .page(
                second.next_page_token.as_deref(),
                10,
                Order::OldestFirst,
                |_| true,
            )
            .unwrap();
        assert_eq!(third.items, (20..25).collect::<Vec<_>>());
        assert!(third.next_page_token.is_none());

        let newest = t.page(None, 3, Order::NewestFirst, |v| v % 2 == 0).unwrap();
        assert_eq!(newest.items, vec![24, 22, 20]);
        let next = t
            .page(
                newest.next_page_token.as_deref(),
                3,
                Order::NewestFirst,
                |v| v % 2 == 0,
            )
            .unwrap();
        assert_eq!(next.items, vec![18, 16, 14]);
        assert!(
            t.page(Some("garbage"), 3, Order::OldestFirst, |_| true)
                .is_err()
        );
    }

    #[test]
    fn offset_pages() {
        let first = page_of((0..5).collect(), None, 2).unwrap();
        assert_eq!(first.items, vec![0, 1]);
        let second = page_of((0..5).collect(), first.next_page_token.as_deref(), 2).unwrap();
        assert_eq!(second.items, vec![2, 3]);
        let last = page_of((0..5).collect(), second.next_page_token.as_deref(), 2).unwrap();
        assert_eq!((last.items, last.next_page_token), (vec![4], None));
        assert!(page_of(vec![1], Some("x"), 2).is_err());
    }

    #[test]
    fn retain_and_truncate_keep_the_index_in_step() {
        let mut t = Table::default();
        for i in 0..10 {
            t.insert(format!("id{i}"), i);
        }
        t.retain(|v| v % 2 == 0);
        assert!(!t.contains("id1"));
        assert!(t.contains("id2"));
        t.truncate_oldest(2);
        assert_eq!(t.values().copied().collect::<Vec<_>>(), vec![6, 8]);
        assert!(!t.contains("id0"));
        assert_eq!(t.len(), 2);
    }
}
