//! Approving a breakdown (分解审批): a parent target's children — the organisation's share of it
//! (targets of the same period for the units, people or dealers below) and its phasing (months of a
//! year or quarter) — go draft → submitted → approved as one set, with the decider's comment. A set
//! is approved only when each of its groups adds up to the parent exactly; once approved, the
//! parent's value and its children are frozen until the approver reopens the set.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::actuals::month_of;
use crate::{
    scope::{OrgTree, ScopeFacts},
    time::parse_date,
};

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

/// Where the approver of a target's breakdown must reach: the unit above the target's own (a
/// region's breakdown is approved at the company, an area's in its region). The top unit's is
/// approved at the top. The same reach sets a target that has no parent: targets come from above.
pub fn approver_facts(org: &OrgTree, facts: &ScopeFacts) -> ScopeFacts {
    let unit = facts.unit_id.as_deref();
    ScopeFacts {
        unit_id: unit.map(|u| org.parent_of(u).unwrap_or(u).to_owned()),
        ..ScopeFacts::default()
    }
}

/// Where whoever sets a target's value must reach: its parent's place (whoever breaks the parent
/// down sets the shares), or for a target with no parent the approver's (`approver_facts`). So a
/// regional manager breaks their region down but does not set the region's own target.
pub fn decomposer_facts(
    org: &OrgTree,
    own: &ScopeFacts,
    parent: Option<&ScopeFacts>,
) -> ScopeFacts {
    match parent {
        Some(parent) => parent.clone(),
        None => approver_facts(org, own),
    }
}

/// The fields that make a target what it is: a change of any of them is a change of the breakdown
/// it belongs to (not so its notes).
pub const SHAPE_FIELDS: &[&str] = &[
    "value",
    "parent_id",
    "period",
    "period_start",
    "metric",
    "subject_kind",
    "subject_id",
];

/// Why a target cannot be a child of its parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misfit {
    /// A child measures what its parent measures.
    OtherMetric,
    /// A child's period is its parent's (a share of it) or a finer one inside it (its phasing).
    OutsidePeriod,
}

impl Misfit {
    pub fn message(self) -> &'static str {
        match self {
            Misfit::OtherMetric => "a target's breakdown measures the same metric as the target",
            Misfit::OutsidePeriod => {
                "a target's breakdown covers the target's own period, or a finer period inside it"
            }
        }
    }
}

/// How many months a period spans: year 12, quarter 3, month 1 (`None`: unknown).
fn months_in(period: &str) -> Option<i32> {
    match period {
        "year" => Some(12),
        "quarter" => Some(3),
        "month" => Some(1),
        _ => None,
    }
}

/// Does `child` fit under `parent`: the same metric, and a period of the same length or a finer
/// one, starting inside the parent's?
pub fn fits_parent(parent: &Map<String, Value>, child: &Map<String, Value>) -> Result<(), Misfit> {
    let text = |fields: &Map<String, Value>, name: &str| {
        fields
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    if text(parent, "metric") != text(child, "metric") {
        return Err(Misfit::OtherMetric);
    }
    let span = |fields: &Map<String, Value>| {
        let months = months_in(&text(fields, "period"))?;
        let start = parse_date(&text(fields, "period_start"))?;
        let first = month_of(start);
        Some((first, first + months))
    };
    match (span(parent), span(child)) {
        (Some((p0, p1)), Some((c0, c1))) if p0 <= c0 && c1 <= p1 => Ok(()),
        _ => Err(Misfit::OutsidePeriod),
    }
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

    fn target(metric: &str, period: &str, start: &str) -> Map<String, Value> {
        serde_json::json!({"metric": metric, "period": period, "period_start": start})
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn a_child_shares_its_parents_period_or_phases_it_and_measures_the_same() {
        let year = target("sales_amount", "year", "2027-01-01");
        assert_eq!(
            fits_parent(&year, &target("sales_amount", "year", "2027-01-01")),
            Ok(())
        );
        assert_eq!(
            fits_parent(&year, &target("sales_amount", "month", "2027-12-01")),
            Ok(())
        );
        assert_eq!(
            fits_parent(&year, &target("sales_amount", "quarter", "2027-10-01")),
            Ok(())
        );
        assert_eq!(
            fits_parent(&year, &target("sales_amount", "month", "2028-01-01")),
            Err(Misfit::OutsidePeriod)
        );
        assert_eq!(
            fits_parent(&year, &target("visits", "month", "2027-03-01")),
            Err(Misfit::OtherMetric)
        );
        let quarter = target("visits", "quarter", "2027-04-01");
        assert_eq!(
            fits_parent(&quarter, &target("visits", "year", "2027-01-01")),
            Err(Misfit::OutsidePeriod)
        );
        assert_eq!(
            fits_parent(&quarter, &target("visits", "month", "2027-06-01")),
            Ok(())
        );
    }

    #[test]
    fn a_breakdown_is_approved_one_unit_up_and_the_top_approves_its_own() {
        let org = OrgTree::new([
            ("region".to_owned(), "company".to_owned()),
            ("area".to_owned(), "region".to_owned()),
        ]);
        let at = |unit: &str| ScopeFacts {
            unit_id: Some(unit.to_owned()),
            user_ids: vec!["rep".into()],
            ..ScopeFacts::default()
        };
        assert_eq!(
            approver_facts(&org, &at("area")).unit_id.as_deref(),
            Some("region")
        );
        assert_eq!(
            approver_facts(&org, &at("region")).unit_id.as_deref(),
            Some("company")
        );
        assert_eq!(
            approver_facts(&org, &at("company")).unit_id.as_deref(),
            Some("company")
        );
        // Only the unit counts: the person a target is for does not approve it.
        assert!(approver_facts(&org, &at("area")).user_ids.is_empty());
    }
}
