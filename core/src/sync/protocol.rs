//! The wire types of `POST /api/v1/sync/push` and `POST /api/v1/sync/pull`, shared by browser and server.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::hlc::Hlc;
use crate::{
    domain::{Collection, Stage},
    permission::Denial,
};

/// Most mutations one push may carry; a client with more pushes in several rounds.
pub const MAX_MUTATIONS_PER_PUSH: usize = 500;
/// Most records one pull page returns, and the default when the client does not say.
pub const MAX_PULL_LIMIT: u32 = 5_000;
pub const DEFAULT_PULL_LIMIT: u32 = 1_000;

/// A device's identity for exactly-once delivery: a UUID made on first start and kept in IndexedDB.
pub type ClientId = String;

/// What a user asked for, as an intent the server re-checks; the same rules run on the device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", content = "args", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Intent {
    /// A new record with its id made on the device.
    Create(CreateArgs),
    /// Plain field edits, merged per field by clock stamp.
    SetFields(SetFieldsArgs),
    /// A tombstone; the record disappears from every device that had it.
    Delete(RecordRef),
    /// An opportunity enters another funnel stage; records the entry time in its stage history.
    MoveOpportunityStage(MoveStageArgs),
    /// A promotion moves to other dates, and may swap one of its stores for another (a bar dragged
    /// on the promotion calendar): only those fields change, merged against the record as it is.
    ReschedulePromotion(RescheduleArgs),
    /// A promotion's status moves on (approved, running, finished, sent back or cancelled) with the
    /// decider's comment; the move must be one `domain::next_statuses` allows from the status it has.
    DecidePromotion(DecideArgs),
    /// A target's breakdown into its children moves on (submitted, approved, sent back or reopened
    /// to a draft) with the decider's comment (`targets::approval`). Approving is refused unless the
    /// children add up to the target exactly.
    DecideBreakdown(DecideArgs),
    /// A supervisor reviews a submitted promotion report: the problems found and a comment. A
    /// reviewed report is closed to those who may not review it.
    ReviewReport(ReviewArgs),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateArgs {
    pub collection: Collection,
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub fields: Map<String, Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetFieldsArgs {
    pub collection: Collection,
    pub id: String,
    /// Field → new value; `null` clears an optional field.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub fields: Map<String, Value>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordRef {
    pub collection: Collection,
    pub id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MoveStageArgs {
    pub id: String,
    /// The stage entered: aware, compare, negotiate, commit, won or lost.
    // A string in the schema, as before the type: the document lists the values (`openapi.rs`).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub stage: Stage,
    /// Required when the stage is `lost`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RescheduleArgs {
    pub id: String,
    /// The new first day, `YYYY-MM-DD`.
    pub starts_on: String,
    /// The new last day (inclusive), `YYYY-MM-DD`.
    pub ends_on: String,
    /// A store of the promotion replaced by another (dragged to another store's row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub move_store: Option<StoreMove>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecideArgs {
    pub id: String,
    /// The status decided. A promotion's: approved, running, finished, planned (sent back) or
    /// cancelled. A target breakdown's: submitted, approved or draft (sent back or reopened).
    pub status: String,
    /// The decider's comment; required to send a plan or a breakdown back, to cancel a plan or to
    /// reopen a breakdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewArgs {
    /// The promotion report reviewed.
    pub id: String,
    /// The reviewer: the user who pushes the review (the server refuses anyone else's name).
    pub reviewer_id: String,
    /// Problems found: display_missing, stock_out, price_wrong, promoter_absent, figures_doubtful,
    /// other.
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreMove {
    /// A store the promotion lists now.
    pub from: String,
    /// The store that takes its place.
    pub to: String,
}

/// One entry of a client's pending log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mutation {
    /// Gapless and increasing per client, starting at 1.
    #[serde(deserialize_with = "whole::number")]
    pub id: u64,
    /// When the user made the change, by the device's hybrid logical clock.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "001796466645123-00000-0193b3c4-7a1e-7000-8000-000000000001"))]
    pub hlc: Hlc,
    #[serde(flatten)]
    pub intent: Intent,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "0193b3c4-7a1e-7000-8000-000000000001"))]
    pub client_id: ClientId,
    pub mutations: Vec<Mutation>,
}

/// What became of each pushed mutation, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outcome {
    Applied {
        id: u64,
    },
    /// Already applied or rejected by an earlier push (a retry); nothing happened now.
    Duplicate {
        id: u64,
    },
    Rejected {
        id: u64,
        reason: Rejection,
    },
}

/// Why a mutation was not applied; kept on the server and repeated on pulls until acknowledged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rejection {
    pub code: RejectCode,
    /// A message for the user, in English; the client shows its own translation of `code` beside it.
    pub message: String,
    /// For refusals by the permission table or the reference rule: what was refused, so each device
    /// says it in its user's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denial: Option<Denial>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RejectCode {
    /// The record does not exist, or not for this user.
    NotFound,
    AlreadyExists,
    /// The record was deleted before this change arrived.
    Deleted,
    /// A field value or a rule of the record was broken.
    Invalid,
    /// Outside the user's scope or role.
    Forbidden,
}

impl Rejection {
    pub fn new(code: RejectCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            denial: None,
        }
    }

    /// A refusal by the permission table or the reference rule.
    pub fn denied(denial: Denial) -> Self {
        Self {
            code: RejectCode::Forbidden,
            message: denial.message(crate::locale::Locale::En),
            denial: Some(denial),
        }
    }

    /// The reason in the user's language: the denial when there is one, else the code's words and
    /// the server's message.
    pub fn describe(&self, locale: crate::locale::Locale) -> String {
        match &self.denial {
            Some(denial) => denial.message(locale),
            None => format!(
                "{}: {}",
                super::describe::refusal(self.code, locale),
                self.message
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// The highest mutation id the server has processed for this client.
    pub last_mutation_id: u64,
    pub outcomes: Vec<Outcome>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "0193b3c4-7a1e-7000-8000-000000000001"))]
    pub client_id: ClientId,
    /// The cursor of the last page applied; absent on a device's first pull.
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(default, deserialize_with = "whole::optional")]
    pub limit: Option<u32>,
    /// The highest `last_mutation_id` a reply of this server ever gave the device: a server whose
    /// record of the device is lower lost its mutations (restored from a backup) and answers
    /// `rewound`.
    #[serde(default, deserialize_with = "whole::optional")]
    pub last_mutation_id: Option<u64>,
}

/// A record as the server holds it now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Record {
    pub collection: Collection,
    pub id: String,
    pub version: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub fields: Map<String, Value>,
    /// Per-field clock stamps, so the device replays pending edits by the server's rule.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub stamps: BTreeMap<String, Hlc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    /// True when the server's history no longer holds the device's position: it was restored from
    /// a backup or is another database (`history`). The page carries only `last_mutation_id` (the
    /// server's record of the device) and all the device's rejections; the device keeps its work,
    /// starts a new mutation sequence and pulls from the start (`client::recover`).
    #[serde(default)]
    pub rewound: bool,
    /// True when the device must drop its records and pull from the start (its user's scope changed);
    /// pending mutations are kept.
    pub reset: bool,
    /// Records changed since the cursor that the user may see.
    pub records: Vec<Record>,
    /// Records deleted since the cursor that the user could see.
    pub deleted: Vec<RecordRef>,
    /// Records that left the user's scope since the cursor: the device must forget them.
    pub removed: Vec<RecordRef>,
    pub cursor: String,
    /// More pages follow; pull again with the new cursor.
    pub has_more: bool,
    pub last_mutation_id: u64,
    /// Rejections of this client's mutations, so a lost push response never loses the verdict.
    pub rejections: Vec<RejectedMutation>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RejectedMutation {
    pub mutation_id: u64,
    pub reason: Rejection,
}

/// Whole numbers as JSON may spell them: `820` or `820.0` (JSON Schema counts both as integers, and
/// some JSON writers emit the second).
mod whole {
    use serde::{de::Error, Deserialize, Deserializer};

    fn from_value<T: TryFrom<u64>, E: Error>(value: &serde_json::Number) -> Result<T, E> {
        let whole = match (value.as_u64(), value.as_f64()) {
            (Some(n), _) => Some(n),
            (None, Some(f)) if f >= 0.0 && f.fract() == 0.0 && f <= u64::MAX as f64 => {
                Some(f as u64)
            }
            _ => None,
        };
        whole
            .and_then(|n| T::try_from(n).ok())
            .ok_or_else(|| E::custom(format!("expected a whole number in range, got {value}")))
    }

    pub fn number<'de, D: Deserializer<'de>, T: TryFrom<u64>>(d: D) -> Result<T, D::Error> {
        from_value(&serde_json::Number::deserialize(d)?)
    }

    pub fn optional<'de, D: Deserializer<'de>, T: TryFrom<u64>>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        match Option::<serde_json::Number>::deserialize(d)? {
            Some(value) => from_value(&value).map(Some),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn whole_numbers_may_be_written_with_a_zero_fraction() {
        let request: PullRequest = serde_json::from_value(
            json!({"client_id": "0193b3c4-7a1e-7000-8000-000000000001", "limit": 820.0}),
        )
        .unwrap();
        assert_eq!(request.limit, Some(820));
        for bad in [json!(820.5), json!(-1), json!(5e20)] {
            let result = serde_json::from_value::<PullRequest>(
                json!({"client_id": "0193b3c4-7a1e-7000-8000-000000000001", "limit": bad}),
            );
            assert!(result.is_err(), "{bad}");
        }
    }

    #[test]
    fn a_mutation_has_a_flat_name_and_args_on_the_wire() {
        let wire = json!({
            "id": 7,
            "hlc": "001732700000000-00000-c1",
            "name": "set_fields",
            "args": {"collection": "customers", "id": "0193b3c4-7a1e-7000-8000-000000000001", "fields": {"tier": "A"}}
        });
        let mutation: Mutation = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(mutation.id, 7);
        assert!(
            matches!(mutation.intent, Intent::SetFields(ref a) if a.collection == Collection::Customer)
        );
        assert_eq!(serde_json::to_value(&mutation).unwrap(), wire);
    }

    #[test]
    fn unknown_mutation_names_and_collections_do_not_parse() {
        let unknown_name =
            json!({"id": 1, "hlc": "001732700000000-00000-c1", "name": "drop_table", "args": {}});
        assert!(serde_json::from_value::<Mutation>(unknown_name).is_err());
        let unknown_collection = json!({"id": 1, "hlc": "001732700000000-00000-c1", "name": "delete",
            "args": {"collection": "secrets", "id": "x"}});
        assert!(serde_json::from_value::<Mutation>(unknown_collection).is_err());
        let extra_arg = json!({"id": 1, "hlc": "001732700000000-00000-c1", "name": "delete",
            "args": {"collection": "customers", "id": "x", "force": true}});
        assert!(serde_json::from_value::<Mutation>(extra_arg).is_err());
    }
}
