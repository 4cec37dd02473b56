//! The audit trail (操作日志): who changed which fields of which record, when (on the device, and
//! when the server received it) and from which device. The server keeps every applied mutation;
//! this reads the filters an auditor asks with, names devices, and says what a mutation changed.
//! Whom an entry may be shown is the scope rule's: the history of a record goes to those who see it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

use crate::{
    domain::Collection,
    locale::Locale,
    time::{parse_date, parse_instant},
};

/// Entries per page by default, and at most.
pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 200;

/// One applied change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// When the change was made, by the device's clock (an offline edit: when it was made, not sent).
    pub made_at: String,
    /// When the server received it.
    pub received_at: String,
    pub user_id: String,
    /// The author's name, when their user record is known.
    pub user_name: Option<String>,
    /// The device, named from its browser (`Chrome · Android`), and its client id.
    pub device: String,
    pub client_id: String,
    /// The mutation's name: `create`, `set_fields`, `delete`, `move_opportunity_stage`…
    pub action: String,
    pub collection: String,
    pub record_id: String,
    /// The record's name as it is now, when it has one.
    pub record_name: Option<String>,
    /// The fields it set, with their new values.
    pub changes: Vec<FieldChange>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    pub field: String,
    pub value: Value,
}

/// A page of entries, newest first, and where the next page starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for older entries; absent at the end.
    pub next: Option<String>,
}

impl AuditEntry {
    /// Made on the device well before the server got it: an offline edit, sent when the device
    /// was back online (more than a minute between).
    pub fn arrived_late(&self) -> bool {
        match (
            parse_instant(&self.made_at),
            parse_instant(&self.received_at),
        ) {
            (Some(made), Some(received)) => (received - made).num_seconds() > 60,
            _ => false,
        }
    }

    /// What was done, in words: 新建, 修改, 删除, 推进阶段…
    pub fn action_label(&self, locale: Locale) -> &'static str {
        let zh = locale == Locale::ZhCn;
        match self.action.as_str() {
            "create" => {
                if zh {
                    "新建"
                } else {
                    "Created"
                }
            }
            "delete" => {
                if zh {
                    "删除"
                } else {
                    "Deleted"
                }
            }
            "move_opportunity_stage" => {
                if zh {
                    "推进阶段"
                } else {
                    "Moved stage"
                }
            }
            "reschedule_promotion" => {
                if zh {
                    "调整日期"
                } else {
                    "Rescheduled"
                }
            }
            "decide_promotion" | "decide_breakdown" => {
                if zh {
                    "审批"
                } else {
                    "Decided"
                }
            }
            "review_report" => {
                if zh {
                    "审阅"
                } else {
                    "Reviewed"
                }
            }
            _ => {
                if zh {
                    "修改"
                } else {
                    "Edited"
                }
            }
        }
    }
}

/// What an auditor asks for, checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub collection: Option<Collection>,
    pub record: Option<String>,
    pub user: Option<String>,
    /// Received on or after this day (UTC midnight), in epoch milliseconds.
    pub from_millis: Option<i64>,
    /// Received before the end of this day.
    pub until_millis: Option<i64>,
    pub before: Option<Cursor>,
    pub limit: usize,
}

/// Where a page ends: the last entry's receipt time and its mutation's key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub received_at: i64,
    pub client_id: String,
    pub mutation_id: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditQueryError {
    UnknownCollection(String),
    BadDate { name: &'static str, value: String },
    BadCursor,
    BadLimit(String),
    UnknownParameter(String),
}

impl fmt::Display for AuditQueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownCollection(c) => write!(f, "{c:?} is not a collection"),
            Self::BadDate { name, value } => {
                write!(f, "{name} {value:?} is not a date; write it as 2026-03-31")
            }
            Self::BadCursor => f.write_str("before is not a cursor this server gave"),
            Self::BadLimit(l) => write!(f, "limit {l:?} is not a number from 1 to {MAX_LIMIT}"),
            Self::UnknownParameter(p) => write!(
                f,
                "{p:?} is not a filter of the audit trail (collection, record, user, from, until, \
                 before, limit)"
            ),
        }
    }
}

impl std::error::Error for AuditQueryError {}

const DAY_MILLIS: i64 = 86_400_000;

impl AuditQuery {
    /// Reads the query parameters of `GET /api/v1/audit`.
    pub fn parse<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, AuditQueryError> {
        let mut query = AuditQuery {
            limit: DEFAULT_LIMIT,
            ..AuditQuery::default()
        };
        for (name, value) in params {
            match name {
                "collection" => {
                    query.collection = Some(
                        Collection::parse(value)
                            .ok_or_else(|| AuditQueryError::UnknownCollection(value.into()))?,
                    )
                }
                // An empty person or record filters nothing; an empty date or limit is a mistake.
                "record" => query.record = Some(value.to_owned()).filter(|v| !v.is_empty()),
                "user" => query.user = Some(value.to_owned()).filter(|v| !v.is_empty()),
                "from" => query.from_millis = Some(day_start(value, "from")?),
                "until" => query.until_millis = Some(day_start(value, "until")? + DAY_MILLIS),
                "before" => query.before = Some(Cursor::parse(value)?),
                "limit" => {
                    query.limit = value
                        .parse()
                        .ok()
                        .filter(|l| (1..=MAX_LIMIT).contains(l))
                        .ok_or_else(|| AuditQueryError::BadLimit(value.into()))?
                }
                other => return Err(AuditQueryError::UnknownParameter(other.into())),
            }
        }
        Ok(query)
    }
}

fn day_start(value: &str, name: &'static str) -> Result<i64, AuditQueryError> {
    let date = parse_date(value).ok_or_else(|| AuditQueryError::BadDate {
        name,
        value: value.into(),
    })?;
    Ok(date
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
        .timestamp_millis())
}

impl Cursor {
    fn parse(text: &str) -> Result<Cursor, AuditQueryError> {
        let mut parts = text.splitn(3, '.');
        let (Some(at), Some(mutation), Some(client)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(AuditQueryError::BadCursor);
        };
        Ok(Cursor {
            received_at: at.parse().map_err(|_| AuditQueryError::BadCursor)?,
            mutation_id: mutation.parse().map_err(|_| AuditQueryError::BadCursor)?,
            client_id: client.to_owned(),
        })
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}.{}",
            self.received_at, self.mutation_id, self.client_id
        )
    }
}

/// The fields a mutation set, from its stored arguments: a create's or edit's `fields`, or for the
/// named moves (a stage, dates, a decision) their own arguments but the record's address.
pub fn changes_of(args: &Value) -> Vec<FieldChange> {
    let Some(object) = args.as_object() else {
        return Vec::new();
    };
    let fields: &Map<String, Value> = match object.get("fields").and_then(Value::as_object) {
        Some(fields) => fields,
        None => object,
    };
    fields
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "collection" | "id"))
        .map(|(field, value)| FieldChange {
            field: field.clone(),
            value: value.clone(),
        })
        .collect()
}

/// A device named from its browser's User-Agent, as people know it: `Chrome · Android`,
/// `Safari · iPad`, `Edge · Windows`. Unknown parts read 浏览器 / 设备 generically.
pub fn device_label(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("MicroMessenger") {
        "WeChat"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") || ua.contains("CriOS/") {
        "Chrome"
    } else if ua.contains("Safari/") || ua.contains("AppleWebKit/") {
        "Safari"
    } else if ua.starts_with("yingxiao-server") {
        return "yingxiao-server".to_owned();
    } else {
        "Browser"
    };
    let system = if ua.contains("iPad") {
        "iPad"
    } else if ua.contains("iPhone") {
        "iPhone"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "macOS"
    } else if ua.contains("Linux") || ua.contains("X11") {
        "Linux"
    } else {
        "Device"
    };
    format!("{browser} · {system}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_are_read_and_checked() {
        let query = AuditQuery::parse([
            ("collection", "customers"),
            ("record", "r1"),
            ("from", "2026-03-01"),
            ("until", "2026-03-31"),
            ("limit", "20"),
            ("user", ""),
        ])
        .unwrap();
        assert_eq!(query.collection, Some(Collection::Customer));
        assert_eq!(query.limit, 20);
        assert_eq!(query.user, None);
        let (from, until) = (query.from_millis.unwrap(), query.until_millis.unwrap());
        assert_eq!(until - from, 31 * DAY_MILLIS);
        assert_eq!(AuditQuery::parse([]).unwrap().limit, DEFAULT_LIMIT);

        let wrong = |pairs: &[(&str, &str)]| AuditQuery::parse(pairs.iter().copied()).unwrap_err();
        assert_eq!(
            wrong(&[("collection", "secrets")]),
            AuditQueryError::UnknownCollection("secrets".into())
        );
        assert!(matches!(
            wrong(&[("from", "March")]),
            AuditQueryError::BadDate { .. }
        ));
        assert!(matches!(
            wrong(&[("limit", "0")]),
            AuditQueryError::BadLimit(_)
        ));
        assert!(matches!(
            wrong(&[("limit", "201")]),
            AuditQueryError::BadLimit(_)
        ));
        assert_eq!(wrong(&[("before", "x")]), AuditQueryError::BadCursor);
        assert!(matches!(
            wrong(&[("sort", "x")]),
            AuditQueryError::UnknownParameter(_)
        ));
    }

    #[test]
    fn a_cursor_round_trips() {
        let cursor = Cursor {
            received_at: 1_780_000_000_000,
            client_id: "0193a1b2-0000-7000-8000-000000000001".into(),
            mutation_id: 42,
        };
        let query = AuditQuery::parse([("before", cursor.to_string().as_str())]).unwrap();
        assert_eq!(query.before, Some(cursor));
    }

    #[test]
    fn a_mutation_says_which_fields_it_set() {
        let edit =
            json!({"collection": "customers", "id": "c1", "fields": {"phone": "138", "tier": "a"}});
        let changes = changes_of(&edit);
        assert_eq!(
            changes.iter().map(|c| c.field.as_str()).collect::<Vec<_>>(),
            ["phone", "tier"]
        );
        assert_eq!(changes[0].value, json!("138"));
        let moved = json!({"collection": "opportunities", "id": "o1", "stage": "proposal"});
        assert_eq!(
            changes_of(&moved),
            vec![FieldChange {
                field: "stage".into(),
                value: json!("proposal")
            }]
        );
        assert!(changes_of(&json!({"collection": "customers", "id": "c1"})).is_empty());
    }

    #[test]
    fn an_offline_edit_is_told_apart_and_actions_are_named() {
        let mut entry = AuditEntry {
            made_at: "2026-03-02T01:00:00Z".into(),
            received_at: "2026-03-02T01:00:02Z".into(),
            user_id: "u".into(),
            user_name: None,
            device: String::new(),
            client_id: "c".into(),
            action: "set_fields".into(),
            collection: "customers".into(),
            record_id: "r".into(),
            record_name: None,
            changes: Vec::new(),
        };
        assert!(!entry.arrived_late());
        entry.received_at = "2026-03-02T03:30:00Z".into();
        assert!(entry.arrived_late());
        assert_eq!(entry.action_label(Locale::ZhCn), "修改");
        entry.action = "move_opportunity_stage".into();
        assert_eq!(entry.action_label(Locale::En), "Moved stage");
    }

    #[test]
    fn devices_are_named_as_people_know_them() {
        let ipad = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(device_label(ipad), "Safari · iPad");
        let android = "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";
        assert_eq!(device_label(android), "Chrome · Android");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0";
        assert_eq!(device_label(edge), "Edge · Windows");
        assert_eq!(device_label(""), "Browser · Device");
        assert_eq!(device_label("yingxiao-server 0.1.0"), "yingxiao-server");
    }
}
