//! The merge rules: how one mutation changes one record. The server applies them inside its transaction;
//! the device replays its pending mutations through the same functions, so what a user sees offline is
//! what the server will compute.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::{
    hlc::Hlc,
    protocol::{
        CreateArgs, DecideArgs, Intent, MoveStageArgs, RecordRef, RejectCode, Rejection,
        RescheduleArgs, ReviewArgs, SetFieldsArgs,
    },
};
use crate::{
    domain::{self, Collection, Stage, ValidationError},
    id::is_record_id,
    locale::Locale,
    time::format_instant,
};

/// A record's state as stored: its fields, the stamp of each field's last write, and whether it is a
/// tombstone.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoredRecord {
    pub fields: Map<String, Value>,
    pub stamps: BTreeMap<String, Hlc>,
    pub deleted: bool,
}

/// What applying a mutation does to its record.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Nothing to write: a stale edit, a repeated delete, a move to the current stage.
    Unchanged,
    /// The record's new state.
    Write(StoredRecord),
}

impl Intent {
    /// The record this mutation is about.
    pub fn target(&self) -> RecordRef {
        match self {
            Intent::Create(CreateArgs { collection, id, .. })
            | Intent::SetFields(SetFieldsArgs { collection, id, .. }) => RecordRef {
                collection: *collection,
                id: id.clone(),
            },
            Intent::Delete(target) => target.clone(),
            Intent::MoveOpportunityStage(args) => RecordRef {
                collection: Collection::Opportunity,
                id: args.id.clone(),
            },
            Intent::ReschedulePromotion(args) => RecordRef {
                collection: Collection::Promotion,
                id: args.id.clone(),
            },
            Intent::DecidePromotion(args) => RecordRef {
                collection: Collection::Promotion,
                id: args.id.clone(),
            },
            Intent::DecideBreakdown(args) => RecordRef {
                collection: Collection::Target,
                id: args.id.clone(),
            },
            Intent::ReviewReport(args) => RecordRef {
                collection: Collection::PromotionReport,
                id: args.id.clone(),
            },
        }
    }

    /// Checks what can be checked without the database: ids, field names, types and values.
    /// A failure here means the client sent something malformed.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let target = self.target();
        if !is_record_id(&target.id) {
            return Err(ValidationError::InvalidId { field: "id".into() });
        }
        match self {
            Intent::Create(args) => domain::validate_create(args.collection, &args.fields),
            Intent::SetFields(args) => domain::validate_patch(args.collection, &args.fields),
            Intent::Delete(_) => Ok(()),
            Intent::MoveOpportunityStage(args) => validate_move(args),
            Intent::ReschedulePromotion(args) => validate_reschedule(args),
            Intent::DecidePromotion(args) => validate_decision(args),
            Intent::DecideBreakdown(args) => validate_breakdown_decision(args),
            Intent::ReviewReport(args) => validate_review(args),
        }
    }

    /// The plain field edit a mutation amounts to over the record's current `fields`, for the checks
    /// that judge edits (permissions, references): a reschedule is an edit of the promotion's dates and
    /// store list. `None` for the other kinds of mutation.
    pub fn as_edit(&self, fields: &Map<String, Value>) -> Option<Result<SetFieldsArgs, Rejection>> {
        match self {
            Intent::ReschedulePromotion(args) => {
                Some(reschedule_edit(fields, args, None).map_err(invalid))
            }
            _ => None,
        }
    }
}

fn validate_review(args: &ReviewArgs) -> Result<(), ValidationError> {
    let mut values = Map::new();
    values.insert("reviewer_id".into(), json!(args.reviewer_id));
    values.insert(
        "review_flags".into(),
        Value::Array(args.flags.iter().map(|f| json!({ "flag": f })).collect()),
    );
    if let Some(comment) = &args.comment {
        values.insert("review_comment".into(), json!(comment));
    }
    domain::validate_fields(Collection::PromotionReport, &values)
}

/// Writes `patch` over the record whole, each field stamped with the admitted clock or a later stamp
/// it already has (a device's clock may trail stamps it pulled; an intent is never merged away field
/// by field). `null` removes a field.
fn write_whole(record: &StoredRecord, patch: Map<String, Value>, hlc: &Hlc) -> StoredRecord {
    let mut next = record.clone();
    for (field, value) in patch {
        let stamp = match next.stamps.get(&field) {
            Some(stamp) if stamp > hlc => stamp.clone(),
            _ => hlc.clone(),
        };
        next.stamps.insert(field.clone(), stamp);
        if value.is_null() {
            next.fields.remove(&field);
        } else {
            next.fields.insert(field, value);
        }
    }
    next
}

/// A review over the report as it is when it arrives: it must have been submitted.
fn review(record: &StoredRecord, args: &ReviewArgs, hlc: &Hlc) -> Result<Change, Rejection> {
    let at = format_instant(hlc.millis);
    let patch = domain::review_patch(
        &record.fields,
        &args.flags,
        args.comment.as_deref(),
        &args.reviewer_id,
        &at,
    )
    .map_err(invalid)?;
    let next = write_whole(record, patch, hlc);
    domain::validate_record(Collection::PromotionReport, &next.fields).map_err(invalid)?;
    Ok(Change::Write(next))
}

fn validate_decision(args: &DecideArgs) -> Result<(), ValidationError> {
    let mut values = Map::new();
    values.insert("status".into(), json!(args.status));
    if let Some(comment) = &args.comment {
        values.insert("decision_comment".into(), json!(comment));
    }
    domain::validate_fields(Collection::Promotion, &values)
}

fn validate_breakdown_decision(args: &DecideArgs) -> Result<(), ValidationError> {
    let mut values = Map::new();
    values.insert("breakdown_status".into(), json!(args.status));
    if let Some(comment) = &args.comment {
        values.insert("breakdown_comment".into(), json!(comment));
    }
    domain::validate_fields(Collection::Target, &values)
}

/// A breakdown decision over the target as it is when it arrives, judged and written like a
/// promotion's (`decide`).
fn decide_breakdown(
    record: &StoredRecord,
    args: &DecideArgs,
    hlc: &Hlc,
) -> Result<Change, Rejection> {
    let at = format_instant(hlc.millis);
    let patch = domain::breakdown_patch(&record.fields, &args.status, args.comment.as_deref(), &at)
        .map_err(invalid)?;
    let Some(fields) = patch else {
        return Ok(Change::Unchanged);
    };
    let next = write_whole(record, fields, hlc);
    domain::validate_record(Collection::Target, &next.fields).map_err(invalid)?;
    Ok(Change::Write(next))
}

/// A decision over the promotion as it is when it arrives: judged by the status it finds (core's
/// `next_statuses`), not by clocks, and written whole. Its fields are stamped with the admitted clock,
/// or kept at a later stamp they already have: a device's clock may trail the stamps it has pulled,
/// and a decision is never merged away field by field.
fn decide(record: &StoredRecord, args: &DecideArgs, hlc: &Hlc) -> Result<Change, Rejection> {
    let at = format_instant(hlc.millis);
    let patch = domain::decision_patch(&record.fields, &args.status, args.comment.as_deref(), &at)
        .map_err(invalid)?;
    let Some(fields) = patch else {
        return Ok(Change::Unchanged);
    };
    let next = write_whole(record, fields, hlc);
    domain::validate_record(Collection::Promotion, &next.fields).map_err(invalid)?;
    Ok(Change::Write(next))
}

fn validate_reschedule(args: &RescheduleArgs) -> Result<(), ValidationError> {
    let mut patch = Map::new();
    patch.insert("starts_on".into(), json!(args.starts_on));
    patch.insert("ends_on".into(), json!(args.ends_on));
    domain::validate_fields(Collection::Promotion, &patch)?;
    if let Some(moved) = &args.move_store {
        for (field, id) in [
            ("move_store.from", &moved.from),
            ("move_store.to", &moved.to),
        ] {
            if !is_record_id(id) {
                return Err(ValidationError::InvalidId {
                    field: field.into(),
                });
            }
        }
    }
    Ok(())
}

/// The edit a reschedule makes to a promotion with these `fields`; checked against the day of `hlc`
/// when given (the merge), not when only the fields it touches are wanted (the permission checks).
fn reschedule_edit(
    fields: &Map<String, Value>,
    args: &RescheduleArgs,
    hlc: Option<&Hlc>,
) -> Result<SetFieldsArgs, ValidationError> {
    let today = hlc
        .and_then(|hlc| i64::try_from(hlc.millis).ok())
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map_or(chrono::NaiveDate::MIN, |at| at.date_naive());
    let store = args
        .move_store
        .as_ref()
        .map(|m| (m.from.as_str(), m.to.as_str()));
    let patch = domain::reschedule_patch(fields, &args.starts_on, &args.ends_on, store, today)?;
    Ok(SetFieldsArgs {
        collection: Collection::Promotion,
        id: args.id.clone(),
        fields: patch,
    })
}

fn stage_patch(args: &MoveStageArgs) -> Map<String, Value> {
    let mut patch = Map::new();
    patch.insert("stage".into(), json!(args.stage));
    if let Some(reason) = &args.lost_reason {
        patch.insert("lost_reason".into(), json!(reason));
    }
    if let Some(note) = &args.lost_note {
        patch.insert("lost_note".into(), json!(note));
    }
    patch
}

fn validate_move(args: &MoveStageArgs) -> Result<(), ValidationError> {
    // Stage fields are intent-only, so they are checked with the create rules (which allow them).
    let patch = stage_patch(args);
    domain::validate_fields(Collection::Opportunity, &patch)?;
    if args.stage == Stage::Lost && args.lost_reason.is_none() {
        return Err(ValidationError::MissingField {
            field: "lost_reason".into(),
        });
    }
    Ok(())
}

fn reject(code: RejectCode, message: impl Into<String>) -> Rejection {
    Rejection::new(code, message)
}

fn invalid(error: ValidationError) -> Rejection {
    reject(RejectCode::Invalid, error.message(Locale::En))
}

/// Applies one validated mutation stamped `hlc` to the record's current state (`None` if it never existed).
pub fn apply(
    existing: Option<&StoredRecord>,
    intent: &Intent,
    hlc: &Hlc,
) -> Result<Change, Rejection> {
    match intent {
        Intent::Create(args) => create(existing, args, hlc),
        Intent::SetFields(args) => set_fields(live(existing, intent)?, args, hlc),
        Intent::Delete(_) => Ok(delete(existing.ok_or_else(|| not_found(intent))?)),
        Intent::MoveOpportunityStage(args) => move_stage(live(existing, intent)?, args, hlc),
        Intent::ReschedulePromotion(args) => {
            let record = live(existing, intent)?;
            let edit = reschedule_edit(&record.fields, args, Some(hlc)).map_err(invalid)?;
            set_fields(record, &edit, hlc)
        }
        Intent::DecidePromotion(args) => decide(live(existing, intent)?, args, hlc),
        Intent::DecideBreakdown(args) => decide_breakdown(live(existing, intent)?, args, hlc),
        Intent::ReviewReport(args) => review(live(existing, intent)?, args, hlc),
    }
}

fn not_found(intent: &Intent) -> Rejection {
    let target = intent.target();
    reject(
        RejectCode::NotFound,
        format!("no {} record {}", target.collection.as_str(), target.id),
    )
}

/// The record if it exists and is not deleted.
fn live<'a>(
    existing: Option<&'a StoredRecord>,
    intent: &Intent,
) -> Result<&'a StoredRecord, Rejection> {
    match existing {
        None => Err(not_found(intent)),
        Some(record) if record.deleted => Err(reject(
            RejectCode::Deleted,
            format!(
                "{} {} was deleted before this change arrived",
                intent.target().collection.as_str(),
                intent.target().id
            ),
        )),
        Some(record) => Ok(record),
    }
}

fn create(
    existing: Option<&StoredRecord>,
    args: &CreateArgs,
    hlc: &Hlc,
) -> Result<Change, Rejection> {
    if existing.is_some() {
        return Err(reject(
            RejectCode::AlreadyExists,
            format!("{} {} already exists", args.collection.as_str(), args.id),
        ));
    }
    let fields: Map<String, Value> = args
        .fields
        .iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let stamps = fields.keys().map(|k| (k.clone(), hlc.clone())).collect();
    Ok(Change::Write(StoredRecord {
        fields,
        stamps,
        deleted: false,
    }))
}

/// Writes each field whose stamp is older than `hlc`; a stale edit of a field loses to the newer one.
fn set_fields(record: &StoredRecord, args: &SetFieldsArgs, hlc: &Hlc) -> Result<Change, Rejection> {
    let mut next = record.clone();
    let mut changed = false;
    for (field, value) in &args.fields {
        let newer = next.stamps.get(field).is_none_or(|stamp| hlc > stamp);
        if !newer {
            continue;
        }
        next.stamps.insert(field.clone(), hlc.clone());
        if value.is_null() {
            next.fields.remove(field);
        } else {
            next.fields.insert(field.clone(), value.clone());
        }
        changed = true;
    }
    if !changed || next == *record {
        return Ok(Change::Unchanged);
    }
    domain::validate_record(args.collection, &next.fields).map_err(invalid)?;
    Ok(Change::Write(next))
}

/// Deletion wins over edits: a tombstone keeps no fields, and later edits are rejected as `deleted`.
fn delete(record: &StoredRecord) -> Change {
    if record.deleted {
        return Change::Unchanged;
    }
    Change::Write(StoredRecord {
        fields: Map::new(),
        stamps: BTreeMap::new(),
        deleted: true,
    })
}

/// Most entries a deal's stage history keeps, well inside a list field's limit, so a deal moved back
/// and forth hundreds of times can still be won or lost.
pub const MAX_STAGE_HISTORY: usize = 100;

/// Keeps the first entry (when the deal entered the funnel, the start of its sales cycle) and the
/// latest ones; the dwell of the stints dropped in between is no longer counted.
fn compact_history(history: &mut Vec<Value>) {
    if history.len() > MAX_STAGE_HISTORY {
        let excess = history.len() - MAX_STAGE_HISTORY;
        history.drain(1..=excess);
    }
}

const CLOSED_FIELDS: [&str; 4] = ["won_at", "closed_at", "lost_reason", "lost_note"];

fn move_stage(record: &StoredRecord, args: &MoveStageArgs, hlc: &Hlc) -> Result<Change, Rejection> {
    let current = record.fields.get("stage").and_then(Value::as_str);
    if current == Some(args.stage.as_str()) {
        return Ok(Change::Unchanged);
    }
    // A move made before the stage's last change (offline, delivered late) leaves the newer stage.
    if record.stamps.get("stage").is_some_and(|stamp| hlc <= stamp) {
        return Ok(Change::Unchanged);
    }
    let entered_at = format_instant(hlc.millis);
    let mut history = match record.fields.get("stage_history") {
        Some(Value::Array(entries)) => entries.clone(),
        _ => Vec::new(),
    };
    history.push(json!({"stage": args.stage, "entered_at": entered_at}));
    compact_history(&mut history);
    let mut next = record.clone();
    let mut set = |field: &str, value: Option<Value>| {
        next.stamps.insert(field.to_owned(), hlc.clone());
        match value {
            Some(value) => next.fields.insert(field.to_owned(), value),
            None => next.fields.remove(field),
        };
    };
    set("stage", Some(json!(args.stage)));
    for field in CLOSED_FIELDS {
        set(field, None);
    }
    match args.stage.as_str() {
        "won" => {
            set("won_at", Some(json!(entered_at)));
            set("closed_at", Some(json!(entered_at)));
        }
        "lost" => {
            set("closed_at", Some(json!(entered_at)));
            set("lost_reason", args.lost_reason.clone().map(Value::from));
            set("lost_note", args.lost_note.clone().map(Value::from));
        }
        _ => {}
    }
    set("stage_history", Some(Value::Array(history)));
    domain::validate_record(Collection::Opportunity, &next.fields).map_err(invalid)?;
    Ok(Change::Write(next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_is_judged_by_the_status_it_finds_not_by_a_clock_that_trails_it() {
        let fields = json!({"name": "周末试吃", "kind": "tasting",
            "unit_id": "0193b3c4-7a1e-7000-8000-000000000001", "starts_on": "2026-12-05",
            "ends_on": "2026-12-06", "status": "planned"});
        let id = "0193b3c4-7a1e-7000-8000-000000000002".to_owned();
        let decide = |status: &str| {
            Intent::DecidePromotion(DecideArgs {
                id: id.clone(),
                status: status.into(),
                comment: Some("好".into()),
            })
        };
        let server = Hlc::new(1_767_225_600_500, 3, "server");
        let mut record = StoredRecord {
            fields: fields.as_object().unwrap().clone(),
            ..StoredRecord::default()
        };
        match apply(Some(&record), &decide("approved"), &server) {
            Ok(Change::Write(next)) => record = next,
            other => panic!("{other:?}"),
        }
        // The device's clock trails the stamp it pulled: the next step still applies, whole.
        let device = Hlc::new(1_767_225_600_100, 0, "device");
        let Ok(Change::Write(started)) = apply(Some(&record), &decide("running"), &device) else {
            panic!("a valid next step applies whatever the clocks");
        };
        assert_eq!(started.fields["status"], "running");
        assert_eq!(started.stamps["status"], server, "the later stamp is kept");
        // A step the status it finds does not allow is refused, with its reason.
        let refused = apply(Some(&started), &decide("approved"), &device).unwrap_err();
        assert_eq!(refused.code, RejectCode::Invalid);
        assert!(refused.message.contains("cannot move to this status"));
    }

    #[test]
    fn a_deal_moved_back_and_forth_hundreds_of_times_can_still_be_won() {
        let fields = json!({"customer_id": "0193b3c4-7a1e-7000-8000-000000000001",
            "owner_id": "0193b3c4-7a1e-7000-8000-000000000002", "name": "年度框架",
            "unit_id": "0193b3c4-7a1e-7000-8000-000000000004",
            "amount": 100, "currency": "CNY", "stage": "aware", "expected_close": "2027-01-31",
            "stage_history": [{"stage": "aware", "entered_at": "2026-01-01T00:00:00Z"}]});
        let mut record = StoredRecord {
            fields: fields.as_object().unwrap().clone(),
            ..StoredRecord::default()
        };
        let id = "0193b3c4-7a1e-7000-8000-000000000003".to_owned();
        for i in 0..600u64 {
            let stage = if i == 599 {
                Stage::Won
            } else if i % 2 == 0 {
                Stage::Compare
            } else {
                Stage::Aware
            };
            let intent = Intent::MoveOpportunityStage(MoveStageArgs {
                id: id.clone(),
                stage,
                lost_reason: None,
                lost_note: None,
            });
            let hlc = Hlc::new(1_767_225_600_000 + i * 1000, 0, "dev");
            match apply(Some(&record), &intent, &hlc) {
                Ok(Change::Write(next)) => record = next,
                other => panic!("move {i} to {stage:?}: {other:?}"),
            }
        }
        assert_eq!(record.fields["stage"], "won");
        let history = record.fields["stage_history"].as_array().unwrap();
        assert_eq!(history.len(), MAX_STAGE_HISTORY);
        assert_eq!(
            history[0]["entered_at"], "2026-01-01T00:00:00Z",
            "the cycle's start is kept"
        );
        assert_eq!(history[MAX_STAGE_HISTORY - 1]["stage"], "won");
    }
}
