//! Mutations and refusals in words a user reads: the device's list of pending and refused changes.

use super::protocol::{Intent, RejectCode};
use crate::locale::Locale;

/// One line for a change: what was done to which kind of record, and which fields.
pub fn describe(intent: &Intent, locale: Locale) -> String {
    let zh = locale == Locale::ZhCn;
    let target = intent.target();
    let what = target.collection.label(locale);
    match intent {
        Intent::Create(_) => {
            if zh {
                format!("新建{what}")
            } else {
                format!("New {}", what.to_lowercase())
            }
        }
        Intent::SetFields(args) => {
            let fields: Vec<&str> = args
                .fields
                .keys()
                .map(|name| {
                    args.collection
                        .field(name)
                        .map_or(name.as_str(), |f| f.label(locale))
                })
                .collect();
            if zh {
                format!("修改{what}：{}", fields.join("、"))
            } else {
                format!("Edit {}: {}", what.to_lowercase(), fields.join(", "))
            }
        }
        Intent::Delete(_) => {
            if zh {
                format!("删除{what}")
            } else {
                format!("Delete {}", what.to_lowercase())
            }
        }
        Intent::MoveOpportunityStage(args) => {
            let stage = target
                .collection
                .field("stage")
                .and_then(|f| f.choice_label(args.stage.as_str(), locale))
                .unwrap_or(args.stage.as_str());
            if zh {
                format!("{what}阶段改为「{stage}」")
            } else {
                format!("Move {} to “{stage}”", what.to_lowercase())
            }
        }
        Intent::ReschedulePromotion(args) => {
            let moved = args.move_store.is_some();
            let (first, last) = (&args.starts_on, &args.ends_on);
            match (zh, moved) {
                (true, false) => format!("{what}改期为 {first} 至 {last}"),
                (true, true) => format!("{what}换门店并改期为 {first} 至 {last}"),
                (false, false) => format!("Reschedule promotion to {first} – {last}"),
                (false, true) => format!("Move promotion to another store, {first} – {last}"),
            }
        }
        Intent::DecidePromotion(args) => {
            let status = target
                .collection
                .field("status")
                .and_then(|f| f.choice_label(&args.status, locale))
                .unwrap_or(args.status.as_str());
            if zh {
                format!("{what}状态改为「{status}」")
            } else {
                format!("Set promotion status to “{status}”")
            }
        }
        Intent::DecideBreakdown(args) => {
            let status = target
                .collection
                .field("breakdown_status")
                .and_then(|f| f.choice_label(&args.status, locale))
                .unwrap_or(args.status.as_str());
            if zh {
                format!("{what}分解状态改为「{status}」")
            } else {
                format!("Set target breakdown to “{status}”")
            }
        }
        Intent::ReviewReport(args) => match (zh, args.flags.len()) {
            (true, 0) => format!("审阅{what}"),
            (true, n) => format!("审阅{what}，标出 {n} 个问题"),
            (false, 0) => "Review promotion report".to_owned(),
            (false, n) => format!("Review promotion report, {n} problem(s) flagged"),
        },
    }
}

/// Why the server refused a change, in the user's language (the server's own message, in English,
/// is shown beside it for support).
pub fn refusal(code: RejectCode, locale: Locale) -> &'static str {
    let zh = locale == Locale::ZhCn;
    match code {
        RejectCode::NotFound if zh => "记录不存在，或已不在你的权限范围内",
        RejectCode::NotFound => "The record does not exist, or is no longer yours to see",
        RejectCode::AlreadyExists if zh => "记录已存在",
        RejectCode::AlreadyExists => "The record already exists",
        RejectCode::Deleted if zh => "记录在这次修改到达之前已被删除",
        RejectCode::Deleted => "The record was deleted before this change arrived",
        RejectCode::Invalid if zh => "修改不符合规则",
        RejectCode::Invalid => "The change breaks a rule of the record",
        RejectCode::Forbidden if zh => "你没有权限做这项修改",
        RejectCode::Forbidden => "You are not allowed to make this change",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{
        domain::{Collection, Stage},
        sync::protocol::{MoveStageArgs, RecordRef, SetFieldsArgs},
    };

    #[test]
    fn changes_read_as_what_was_done_to_what() {
        let edit = Intent::SetFields(SetFieldsArgs {
            collection: Collection::Customer,
            id: "x".into(),
            fields: json!({"name": "新名", "tier": "A"})
                .as_object()
                .cloned()
                .unwrap(),
        });
        assert_eq!(
            describe(&edit, Locale::ZhCn),
            "修改客户：客户名称、客户等级"
        );
        assert_eq!(describe(&edit, Locale::En), "Edit customers: Name, Tier");
        let delete = Intent::Delete(RecordRef {
            collection: Collection::Contact,
            id: "x".into(),
        });
        assert!(describe(&delete, Locale::ZhCn).starts_with("删除"));
        let moved = Intent::MoveOpportunityStage(MoveStageArgs {
            id: "x".into(),
            stage: Stage::Negotiate,
            lost_reason: None,
            lost_note: None,
        });
        assert!(
            describe(&moved, Locale::ZhCn).contains("谈判"),
            "{}",
            describe(&moved, Locale::ZhCn)
        );
    }

    #[test]
    fn every_refusal_has_words_in_both_languages() {
        for code in [
            RejectCode::NotFound,
            RejectCode::AlreadyExists,
            RejectCode::Deleted,
            RejectCode::Invalid,
            RejectCode::Forbidden,
        ] {
            assert_ne!(refusal(code, Locale::ZhCn), refusal(code, Locale::En));
        }
    }
}
