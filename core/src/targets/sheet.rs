//! The targets sheet (`/targets`): one metric's year, as a tree that follows the organisation — a
//! row per unit, and below a unit a row per rep and promoter of it — with each row's year target
//! and its twelve months. The page draws it; the differences it shows, the decomposition it offers
//! and the records an edit writes all come from here.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::{
    actuals::{Actuals, Metric, SubjectKind},
    approval::{approver_facts, decomposer_facts, Breakdown},
    split::{phase_year, split, Method, SplitError},
};
use crate::{
    domain::{breakdown_of, Collection, STORE},
    org_chart::{PersonRow, UnitRow},
    permission::Action,
    scope::{OrgTree, ScopeFacts},
    sync::protocol::{CreateArgs, Intent, SetFieldsArgs},
};

/// The roles whose people carry targets of their own (a manager carries their unit's).
pub const PERSONAL_ROLES: &[&str] = &["sales_rep", "promoter"];

/// One target record as the sheet shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub id: String,
    pub value: i64,
    pub status: Breakdown,
    pub parent_id: Option<String>,
    /// The comment of the breakdown's last decision (why it was sent back or reopened).
    pub comment: Option<String>,
}

/// One row: a unit or a person, with its year and months of the sheet's metric.
#[derive(Clone, Debug, PartialEq)]
pub struct SheetRow {
    pub kind: SubjectKind,
    pub subject_id: String,
    /// The unit a target of this row belongs to: the unit itself, or the person's unit.
    pub unit_id: String,
    pub name: String,
    /// A unit's kind (region, area…) or a person's role: what a row is assessed as.
    pub level: String,
    pub depth: usize,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    pub year: Option<Cell>,
    pub months: [Option<Cell>; 12],
}

impl SheetRow {
    /// The twelve months' values (0 where unset).
    pub fn month_values(&self) -> [i64; 12] {
        let mut values = [0; 12];
        for (value, cell) in values.iter_mut().zip(&self.months) {
            *value = cell.as_ref().map_or(0, |c| c.value);
        }
        values
    }

    /// Has any month a target?
    pub fn phased(&self) -> bool {
        self.months.iter().any(Option::is_some)
    }

    /// Where this row's own breakdown stands (a draft until its year target is submitted).
    pub fn breakdown(&self) -> Breakdown {
        self.year.as_ref().map_or(Breakdown::Draft, |c| c.status)
    }
}

/// The sheet of one metric and year.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sheet {
    pub year: i32,
    pub rows: Vec<SheetRow>,
}

fn text<'a>(fields: &'a Map<String, Value>, name: &str) -> &'a str {
    fields.get(name).and_then(Value::as_str).unwrap_or("")
}

impl Sheet {
    /// Builds the sheet from the units and people shown (already cut to the viewer's part, as the
    /// org chart's `within` does) and the live targets on the device. Units come in tree order, a
    /// unit's people before its sub-units; names order siblings. A target is placed by its subject,
    /// metric and period; where two match, the first by id wins.
    pub fn build(
        units: &[UnitRow],
        people: &[PersonRow],
        targets: &[(String, &Map<String, Value>)],
        metric: Metric,
        year: i32,
    ) -> Sheet {
        let year_start = format!("{year:04}-01-01");
        let month_starts: Vec<String> = (1..=12).map(|m| format!("{year:04}-{m:02}-01")).collect();
        // (kind, subject) → year cell and month cells; of two for one place, the first by id.
        let mut years: HashMap<(&str, &str), Cell> = HashMap::new();
        let mut months: HashMap<(&str, &str, usize), Cell> = HashMap::new();
        fn keep<K: std::hash::Hash + Eq>(
            map: &mut HashMap<K, Cell>,
            key: K,
            cell: impl FnOnce() -> Cell,
            id: &str,
        ) {
            match map.entry(key) {
                std::collections::hash_map::Entry::Occupied(mut held) => {
                    if id < held.get().id.as_str() {
                        held.insert(cell());
                    }
                }
                std::collections::hash_map::Entry::Vacant(free) => {
                    free.insert(cell());
                }
            }
        }
        for (id, fields) in targets {
            if text(fields, "metric") != metric.as_str() {
                continue;
            }
            let cell = || Cell {
                id: id.clone(),
                value: fields.get("value").and_then(Value::as_i64).unwrap_or(0),
                status: breakdown_of(fields),
                parent_id: fields
                    .get("parent_id")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                comment: fields
                    .get("breakdown_comment")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            };
            let subject = (text(fields, "subject_kind"), text(fields, "subject_id"));
            let start = text(fields, "period_start");
            match text(fields, "period") {
                "year" if start == year_start => keep(&mut years, subject, cell, id),
                "month" if start.starts_with(&year_start[..5]) => {
                    if let Some(m) = month_starts.iter().position(|s| s == start) {
                        keep(&mut months, (subject.0, subject.1, m), cell, id);
                    }
                }
                _ => {}
            }
        }

        // A store is not a row of its own: its promoters carry targets in the store's area.
        let store_area: HashMap<&str, &str> = units
            .iter()
            .filter(|u| u.kind == STORE)
            .map(|u| (u.id.as_str(), u.parent_id.as_str()))
            .collect();
        let units: Vec<&UnitRow> = units.iter().filter(|u| u.kind != STORE).collect();
        let mut kids: HashMap<&str, Vec<&UnitRow>> = HashMap::new();
        for unit in &units {
            kids.entry(unit.parent_id.as_str()).or_default().push(unit);
        }
        let mut staff: HashMap<&str, Vec<&PersonRow>> = HashMap::new();
        for person in people
            .iter()
            .filter(|p| PERSONAL_ROLES.contains(&p.role.as_str()))
        {
            let unit = person.unit_id.as_str();
            let unit = store_area.get(unit).copied().unwrap_or(unit);
            staff.entry(unit).or_default().push(person);
        }
        for list in kids.values_mut() {
            list.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        }
        for list in staff.values_mut() {
            list.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        }
        let ids: std::collections::HashSet<&str> = units.iter().map(|u| u.id.as_str()).collect();
        let mut roots: Vec<&UnitRow> = units
            .iter()
            .copied()
            .filter(|u| !ids.contains(u.parent_id.as_str()))
            .collect();
        roots.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));

        let mut sheet = Sheet {
            year,
            rows: Vec::new(),
        };
        let row = |kind: SubjectKind, id: &str, unit: &str, name: &str, depth, parent| {
            let key = match kind {
                SubjectKind::Unit => "unit",
                SubjectKind::User => "user",
                SubjectKind::Dealer => "dealer",
            };
            SheetRow {
                kind,
                subject_id: id.to_owned(),
                unit_id: unit.to_owned(),
                name: name.to_owned(),
                level: String::new(),
                depth,
                parent,
                children: Vec::new(),
                year: years.get(&(key, id)).cloned(),
                months: std::array::from_fn(|m| months.get(&(key, id, m)).cloned()),
            }
        };
        // Depth first without recursion: (unit, depth, parent row).
        let mut stack: Vec<(&UnitRow, usize, Option<usize>)> =
            roots.into_iter().rev().map(|u| (u, 0, None)).collect();
        let mut seen = std::collections::HashSet::new();
        while let Some((unit, depth, parent)) = stack.pop() {
            if !seen.insert(unit.id.as_str()) {
                continue;
            }
            let at = sheet.rows.len();
            sheet.rows.push(row(
                SubjectKind::Unit,
                &unit.id,
                &unit.id,
                &unit.name,
                depth,
                parent,
            ));
            sheet.rows[at].level = unit.kind.clone();
            if let Some(p) = parent {
                sheet.rows[p].children.push(at);
            }
            for person in staff.get(unit.id.as_str()).into_iter().flatten() {
                let me = sheet.rows.len();
                sheet.rows.push(row(
                    SubjectKind::User,
                    &person.id,
                    &unit.id,
                    &person.name,
                    depth + 1,
                    Some(at),
                ));
                sheet.rows[me].level = person.role.clone();
                sheet.rows[at].children.push(me);
            }
            for child in kids.get(unit.id.as_str()).into_iter().flatten().rev() {
                stack.push((child, depth + 1, Some(at)));
            }
        }
        sheet
    }

    /// The rows of one person only (what a rep sees: their own targets).
    pub fn only(&self, subject_id: &str) -> Sheet {
        let rows = self
            .rows
            .iter()
            .filter(|r| r.subject_id == subject_id)
            .map(|r| SheetRow {
                depth: 0,
                parent: None,
                children: Vec::new(),
                ..r.clone()
            })
            .collect();
        Sheet {
            year: self.year,
            rows,
        }
    }

    /// What the row's months leave of its year (positive: short of it); `None` until both are set.
    pub fn phasing_gap(&self, row: usize) -> Option<i64> {
        let r = &self.rows[row];
        let year = r.year.as_ref()?;
        r.phased()
            .then(|| year.value - r.month_values().iter().sum::<i64>())
    }

    /// What the children's year targets leave of the row's (positive: short of it); `None` while
    /// the row has no year target or no child has one.
    pub fn children_gap(&self, row: usize) -> Option<i64> {
        let r = &self.rows[row];
        let year = r.year.as_ref()?;
        let set: Vec<i64> = r
            .children
            .iter()
            .filter_map(|&c| self.rows[c].year.as_ref().map(|cell| cell.value))
            .collect();
        (!set.is_empty()).then(|| year.value - set.iter().sum::<i64>())
    }

    /// The row's breakdown as approval sees it: each child's year and each of its months, by
    /// period (`approval::adds_up`).
    pub fn breakdown_values(&self, row: usize) -> Vec<(&'static str, i64)> {
        let r = &self.rows[row];
        let children = r
            .children
            .iter()
            .filter_map(|&c| self.rows[c].year.as_ref())
            .map(|cell| ("year", cell.value));
        let months = r.months.iter().flatten().map(|cell| ("month", cell.value));
        children.chain(months).collect()
    }

    /// The row's parent's year target, which a new year target of the row is a share of.
    pub fn parent_year(&self, row: usize) -> Option<&Cell> {
        self.rows[row]
            .parent
            .and_then(|p| self.rows[p].year.as_ref())
    }
}

/// What the signed-in user may do on a row of the sheet, by the rules the server applies
/// (`approval::decomposer_facts`, `approver_facts`, `frozen`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rights {
    /// Set the row's year target (the parent row's breakdown is theirs, and not approved).
    pub set_year: bool,
    /// Set its months and its children's years: break it down (its year is set and theirs to
    /// break down, and its breakdown is not approved).
    pub break_down: bool,
    /// Move its breakdown on as its owner (submit).
    pub submit: bool,
    /// Decide its breakdown (approve, send back, reopen): one unit up.
    pub decide: bool,
}

impl Sheet {
    /// The scope facts of a target of this row, as `scope::scope_facts` computes them.
    pub fn facts(&self, row: usize) -> ScopeFacts {
        let r = &self.rows[row];
        ScopeFacts {
            unit_id: Some(r.unit_id.clone()),
            user_ids: match r.kind {
                SubjectKind::User => vec![r.subject_id.clone()],
                _ => Vec::new(),
            },
            ..ScopeFacts::default()
        }
    }

    /// What the user may do on a row; `may(action, facts)` is the permission table's answer.
    pub fn rights(
        &self,
        row: usize,
        org: &OrgTree,
        may: impl Fn(Action, &ScopeFacts) -> bool,
    ) -> Rights {
        let r = &self.rows[row];
        let own = self.facts(row);
        let value = Action::Field("value");
        let parent = r.parent.filter(|_| self.parent_year(row).is_some());
        let parent_facts = parent.map(|p| self.facts(p));
        let parent_approved =
            parent.is_some_and(|p| self.rows[p].breakdown() == Breakdown::Approved);
        let approved = r.breakdown() == Breakdown::Approved;
        let set_year = !parent_approved
            && !approved
            && may(value, &decomposer_facts(org, &own, parent_facts.as_ref()));
        let break_down = r.year.is_some() && !approved && may(value, &own);
        Rights {
            set_year,
            break_down,
            submit: break_down && r.breakdown() == Breakdown::Draft,
            decide: r.year.is_some()
                && r.breakdown() != Breakdown::Draft
                && may(Action::Approve, &approver_facts(org, &own)),
        }
    }
}

/// How a row's year is shared among its children.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareBy {
    Equal,
    /// In proportion to each child's actual of the year before.
    LastYear,
}

/// How a year is phased into months.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phasing {
    Even,
    /// By the row's own months of the year before (its seasonality).
    LastYear,
}

/// A value to write into the sheet: to an existing target, or a new one for a row's year or month.
#[derive(Clone, Debug, PartialEq)]
pub enum Write {
    Set {
        id: String,
        value: i64,
    },
    NewYear {
        row: usize,
        parent_id: Option<String>,
        value: i64,
    },
    NewMonth {
        row: usize,
        month: usize,
        parent_id: String,
        value: i64,
    },
}

/// The writes that give a row's cell (`None`: its year, `Some(m)`: month m) this value.
pub fn write_cell(sheet: &Sheet, row: usize, month: Option<usize>, value: i64) -> Option<Write> {
    let r = &sheet.rows[row];
    match month {
        None => Some(match &r.year {
            Some(cell) => Write::Set {
                id: cell.id.clone(),
                value,
            },
            None => Write::NewYear {
                row,
                parent_id: sheet.parent_year(row).map(|c| c.id.clone()),
                value,
            },
        }),
        Some(m) => Some(match &r.months[m] {
            Some(cell) => Write::Set {
                id: cell.id.clone(),
                value,
            },
            None => Write::NewMonth {
                row,
                month: m,
                parent_id: r.year.as_ref()?.id.clone(),
                value,
            },
        }),
    }
}

/// Breaks a row's year target down: shared among its children by `share` (last year's actuals
/// from `actuals`; all zero: equally), and phased into its own months by `phasing`. Rows with no
/// children get only the phasing. Cells whose value does not change are left alone.
pub fn decompose(
    sheet: &Sheet,
    row: usize,
    share: ShareBy,
    phasing: Phasing,
    actuals: &Actuals,
    metric: Metric,
) -> Result<Vec<Write>, SplitError> {
    let r = &sheet.rows[row];
    let Some(year) = &r.year else {
        return Err(SplitError::NoChildren);
    };
    let last = (sheet.year - 1) * 12;
    let mut writes = Vec::new();
    let put = |writes: &mut Vec<Write>, at: usize, month: Option<usize>, value: i64| {
        let current = match month {
            None => sheet.rows[at].year.as_ref(),
            Some(m) => sheet.rows[at].months[m].as_ref(),
        };
        if current.is_some_and(|c| c.value == value) {
            return;
        }
        if let Some(write) = write_cell(sheet, at, month, value) {
            writes.push(write);
        }
    };
    if !r.children.is_empty() {
        let method = match share {
            ShareBy::Equal => Method::Equal,
            ShareBy::LastYear => Method::LastYear(
                r.children
                    .iter()
                    .map(|&c| {
                        let child = &sheet.rows[c];
                        actuals
                            .sum(metric, child.kind, &child.subject_id, last, last + 12)
                            .max(0)
                    })
                    .collect(),
            ),
        };
        let parts = split(year.value, r.children.len(), &method)?;
        for (&child, value) in r.children.iter().zip(parts) {
            put(&mut writes, child, None, value);
        }
    }
    let seasonality = match phasing {
        Phasing::Even => None,
        Phasing::LastYear => {
            let mut months = [0; 12];
            for (m, value) in months.iter_mut().enumerate() {
                let month = last + m as i32;
                *value = actuals
                    .sum(metric, r.kind, &r.subject_id, month, month + 1)
                    .max(0);
            }
            Some(months)
        }
    };
    for (m, value) in phase_year(year.value, seasonality.as_ref())?
        .into_iter()
        .enumerate()
    {
        put(&mut writes, row, Some(m), value);
    }
    Ok(writes)
}

/// The mutations that make `writes`, new targets taking ids from `new_id`. A new month's parent
/// may be a year made by the same writes (its `NewYear` comes first and names the row).
pub fn intents(
    sheet: &Sheet,
    metric: Metric,
    writes: &[Write],
    mut new_id: impl FnMut() -> String,
) -> Vec<Intent> {
    let mut made_years: HashMap<usize, String> = HashMap::new();
    let mut out = Vec::new();
    let mut create = |row: usize, period: &str, start: String, value: i64, parent: Option<&str>| {
        let r = &sheet.rows[row];
        let id = new_id();
        let mut fields = json!({
            "period": period,
            "period_start": start,
            "subject_kind": match r.kind {
                SubjectKind::Unit => "unit",
                SubjectKind::User => "user",
                SubjectKind::Dealer => "dealer",
            },
            "subject_id": r.subject_id,
            "metric": metric.as_str(),
            "value": value,
            "unit_id": r.unit_id,
        });
        if let Some(parent) = parent {
            fields["parent_id"] = json!(parent);
        }
        let fields = fields.as_object().cloned().unwrap_or_default();
        (
            id.clone(),
            Intent::Create(CreateArgs {
                collection: Collection::Target,
                id,
                fields,
            }),
        )
    };
    for write in writes {
        match write {
            Write::Set { id, value } => out.push(Intent::SetFields(SetFieldsArgs {
                collection: Collection::Target,
                id: id.clone(),
                fields: json!({ "value": value })
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            })),
            Write::NewYear {
                row,
                parent_id,
                value,
            } => {
                let start = format!("{:04}-01-01", sheet.year);
                let (id, intent) = create(*row, "year", start, *value, parent_id.as_deref());
                made_years.insert(*row, id);
                out.push(intent);
            }
            Write::NewMonth {
                row,
                month,
                parent_id,
                value,
            } => {
                let start = format!("{:04}-{:02}-01", sheet.year, month + 1);
                let parent = made_years.get(row).unwrap_or(parent_id);
                let (_, intent) = create(*row, "month", start, *value, Some(parent.as_str()));
                out.push(intent);
            }
        }
    }
    out
}

/// A row's attainment on a day: the month's, the quarter's and the year's to date.
#[derive(Clone, Debug, PartialEq)]
pub struct Standing {
    /// Actual of the day's month, and its target (0 when unset).
    pub month_actual: i64,
    pub month_target: i64,
    /// Actual of the quarter to date, and the quarter's target (its months, else a quarter of the
    /// year).
    pub quarter_actual: i64,
    pub quarter_target: i64,
    /// Actual of the year to date, the year's target, the share attained and the light against
    /// the share of the year gone.
    pub year_actual: i64,
    pub year_target: i64,
    pub attained: Option<f64>,
    pub light: Option<super::attainment::Light>,
    /// The year at the pace so far, and what is still to do.
    pub forecast: Option<i64>,
    pub gap: i64,
}

/// Where a row stands on `today` (a day of the sheet's year, or before or after it).
pub fn standing(
    sheet: &Sheet,
    row: usize,
    actuals: &Actuals,
    metric: Metric,
    today: crate::time::NaiveDate,
) -> Standing {
    use super::{actuals::month_of, attainment};
    use crate::time::NaiveDate;
    let r = &sheet.rows[row];
    let first = sheet.year * 12;
    let now = month_of(today).clamp(first, first + 11);
    let sum = |from, to| actuals.sum(metric, r.kind, &r.subject_id, from, to);
    let months = r.month_values();
    let year_target = r.year.as_ref().map_or(0, |c| c.value);
    let q = ((now - first) / 3) as usize;
    let quarter_months: i64 = months[q * 3..q * 3 + 3].iter().sum();
    let quarter_target = if r.phased() {
        quarter_months
    } else {
        year_target / 4
    };
    let year_actual = sum(first, (month_of(today) + 1).clamp(first, first + 12));
    let start = NaiveDate::from_ymd_opt(sheet.year, 1, 1);
    let end = NaiveDate::from_ymd_opt(sheet.year + 1, 1, 1);
    let gone = match (start, end) {
        (Some(start), Some(end)) => attainment::elapsed(start, end, today),
        _ => 0.0,
    };
    let attained = attainment::attained(year_actual, year_target);
    Standing {
        month_actual: sum(now, now + 1),
        month_target: months[(now - first) as usize],
        quarter_actual: sum(first + q as i32 * 3, now + 1),
        quarter_target,
        year_actual,
        year_target,
        attained,
        light: attained.map(|a| attainment::light(a, gone)),
        forecast: attainment::forecast(year_actual, gone),
        gap: attainment::gap(year_target, year_actual),
    }
}

impl Sheet {
    /// A sheet of one row: a unit's or a person's own year and months (the home page's card).
    pub fn of_subject(
        kind: SubjectKind,
        subject: &str,
        unit: &str,
        targets: &[(String, &Map<String, Value>)],
        metric: Metric,
        year: i32,
    ) -> Sheet {
        let unit_row = |id: &str| UnitRow {
            id: id.to_owned(),
            name: String::new(),
            kind: String::new(),
            parent_id: String::new(),
            manager_id: String::new(),
        };
        let (units, people) = match kind {
            SubjectKind::User => (
                vec![unit_row(unit)],
                vec![PersonRow {
                    id: subject.to_owned(),
                    name: String::new(),
                    role: PERSONAL_ROLES[0].to_owned(),
                    unit_id: unit.to_owned(),
                    manager_id: String::new(),
                }],
            ),
            _ => (vec![unit_row(subject)], Vec::new()),
        };
        Sheet::build(&units, &people, targets, metric, year).only(subject)
    }
}

/// A row's actual of each month of the sheet's year.
pub fn month_actuals(sheet: &Sheet, row: usize, actuals: &Actuals, metric: Metric) -> [i64; 12] {
    let r = &sheet.rows[row];
    let first = sheet.year * 12;
    std::array::from_fn(|m| {
        let month = first + m as i32;
        actuals.sum(metric, r.kind, &r.subject_id, month, month + 1)
    })
}

/// Each unit's attainment of its year target of `metric` on `today` (today's year): the share
/// attained to date and its light. Units without a target of that year are left out. One pass over
/// the targets, so the org chart can show it on every card.
pub fn units_attainment(
    targets: &[(String, &Map<String, Value>)],
    actuals: &Actuals,
    metric: Metric,
    today: crate::time::NaiveDate,
) -> HashMap<String, (f64, super::attainment::Light)> {
    use super::{actuals::month_of, attainment};
    use crate::time::{Datelike, NaiveDate};
    let year = today.year();
    let start = format!("{year:04}-01-01");
    let gone = match (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year + 1, 1, 1),
    ) {
        (Some(first), Some(next)) => attainment::elapsed(first, next, today),
        _ => 0.0,
    };
    let first = year * 12;
    let mut out = HashMap::new();
    for (_, fields) in targets {
        if text(fields, "metric") != metric.as_str()
            || text(fields, "period") != "year"
            || text(fields, "subject_kind") != "unit"
            || text(fields, "period_start") != start
        {
            continue;
        }
        let unit = text(fields, "subject_id");
        let target = fields.get("value").and_then(Value::as_i64).unwrap_or(0);
        let actual = actuals.sum(metric, SubjectKind::Unit, unit, first, month_of(today) + 1);
        if let Some(share) = attainment::attained(actual, target) {
            out.insert(unit.to_owned(), (share, attainment::light(share, gone)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{scope::OrgTree, targets::actuals::Contribution, time::NaiveDate};

    fn unit(id: &str, name: &str, parent: &str) -> UnitRow {
        UnitRow {
            id: id.into(),
            name: name.into(),
            kind: "area".into(),
            parent_id: parent.into(),
            manager_id: String::new(),
        }
    }

    fn person(id: &str, name: &str, role: &str, unit: &str) -> PersonRow {
        PersonRow {
            id: id.into(),
            name: name.into(),
            role: role.into(),
            unit_id: unit.into(),
            manager_id: String::new(),
        }
    }

    fn target(
        kind: &str,
        subject: &str,
        period: &str,
        start: &str,
        value: i64,
        parent: Option<&str>,
    ) -> Map<String, Value> {
        let mut fields = json!({"period": period, "period_start": start, "subject_kind": kind,
            "subject_id": subject, "metric": "sales_amount", "value": value});
        if let Some(parent) = parent {
            fields["parent_id"] = json!(parent);
        }
        fields.as_object().cloned().unwrap()
    }

    /// A region with two areas, a rep and a supervisor in the first, and a region year target.
    fn world() -> (Vec<UnitRow>, Vec<PersonRow>) {
        (
            vec![
                unit("region", "华东", "company"),
                unit("wuxi", "无锡区", "region"),
                unit("suzhou", "苏州区", "region"),
                UnitRow {
                    kind: "store".into(),
                    ..unit("store", "观前店", "suzhou")
                },
            ],
            vec![
                person("rep", "张伟", "sales_rep", "suzhou"),
                person("boss", "李强", "area_supervisor", "suzhou"),
                person("promoter", "王芳", "promoter", "store"),
            ],
        )
    }

    #[test]
    fn the_sheet_follows_the_organisation_with_people_before_sub_units() {
        let (units, people) = world();
        let year = target("unit", "region", "year", "2027-01-01", 1_200, None);
        let march = target("unit", "region", "month", "2027-03-01", 100, Some("t1"));
        let other_metric = {
            let mut t = target("unit", "suzhou", "year", "2027-01-01", 5, None);
            t["metric"] = json!("visits");
            t
        };
        let last_year = target("unit", "wuxi", "year", "2026-01-01", 7, None);
        let targets = vec![
            ("t1".to_owned(), &year),
            ("t2".to_owned(), &march),
            ("t3".to_owned(), &other_metric),
            ("t4".to_owned(), &last_year),
        ];
        let sheet = Sheet::build(&units, &people, &targets, Metric::SalesAmount, 2027);
        let names: Vec<(&str, usize)> = sheet
            .rows
            .iter()
            .map(|r| (r.name.as_str(), r.depth))
            .collect();
        // Siblings by name: 无 (wú) sorts after 苏 (sū) by code point, so the order is the data's.
        assert_eq!(names[0], ("华东", 0));
        assert_eq!(
            sheet.rows.len(),
            5,
            "the supervisor carries the unit's target, the store none: not rows"
        );
        let promoter = sheet
            .rows
            .iter()
            .find(|r| r.subject_id == "promoter")
            .unwrap();
        assert_eq!(
            promoter.unit_id, "suzhou",
            "a store's promoter counts in its area"
        );
        let suzhou = sheet
            .rows
            .iter()
            .position(|r| r.subject_id == "suzhou")
            .unwrap();
        assert_eq!(sheet.rows[suzhou + 1].subject_id, "rep");
        assert_eq!(sheet.rows[suzhou + 1].kind, SubjectKind::User);
        assert_eq!(sheet.rows[suzhou + 1].unit_id, "suzhou");
        assert_eq!(sheet.rows[0].year.as_ref().map(|c| c.value), Some(1_200));
        assert_eq!(sheet.rows[0].months[2].as_ref().map(|c| c.value), Some(100));
        assert!(
            sheet.rows[suzhou].year.is_none(),
            "another metric is another sheet"
        );
        let wuxi = sheet
            .rows
            .iter()
            .position(|r| r.subject_id == "wuxi")
            .unwrap();
        assert!(
            sheet.rows[wuxi].year.is_none(),
            "last year's is another sheet"
        );
        assert_eq!(sheet.phasing_gap(0), Some(1_100));
        assert_eq!(sheet.children_gap(0), None);
        assert_eq!(sheet.only("rep").rows.len(), 1);
    }

    #[test]
    fn a_decomposition_shares_the_year_by_last_years_actuals_and_phases_it_exactly() {
        let (units, people) = world();
        let year = target("unit", "region", "year", "2027-01-01", 1_000_001, None);
        let targets = vec![("t1".to_owned(), &year)];
        let sheet = Sheet::build(&units, &people, &targets, Metric::SalesAmount, 2027);
        let org = OrgTree::new([
            ("region".to_owned(), "company".to_owned()),
            ("wuxi".to_owned(), "region".to_owned()),
            ("suzhou".to_owned(), "region".to_owned()),
        ]);
        let mut actuals = Actuals::default();
        // Last year: 苏州 sold 3, 无锡 1; the region's sales all fell in December.
        for (unit, amount) in [("suzhou", 300), ("wuxi", 100)] {
            actuals.add(
                &Contribution {
                    metric: Metric::SalesAmount,
                    month: 2026 * 12 + 11,
                    amount,
                    user: None,
                    dealer: None,
                    unit: Some(unit.to_owned()),
                },
                &org,
                |_| None,
                1,
            );
        }
        let writes = decompose(
            &sheet,
            0,
            ShareBy::LastYear,
            Phasing::LastYear,
            &actuals,
            Metric::SalesAmount,
        )
        .unwrap();
        let years: Vec<(usize, i64)> = writes
            .iter()
            .filter_map(|w| match w {
                Write::NewYear {
                    row,
                    value,
                    parent_id,
                } => {
                    assert_eq!(parent_id.as_deref(), Some("t1"));
                    Some((*row, *value))
                }
                _ => None,
            })
            .collect();
        let share = |id: &str| {
            let at = sheet.rows.iter().position(|r| r.subject_id == id).unwrap();
            years.iter().find(|(row, _)| *row == at).map(|(_, v)| *v)
        };
        assert_eq!(share("suzhou"), Some(750_001));
        assert_eq!(share("wuxi"), Some(250_000));
        let months: Vec<i64> = writes
            .iter()
            .filter_map(|w| match w {
                Write::NewMonth { value, .. } => Some(*value),
                _ => None,
            })
            .collect();
        // Only December had sales: the year is phased into December alone (zero months are unchanged
        // empty cells and still written, so the months add up).
        assert_eq!(months.iter().sum::<i64>(), 1_000_001);
        assert_eq!(months.last(), Some(&1_000_001));

        let mut n = 0;
        let made = intents(&sheet, Metric::SalesAmount, &writes, || {
            n += 1;
            format!("new{n}")
        });
        assert_eq!(made.len(), writes.len());
        let Intent::Create(first) = &made[0] else {
            panic!("{:?}", made[0])
        };
        assert_eq!(first.fields["period"], "year");
        assert_eq!(first.fields["parent_id"], "t1");
        assert_eq!(first.fields["metric"], "sales_amount");
    }

    #[test]
    fn a_row_stands_against_the_share_of_the_year_gone() {
        let (units, people) = world();
        let year = target("user", "rep", "year", "2027-01-01", 1_200, None);
        let targets = vec![("t1".to_owned(), &year)];
        let sheet = Sheet::build(&units, &people, &targets, Metric::SalesAmount, 2027);
        let rep = sheet
            .rows
            .iter()
            .position(|r| r.subject_id == "rep")
            .unwrap();
        let mut actuals = Actuals::default();
        let org = OrgTree::default();
        for (month, amount) in [(0, 200), (6, 250)] {
            actuals.add(
                &Contribution {
                    metric: Metric::SalesAmount,
                    month: 2027 * 12 + month,
                    amount,
                    user: Some("rep".into()),
                    dealer: None,
                    unit: None,
                },
                &org,
                |_| None,
                1,
            );
        }
        // 7 August: 219 of 365 days gone (60%), 450 of 1,200 attained (37.5%): red.
        let today = NaiveDate::from_ymd_opt(2027, 8, 7).unwrap();
        let s = standing(&sheet, rep, &actuals, Metric::SalesAmount, today);
        assert_eq!(s.year_actual, 450);
        assert_eq!(s.year_target, 1_200);
        assert_eq!(s.light, Some(crate::targets::attainment::Light::Red));
        assert_eq!(s.quarter_actual, 250, "July is in the third quarter");
        assert_eq!(s.quarter_target, 300, "unphased: a quarter of the year");
        assert_eq!(s.month_actual, 0);
        assert_eq!(s.gap, 750);
        assert_eq!(s.forecast, Some(750));
    }

    #[test]
    fn a_manager_breaks_their_region_down_but_does_not_set_its_year() {
        let (units, people) = world();
        let company_year = target("unit", "company", "year", "2027-01-01", 2_000, None);
        let region_year = target("unit", "region", "year", "2027-01-01", 1_000, Some("c"));
        let mut units = units;
        units.push(unit("company", "公司", ""));
        let targets = vec![
            ("c".to_owned(), &company_year),
            ("r".to_owned(), &region_year),
        ];
        let sheet = Sheet::build(&units, &people, &targets, Metric::SalesAmount, 2027);
        let org = OrgTree::new([
            ("region".to_owned(), "company".to_owned()),
            ("wuxi".to_owned(), "region".to_owned()),
            ("suzhou".to_owned(), "region".to_owned()),
        ]);
        // A regional manager's reach: the region and below, for values and approvals alike.
        let manager = |_: Action, facts: &ScopeFacts| {
            facts
                .unit_id
                .as_deref()
                .is_some_and(|u| org.is_within(u, "region"))
        };
        let at = |id: &str| sheet.rows.iter().position(|r| r.subject_id == id).unwrap();
        let region = sheet.rights(at("region"), &org, manager);
        assert!(!region.set_year, "the company sets the region's year");
        assert!(region.break_down && region.submit);
        assert!(!region.decide);
        let area = sheet.rights(at("suzhou"), &org, manager);
        assert!(area.set_year, "the region's manager sets its areas' years");
        assert!(!area.break_down, "no year yet: nothing to break down");
    }

    #[test]
    fn the_home_card_and_the_org_chart_read_a_subjects_own_year() {
        use crate::targets::attainment::Light;
        let region = target("unit", "region", "year", "2027-01-01", 1_000, None);
        let march = target("unit", "region", "month", "2027-03-01", 80, Some("y"));
        let rep = target("user", "rep", "year", "2027-01-01", 500, None);
        let targets = vec![
            ("y".to_owned(), &region),
            ("m".to_owned(), &march),
            ("r".to_owned(), &rep),
        ];
        let one = Sheet::of_subject(
            SubjectKind::User,
            "rep",
            "suzhou",
            &targets,
            Metric::SalesAmount,
            2027,
        );
        assert_eq!(one.rows.len(), 1);
        assert_eq!(one.rows[0].year.as_ref().map(|c| c.value), Some(500));
        let unit = Sheet::of_subject(
            SubjectKind::Unit,
            "region",
            "",
            &targets,
            Metric::SalesAmount,
            2027,
        );
        assert_eq!(unit.rows[0].months[2].as_ref().map(|c| c.value), Some(80));

        let mut actuals = Actuals::default();
        actuals.add(
            &Contribution {
                metric: Metric::SalesAmount,
                month: 2027 * 12,
                amount: 600,
                user: None,
                dealer: None,
                unit: Some("region".into()),
            },
            &OrgTree::default(),
            |_| None,
            1,
        );
        let today = NaiveDate::from_ymd_opt(2027, 7, 1).unwrap();
        let by_unit = units_attainment(&targets, &actuals, Metric::SalesAmount, today);
        assert_eq!(by_unit.len(), 1, "people's targets are not units'");
        let (share, light) = by_unit["region"];
        assert!((share - 0.6).abs() < 1e-9);
        assert_eq!(light, Light::Green, "60% attained with half the year gone");
    }
}
