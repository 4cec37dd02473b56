//! Typed records: each collection's fields read once from a record's JSON into plain Rust values.
//!
//! A view is read with `from_fields` from the fields as the sync layer stores them. An optional field
//! that is missing, `null` or not readable as its kind is `None`, so an old record or a half-synced
//! edit still reads; a required field that is missing or unreadable makes the record unreadable, and
//! [`UnreadableField`] names it. A view's `FIELDS` are its wire names in the table's order: a field's
//! Rust name is its wire name, and a test keeps every view equal to `Collection::fields`, so a name is
//! written once here and a field added to a table cannot be forgotten.
//!
//! Money is `i64` 分, a percentage `u8`, a business day [`NaiveDate`], an instant [`DateTime<Utc>`],
//! an id `String`; an enum field is its wire value, or the Rust enum where one exists ([`Stage`],
//! [`LostReason`], [`Role`]). A `Lines` field is a `Vec` of a typed line.

use std::fmt;

use serde_json::Value;

use crate::domain::{LostReason, Stage};
use crate::scope::Role;
use crate::time::{parse_date, parse_instant, DateTime, NaiveDate, Utc};

mod budget;
mod contract;
mod customer;
mod daily_report;
mod opportunity;
mod order;
mod org;
mod product;
mod promotion;
mod service;
mod target;

pub use budget::{Budget, Expense};
pub use contract::Contract;
pub use customer::{Contact, Customer, Visit};
pub use daily_report::DailyReport;
pub use opportunity::{Opportunity, ProductLine, StageHistoryEntry};
pub use order::{Order, OrderLine};
pub use org::{ImportMapping, OrgUnit, PermissionOverride, RoleDuty, ScoreWeight, User};
pub use product::Product;
pub use promotion::{
    Attendance, BudgetLine, CompetitorActivity, DisplayPhoto, Promotion, PromotionReport,
    ReviewFlag, SalesLine, Shift,
};
pub use service::{Survey, Ticket};
pub use target::{PastActual, Target};

/// A required field that is missing or not readable as its kind: the record has no typed view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnreadableField(pub &'static str);

impl fmt::Display for UnreadableField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "required field {} is missing or invalid", self.0)
    }
}

impl std::error::Error for UnreadableField {}

/// How a field's JSON value reads as its Rust type: `None` when it is missing, `null` or of another
/// kind. `Option<T>` never fails, which is what makes a field optional.
pub(crate) trait FieldValue: Sized {
    fn read(value: Option<&Value>) -> Option<Self>;
}

impl FieldValue for String {
    fn read(value: Option<&Value>) -> Option<Self> {
        value?.as_str().map(str::to_owned)
    }
}

impl FieldValue for i64 {
    fn read(value: Option<&Value>) -> Option<Self> {
        value?.as_i64()
    }
}

impl FieldValue for u8 {
    fn read(value: Option<&Value>) -> Option<Self> {
        u8::try_from(value?.as_u64()?).ok()
    }
}

impl FieldValue for bool {
    fn read(value: Option<&Value>) -> Option<Self> {
        value?.as_bool()
    }
}

impl FieldValue for NaiveDate {
    fn read(value: Option<&Value>) -> Option<Self> {
        parse_date(value?.as_str()?)
    }
}

impl FieldValue for DateTime<Utc> {
    fn read(value: Option<&Value>) -> Option<Self> {
        parse_instant(value?.as_str()?)
    }
}

impl FieldValue for Stage {
    fn read(value: Option<&Value>) -> Option<Self> {
        Stage::parse(value?.as_str()?)
    }
}

impl FieldValue for LostReason {
    fn read(value: Option<&Value>) -> Option<Self> {
        LostReason::parse(value?.as_str()?)
    }
}

impl FieldValue for Role {
    fn read(value: Option<&Value>) -> Option<Self> {
        Role::parse(value?.as_str()?)
    }
}

impl<T: FieldValue> FieldValue for Option<T> {
    fn read(value: Option<&Value>) -> Option<Self> {
        Some(T::read(value))
    }
}

/// A list reads only if every item does: a list with a broken entry is not half shown.
impl<T: FieldValue> FieldValue for Vec<T> {
    fn read(value: Option<&Value>) -> Option<Self> {
        value?
            .as_array()?
            .iter()
            .map(|item| T::read(Some(item)))
            .collect()
    }
}

/// Declares a typed view of a record or of one line of a `Lines` field: the struct, its `FIELDS` and
/// `from_fields`. A field's Rust name is its wire name; `Option<…>` marks it optional.
macro_rules! record {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$field_meta:meta])* $field:ident: $ty:ty,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name {
            $($(#[$field_meta])* pub $field: $ty,)+
        }

        impl $name {
            /// The wire names of the fields, in the table's order.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),+];

            /// Reads the fields as stored; see the module doc for what may be missing.
            pub fn from_fields(
                fields: &serde_json::Map<String, serde_json::Value>,
            ) -> Result<Self, $crate::records::UnreadableField> {
                Ok($name {
                    $($field: $crate::records::FieldValue::read(fields.get(stringify!($field)))
                        .ok_or($crate::records::UnreadableField(stringify!($field)))?,)+
                })
            }
        }

        impl $crate::records::FieldValue for $name {
            fn read(value: Option<&serde_json::Value>) -> Option<Self> {
                Self::from_fields(value?.as_object()?).ok()
            }
        }
    };
}
pub(crate) use record;

#[cfg(test)]
mod tests;
