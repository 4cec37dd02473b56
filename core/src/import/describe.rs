//! What an import of one kind reads, for the person making the file: every field a column may
//! feed, its labels, whether every row needs it, its choices, and what a reference may name. The
//! CLI prints it (`import KIND --describe`); the browser's mapping screen is built from it.

use serde::Serialize;

use super::lookup::natural_keys;
use super::mapping::{self, Target};
use super::ImportKind;
use crate::domain::{Collection, FieldKind};
use crate::locale::Locale;

/// What a cell of a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    Text,
    Integer,
    /// Yuan with up to two decimals (`1234.56`, `¥1,234.56`).
    Money,
    /// A whole percentage (`15`, `15%`).
    Percent,
    Date,
    /// A time with its zone, or a date (midnight UTC).
    Instant,
    YesNo,
    Choice,
    /// One record named by one of its keys.
    Reference,
    /// Several, separated by `;`.
    References,
    /// Yuan or a count, by the row's metric (a target's value).
    Figure,
    /// A year, quarter or month (`2026`, `2026Q2`, `2026-03`).
    Period,
}

/// What a reference may name, and by which keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub collections: Vec<Collection>,
    /// The fields a cell is matched against besides the record's id.
    pub keys: Vec<&'static str>,
}

/// One choice: the value stored and its labels, any of which a cell may use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub value: &'static str,
    pub label_zh: &'static str,
    pub label_en: &'static str,
}

/// One field a column may feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldDescription {
    /// What a column map names it by.
    pub name: &'static str,
    /// Other names for it (`unit` for `unit_id`).
    pub aliases: Vec<&'static str>,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    /// Every row needs it, from a column or a default.
    pub required: bool,
    /// It identifies the stored record a row updates (`ImportKind::identity_keys`).
    pub identity: bool,
    pub value: ValueKind,
    pub choices: Vec<Choice>,
    pub reference: Option<Reference>,
}

impl FieldDescription {
    pub fn label(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::ZhCn => self.label_zh,
            Locale::En => self.label_en,
        }
    }
}

/// Everything an import of one kind reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KindDescription {
    pub kind: ImportKind,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub fields: Vec<FieldDescription>,
}

/// The fields of `kind`, in the record's order, then the dates an import reads.
pub fn describe(kind: ImportKind) -> KindDescription {
    let required = mapping::required_fields(kind);
    let mut fields: Vec<(Target, FieldDescription)> = Vec::new();
    for (name, target) in mapping::targets(kind) {
        if let Some((_, described)) = fields.iter_mut().find(|(t, _)| *t == target) {
            described.aliases.push(name);
            continue;
        }
        let [label_zh, label_en] = target.labels(kind);
        let def = target.def();
        let mut described = FieldDescription {
            name,
            aliases: Vec::new(),
            label_zh,
            label_en,
            required: required.contains(&name),
            identity: kind.identity_keys().contains(&name),
            value: ValueKind::Instant,
            choices: Vec::new(),
            reference: None,
        };
        if let Some(def) = def {
            described.value = match def.kind {
                FieldKind::Text { .. } => ValueKind::Text,
                FieldKind::Integer { .. } => ValueKind::Integer,
                FieldKind::Money => ValueKind::Money,
                FieldKind::Percent => ValueKind::Percent,
                FieldKind::Date => ValueKind::Date,
                FieldKind::Instant => ValueKind::Instant,
                FieldKind::Bool => ValueKind::YesNo,
                FieldKind::Enum(_) => ValueKind::Choice,
                FieldKind::Ref(_) => ValueKind::Reference,
                FieldKind::RefList(_) => ValueKind::References,
                FieldKind::Lines(_) | FieldKind::Attachment => continue,
            };
            described.choices = def
                .choices()
                .unwrap_or_default()
                .iter()
                .map(|c| Choice {
                    value: c.value,
                    label_zh: c.label_zh,
                    label_en: c.label_en,
                })
                .collect();
            if let FieldKind::Ref(c) | FieldKind::RefList(c) = def.kind {
                described.reference = Some(Reference {
                    collections: vec![c],
                    keys: natural_keys(c).to_vec(),
                });
            }
            if matches!(target, Target::Later(_)) {
                match name {
                    "subject_id" => {
                        let collections = ["unit", "user", "dealer"]
                            .into_iter()
                            .filter_map(crate::domain::subject_collection)
                            .collect::<Vec<_>>();
                        let mut keys = Vec::new();
                        for key in collections.iter().flat_map(|c| natural_keys(*c)) {
                            if !keys.contains(key) {
                                keys.push(*key);
                            }
                        }
                        described.value = ValueKind::Reference;
                        described.reference = Some(Reference { collections, keys });
                    }
                    "value" => described.value = ValueKind::Figure,
                    "period_start" | "month" => described.value = ValueKind::Period,
                    _ => {}
                }
            }
        }
        fields.push((target, described));
    }
    let collection = kind.collection();
    KindDescription {
        kind,
        label_zh: collection.label(Locale::ZhCn),
        label_en: collection.label(Locale::En),
        fields: fields.into_iter().map(|(_, d)| d).collect(),
    }
}

impl KindDescription {
    /// The description as the CLI prints it: one field per line with its labels, then what it
    /// takes.
    pub fn text(&self) -> String {
        let mut out = format!(
            "{} ({} / {}): the columns an import reads\n",
            self.kind, self.label_zh, self.label_en
        );
        out.push_str("  * every row needs it (a column or --set)   # identifies the stored record a row updates\n\n");
        for field in &self.fields {
            let mut names = vec![field.name];
            names.extend(&field.aliases);
            out.push_str(&format!(
                "{} {}{}  {} / {}\n",
                if field.required { "*" } else { " " },
                names.join(" | "),
                if field.identity { " #" } else { "" },
                field.label_zh,
                field.label_en
            ));
            let what = match field.value {
                ValueKind::Text => "text".to_owned(),
                ValueKind::Integer => "a whole number".to_owned(),
                ValueKind::Money => "yuan, e.g. 1234.56 or ¥1,234.56".to_owned(),
                ValueKind::Percent => "a whole percentage, e.g. 15 or 15%".to_owned(),
                ValueKind::Date => "a date, e.g. 2026-11-27".to_owned(),
                ValueKind::Instant => {
                    "a time with its zone (2026-11-27T08:30:00+08:00) or a date".to_owned()
                }
                ValueKind::YesNo => "yes or no (是/否, yes/no, true/false, 1/0)".to_owned(),
                ValueKind::Choice => {
                    let choices: Vec<String> = field
                        .choices
                        .iter()
                        .map(|c| format!("{} ({} / {})", c.value, c.label_zh, c.label_en))
                        .collect();
                    format!("one of: {}", choices.join(", "))
                }
                ValueKind::Reference | ValueKind::References => {
                    let reference = field.reference.as_ref();
                    let whom: Vec<&str> = reference
                        .map(|r| r.collections.iter().map(|c| c.as_str()).collect())
                        .unwrap_or_default();
                    let keys: Vec<&str> = reference.map(|r| r.keys.clone()).unwrap_or_default();
                    let several = if field.value == ValueKind::References {
                        "; several separated by ;"
                    } else {
                        ""
                    };
                    format!(
                        "a record of {} by its id or {}{several}",
                        whom.join(" / "),
                        keys.join(", ")
                    )
                }
                ValueKind::Figure => "yuan for money metrics, else a count".to_owned(),
                ValueKind::Period => "a year, quarter or month: 2026, 2026Q2, 2026-03".to_owned(),
            };
            out.push_str(&format!("      {what}\n"));
        }
        out
    }
}
