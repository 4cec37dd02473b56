//! Approving a breakdown (分解审批): a parent target's children — the organisation's share of it
//! (targets of the same period for the units, people or dealers below) and its phasing (months of a
//! year or quarter) — go draft → submitted → approved as one set, with the decider's comment. A set
//! is approved only when each of its groups adds up to the parent exactly; once approved, the
//! parent's value and its children are frozen until the approver reopens the set.

use std::collections::BTreeMap;

/// Where a parent's breakdown stands (the `breakdown_status` field's choices).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Breakdown {
    Draft,
    Submitted,
    Approved,
}

impl Breakdown {
    pub fn parse(text: &str) -> Option<Breakdown> {
        match text {
            "draft" => Some(Breakdown::Draft),
            "submitted" => Some(Breakdown::Submitted),
            "approved" => Some(Breakdown::Approved),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Breakdown::Draft => "draft",
            Breakdown::Submitted => "submitted",
            Breakdown::Approved => "approved",
        }
    }
}

/// Who may move a breakdown from one status to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decider {
    /// Whoever breaks the parent down (may edit it): submitting.
    Owner,
    /// Whoever approves it (above the parent's unit): approving, sending back, reopening.
    Approver,
}

/// Why a move of a breakdown's status is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not a move this status allows.
    NotNext { from: Breakdown, to: Breakdown },
    /// Sending back or reopening says why.
    CommentNeeded,
    /// Nothing to approve.
    NoChildren,
    /// These groups (by period: the organisation's share has the parent's own period, the phasing
    /// a finer one) differ from the parent by this much (positive: short of it).
    DoesNotAddUp(Vec<(String, i64)>),
}

/// Who may move a breakdown from `from` to `to`, and whether a comment is needed.
pub fn transition(from: Breakdown, to: Breakdown, comment: bool) -> Result<Decider, Refusal> {
    use Breakdown::*;
    let (decider, needs_comment) = match (from, to) {
        (Draft, Submitted) => (Decider::Owner, false),
        (Submitted, Approved) => (Decider::Approver, false),
        // Sent back, or reopened after approval: the approver says why.
        (Submitted, Draft) | (Approved, Draft) => (Decider::Approver, true),
        _ => return Err(Refusal::NotNext { from, to }),
    };
    if needs_comment && !comment {
        return Err(Refusal::CommentNeeded);
    }
    Ok(decider)
}

/// Do the children add up to the parent? Children are `(period, value)`; each period's group must
/// sum to the parent's value exactly (a year split among regions, and the same year phased into
/// months, are two groups). At least one child is needed.
pub fn adds_up(parent_value: i64, children: &[(&str, i64)]) -> Result<(), Refusal> {
    if children.is_empty() {
        return Err(Refusal::NoChildren);
    }
    let mut groups: BTreeMap<&str, i64> = BTreeMap::new();
    for &(period, value) in children {
        *groups.entry(period).or_insert(0) += value;
    }
    let off: Vec<(String, i64)> = groups
        .into_iter()
        .filter(|&(_, sum)| sum != parent_value)
        .map(|(period, sum)| (period.to_owned(), parent_value - sum))
        .collect();
    if off.is_empty() {
        Ok(())
    } else {
        Err(Refusal::DoesNotAddUp(off))
    }
}

/// Is a target frozen: its parent's breakdown approved (it is one of an approved set), or its own
/// (its value is what an approved set adds up to)? Status moves are not edits and stay allowed.
pub fn frozen(own: Option<Breakdown>, parents: Option<Breakdown>) -> bool {
    own == Some(Breakdown::Approved) || parents == Some(Breakdown::Approved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Breakdown::*;

    #[test]
    fn a_breakdown_is_submitted_by_its_owner_and_decided_by_the_approver() {
        assert_eq!(transition(Draft, Submitted, false), Ok(Decider::Owner));
        assert_eq!(
            transition(Submitted, Approved, false),
            Ok(Decider::Approver)
        );
        assert_eq!(transition(Submitted, Draft, true), Ok(Decider::Approver));
        assert_eq!(transition(Approved, Draft, true), Ok(Decider::Approver));
        assert_eq!(
            transition(Submitted, Draft, false),
            Err(Refusal::CommentNeeded)
        );
        assert_eq!(
            transition(Draft, Approved, false),
            Err(Refusal::NotNext {
                from: Draft,
                to: Approved
            })
        );
        assert!(transition(Approved, Submitted, true).is_err());
        for s in [Draft, Submitted, Approved] {
            assert_eq!(Breakdown::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn each_group_of_children_must_add_up_to_the_parent() {
        // A year of 1,200 split among two regions and phased into months.
        let mut children = vec![("year", 700), ("year", 500)];
        children.extend(std::iter::repeat_n(("month", 100), 12));
        assert_eq!(adds_up(1_200, &children), Ok(()));
        children[0].1 = 650;
        children.pop();
        assert_eq!(
            adds_up(1_200, &children),
            Err(Refusal::DoesNotAddUp(vec![
                ("month".into(), 100),
                ("year".into(), 50)
            ]))
        );
        assert_eq!(adds_up(1_200, &[]), Err(Refusal::NoChildren));
    }

    #[test]
    fn an_approved_set_and_its_parent_are_frozen() {
        assert!(frozen(Some(Approved), None));
        assert!(frozen(None, Some(Approved)));
        assert!(frozen(Some(Draft), Some(Approved)));
        assert!(!frozen(Some(Submitted), Some(Draft)));
        assert!(!frozen(None, None));
    }
}
