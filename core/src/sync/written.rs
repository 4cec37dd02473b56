//! Which of the device's writes a read model has taken in, so something derived from the model (a
//! list's first rows, saved for the next cold start) can be saved with the exact state it shows
//! and trusted later only while the device still holds that state.
//!
//! Every write transaction that changes what a collection shows (a pull page, a user's change, a
//! refused push) gives the collection its next number, in the same transaction. A model read whole
//! knows the number it read with; a model patched record by record hears the numbers of the writes
//! it took in, in any order, and knows it is current up to the highest number below which it has
//! heard them all.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::domain::Collection;

/// Each collection's number of its latest write (a collection never written is at 0).
pub type Written = BTreeMap<Collection, u64>;

/// The numbers one write transaction gave the collections it changed.
pub type Wrote = Vec<(Collection, u64)>;

/// Gives each of `collections` its next number in `written`; what the transaction stores back and
/// tells the read models.
pub fn write(written: &mut Written, collections: impl IntoIterator<Item = Collection>) -> Wrote {
    let distinct: BTreeSet<Collection> = collections.into_iter().collect();
    distinct
        .into_iter()
        .map(|collection| {
            let number = written.entry(collection).or_insert(0);
            *number += 1;
            (collection, *number)
        })
        .collect()
}

/// How far one collection's read model is known to follow its writes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Followed {
    /// Every write up to this one is in the model; `None`: not known (never read whole).
    upto: Option<u64>,
    /// Writes after `upto` already taken in, waiting for the ones between.
    ahead: BTreeSet<u64>,
}

impl Followed {
    /// A model read whole in the same transaction that saw the collection at `number`.
    pub fn read_at(number: u64) -> Self {
        Self {
            upto: Some(number),
            ahead: BTreeSet::new(),
        }
    }

    /// The model took in the write that had `number`.
    pub fn took(&mut self, number: u64) {
        let Some(upto) = self.upto.as_mut() else {
            return;
        };
        if number <= *upto {
            return;
        }
        self.ahead.insert(number);
        while self.ahead.remove(&(*upto + 1)) {
            *upto += 1;
        }
    }

    /// The write the model is known to hold everything up to; `None` while a write before one it
    /// took in has not reached it.
    pub fn current(&self) -> Option<u64> {
        self.upto.filter(|_| self.ahead.is_empty())
    }
}

/// Something derived from read models and saved, with the numbers of the collections it was made
/// from: still what those models would show while the device holds the same numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Saved<T> {
    pub made_from: Wrote,
    pub value: T,
}

impl<T> Saved<T> {
    /// Whether nothing it was made from has been written since.
    pub fn current(&self, written: &Written) -> bool {
        self.made_from
            .iter()
            .all(|(collection, number)| written.get(collection).copied().unwrap_or(0) == *number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_collection_a_write_changes_takes_its_next_number_once() {
        let mut written = Written::new();
        let wrote = write(
            &mut written,
            [
                Collection::Customer,
                Collection::Opportunity,
                Collection::Customer,
            ],
        );
        assert_eq!(
            wrote,
            vec![(Collection::Customer, 1), (Collection::Opportunity, 1)]
        );
        let wrote = write(&mut written, [Collection::Customer]);
        assert_eq!(wrote, vec![(Collection::Customer, 2)]);
        assert_eq!(written[&Collection::Opportunity], 1);
        assert!(write(&mut written, []).is_empty());
    }

    #[test]
    fn a_model_is_current_only_once_every_write_up_to_the_last_it_took_has_reached_it() {
        let mut followed = Followed::read_at(4);
        assert_eq!(followed.current(), Some(4));
        // A user's change (6) is heard before the sync's page (5) it came after.
        followed.took(6);
        assert_eq!(followed.current(), None);
        followed.took(5);
        assert_eq!(followed.current(), Some(6));
        // Writes the whole read already held change nothing.
        followed.took(3);
        followed.took(6);
        assert_eq!(followed.current(), Some(6));
    }

    #[test]
    fn a_model_never_read_whole_is_never_current() {
        let mut followed = Followed::default();
        followed.took(1);
        assert_eq!(followed.current(), None);
    }

    #[test]
    fn what_was_saved_is_current_while_none_of_its_collections_was_written_since() {
        let mut written = Written::new();
        write(&mut written, [Collection::Customer, Collection::OrgUnit]);
        let saved = Saved {
            made_from: vec![
                (Collection::Customer, 1),
                (Collection::OrgUnit, 1),
                (Collection::User, 0),
            ],
            value: "first rows",
        };
        assert!(saved.current(&written));
        write(&mut written, [Collection::Opportunity]);
        assert!(saved.current(&written), "deals are not what it shows");
        write(&mut written, [Collection::User]);
        assert!(
            !saved.current(&written),
            "a person renamed changes an owner column"
        );
    }
}
