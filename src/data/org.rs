//! The org chart's read model: the units and people the user sees as core's `Chart`, with what
//! each card shows and what a search reads, made once per change of the units or people.

use std::{collections::HashMap, sync::Arc};

use leptos::prelude::*;
use serde_json::Value;
use yingxiao_core::{
    domain::Collection,
    org_chart::{
        duties::{duties_of, Duty},
        within, Chart, PersonRow, Searchable, Subject, UnitRow,
    },
    scope::Reach,
    sync::apply::StoredRecord,
};

use crate::{collation, session::SessionState};

use super::{
    records::{text, watch_collection, Loaded, Shared},
    sync::Data,
};

/// What a person's card shows besides the chart's own fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PersonExtra {
    pub title: String,
    pub employee_no: String,
}

/// The chart and its rows.
#[derive(Debug, Default)]
pub struct OrgData {
    pub chart: Chart,
    pub units: Vec<UnitRow>,
    pub people: Vec<PersonRow>,
    pub extra: Vec<PersonExtra>,
    /// By person row, then by unit row (a unit found by its own name).
    pub searchable: Vec<Searchable>,
    /// The company unit's fields (its roles' duties), whatever part of the chart is shown.
    pub company: Option<serde_json::Map<String, Value>>,
    unit_at: HashMap<String, usize>,
    person_at: HashMap<String, usize>,
}

impl OrgData {
    /// The record a card shows: a unit's or a person's id.
    pub fn record_id(&self, node: usize) -> &str {
        match self.chart.nodes.get(node).map(|n| n.subject) {
            Some(Subject::Unit(u)) => &self.units[u].id,
            Some(Subject::Person(p)) => &self.people[p].id,
            None => "",
        }
    }

    /// The card showing a record (a unit, or a person on their own card or their unit's).
    pub fn node_of(&self, record: &str) -> Option<usize> {
        match (self.unit_at.get(record), self.person_at.get(record)) {
            (Some(&u), _) => self.chart.unit_node.get(u).copied(),
            (_, Some(&p)) => self.chart.person_node.get(p).copied(),
            _ => None,
        }
    }

    /// The card a search hit (an index into `searchable`) is on.
    pub fn node_of_hit(&self, hit: usize) -> Option<usize> {
        if hit < self.people.len() {
            self.chart.person_node.get(hit).copied()
        } else {
            self.chart.unit_node.get(hit - self.people.len()).copied()
        }
    }

    /// A role's duties and time split (the company's own, or the defaults).
    pub fn duties(&self, role: &str) -> Vec<Duty> {
        duties_of(self.company.as_ref(), role)
    }

    /// A person's role by id, or "".
    pub fn person_role(&self, id: &str) -> &str {
        self.person_at
            .get(id)
            .map_or("", |&p| self.people[p].role.as_str())
    }

    /// A person's name by id, or "".
    pub fn person_name(&self, id: &str) -> &str {
        self.person_at
            .get(id)
            .map_or("", |&p| self.people[p].name.as_str())
    }

    /// A unit's name by id, or "".
    pub fn unit_name(&self, id: &str) -> &str {
        self.unit_at
            .get(id)
            .map_or("", |&u| self.units[u].name.as_str())
    }
}

fn records_by_id(records: &[(String, StoredRecord)]) -> HashMap<&str, &StoredRecord> {
    records.iter().map(|(id, r)| (id.as_str(), r)).collect()
}

fn active(record: &StoredRecord) -> bool {
    record.fields.get("active").and_then(Value::as_bool) != Some(false)
}

/// Reads the rows (inactive units and people left out), keeps the part below `top` (core's
/// `org_chart::within`) and builds the chart.
pub fn read_org(
    units: &[(String, StoredRecord)],
    people_records: &[(String, StoredRecord)],
    top: Option<&str>,
) -> OrgData {
    let people = people_records;
    let company = units
        .iter()
        .find(|(_, u)| text(&u.fields, "kind") == "company")
        .map(|(_, u)| u.fields.clone());
    let units: Vec<UnitRow> = units
        .iter()
        .filter(|(_, u)| active(u))
        .map(|(id, u)| UnitRow {
            id: id.clone(),
            name: text(&u.fields, "name").to_owned(),
            kind: text(&u.fields, "kind").to_owned(),
            parent_id: text(&u.fields, "parent_id").to_owned(),
            manager_id: text(&u.fields, "manager_id").to_owned(),
        })
        .collect();
    let people: Vec<PersonRow> = people
        .iter()
        .filter(|(_, p)| active(p))
        .map(|(id, p)| PersonRow {
            id: id.clone(),
            name: text(&p.fields, "name").to_owned(),
            role: text(&p.fields, "role").to_owned(),
            unit_id: text(&p.fields, "unit_id").to_owned(),
            manager_id: text(&p.fields, "manager_id").to_owned(),
        })
        .collect();
    let (units, people) = within(units, people, top);
    let records = records_by_id(people_records);
    let extra = people
        .iter()
        .map(|p| {
            let fields = records.get(p.id.as_str()).map(|r| &r.fields);
            let read = |name: &str| fields.map_or("", |f| text(f, name)).to_owned();
            PersonExtra {
                title: read("title"),
                employee_no: read("employee_no"),
            }
        })
        .collect();
    let unit_names: HashMap<&str, &str> = units
        .iter()
        .map(|u| (u.id.as_str(), u.name.as_str()))
        .collect();
    let names = people
        .iter()
        .map(|p| p.name.as_str())
        .chain(units.iter().map(|u| u.name.as_str()));
    let unit_of = |id: &str| unit_names.get(id).copied().unwrap_or("").to_owned();
    let searchable = people
        .iter()
        .map(|p| unit_of(&p.unit_id))
        .chain(units.iter().map(|u| unit_of(&u.parent_id)))
        .zip(names.clone())
        .zip(collation::initials(names))
        .map(|((unit, name), initials)| Searchable {
            name: name.to_owned(),
            initials,
            unit,
        })
        .collect();
    let chart = Chart::build(&units, &people);
    let at = |ids: Vec<&String>| ids.into_iter().cloned().zip(0..).collect();
    OrgData {
        company,
        unit_at: at(units.iter().map(|u| &u.id).collect()),
        person_at: at(people.iter().map(|p| &p.id).collect()),
        chart,
        units,
        people,
        extra,
        searchable,
    }
}

/// The org chart's data, once per change of the units or people, kept for the session: all of the
/// organisation for those who see the whole company (admins, HQ), else the signed-in user's unit and
/// everything below it.
pub(crate) fn use_org(data: Data, session: SessionState) -> Memo<Loaded<Shared<OrgData>>> {
    data.model("org", || {
        let units = watch_collection(data, Collection::OrgUnit);
        let people = watch_collection(data, Collection::User);
        let top = Memo::new(move |_| {
            session
                .get()
                .filter(|s| s.user.role.reach() != Reach::Company)
                .map(|s| s.user.unit_id)
        });
        Memo::new(move |_| {
            let top = top.get();
            let read = units.with(|units| {
                people.with(|people| match (units, people) {
                    (Some(Ok(u)), Some(Ok(p))) => {
                        Some(Ok(Shared(Arc::new(read_org(u, p, top.as_deref())))))
                    }
                    (Some(Err(e)), _) | (_, Some(Err(e))) => Some(Err(e.clone())),
                    _ => None,
                })
            });
            Loaded::from_read(read, || data.status.get())
        })
    })
}
