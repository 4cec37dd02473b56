//! Importing an organisation from the usual HR export: one row per person with an employee number, a
//! name, a title, a department and the manager's employee number. The units and their managers are
//! built from it:
//!
//! - Each department name is a unit; one that already exists (by name or code) is reused.
//! - A unit's head is its person highest in the reporting line (whose manager is outside the unit,
//!   or who has none); the head manages the unit, and the unit hangs under the head's manager's unit.
//! - A unit without a parent is the company. If the company exists already and the file has one top
//!   unit, that top unit is the company (the existing record is reused, not renamed).
//! - New units take their level from their depth: 公司, 大区, 区域, then 团队.
//! - Each person's role comes from their title's words (促销 → promoter, 大区经理 → regional manager,
//!   主管 → area supervisor, 业务/销售 → sales rep, 财务, 客服, 市场/总经理/总监 → HQ marketing), or
//!   else from their unit's level. No one is made an administrator by a file.
//! - Logins are employee numbers, in the form every login is stored in (`account::normalise_login`).
//!
//! Every bad row is listed with its line (missing cells, an employee number twice or already taken,
//! an unknown manager, a loop of managers), and then nothing is applied.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Map, Value};

use crate::account::normalise_login;
use crate::domain::{validate_fields, Collection};
use crate::locale::Locale;
use crate::sync::protocol::{CreateArgs, Intent, SetFieldsArgs};

/// Header names each column may have (compared trimmed, case-insensitively), first the names the
/// peers' generator writes, then the usual Chinese ones.
const EMPLOYEE_NO: &[&str] = &["employee_id", "employee_no", "工号", "员工编号", "员工工号"];
const MANAGER_NO: &[&str] = &[
    "manager_id",
    "manager_no",
    "上级工号",
    "直属上级工号",
    "汇报对象工号",
    "上级编号",
];
const NAME: &[&str] = &["name", "姓名", "员工姓名"];
const TITLE: &[&str] = &["title", "职务", "职位", "岗位"];
const UNIT: &[&str] = &["unit", "department", "部门", "所属部门", "组织", "所属组织"];

/// A problem that stops the whole file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileProblem {
    /// The file cannot be read as a table: its encoding, a broken workbook, no header.
    File(crate::import::ImportError),
    /// A column the import needs has none of its names in the header.
    MissingColumn {
        column: &'static str,
        names: &'static [&'static str],
    },
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileProblem::File(error) => write!(
                f,
                "{} / {}",
                error.message(crate::locale::Locale::En),
                error.message(crate::locale::Locale::ZhCn)
            ),
            FileProblem::MissingColumn { column, names } => write!(
                f,
                "no {column} column (one of: {}) / 缺少列：{}",
                names.join(", "),
                names.join("、")
            ),
        }
    }
}

/// One bad row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineProblem {
    pub line: u64,
    pub en: String,
    pub zh: String,
}

/// What is on the server already.
#[derive(Clone, Debug, Default)]
pub struct Existing {
    /// (id, name, code, kind, manager id)
    pub units: Vec<(String, String, String, String, String)>,
    /// (id, employee number, login)
    pub people: Vec<(String, String, String)>,
}

/// A person of the file, read.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonLine {
    pub line: u64,
    pub employee_no: String,
    pub manager_no: String,
    pub name: String,
    pub title: String,
    pub unit: String,
}

/// What the file amounts to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OrgPlan {
    /// New units parents first, then new people managers first, then units' managers.
    pub intents: Vec<Intent>,
    /// The new people: (user id, login, name).
    pub people: Vec<(String, String, String)>,
    pub units_created: usize,
    pub units_reused: usize,
    /// Levels of the reporting line (the top person is level 1).
    pub depth: usize,
    /// The most direct reports anyone has.
    pub widest_span: usize,
}

fn header_at(headers: &[String], names: &'static [&'static str]) -> Option<usize> {
    headers.iter().position(|h| {
        let h = h.trim().to_lowercase();
        names.iter().any(|n| *n == h)
    })
}

/// Reads the rows of the file: a CSV file in any usual delimiter and encoding (an HR system's GBK
/// export too) or an .xlsx workbook's first sheet, as the import reads them (`import::read_table`).
pub fn read_people(input: &[u8]) -> Result<Vec<PersonLine>, FileProblem> {
    let table = crate::import::read_table(input, &crate::import::ReadOptions::default())
        .map_err(FileProblem::File)?;
    let need = |column, names| {
        header_at(&table.headers, names).ok_or(FileProblem::MissingColumn { column, names })
    };
    let at_no = need("employee number", EMPLOYEE_NO)?;
    let at_manager = need("manager's employee number", MANAGER_NO)?;
    let at_name = need("name", NAME)?;
    let at_unit = need("department", UNIT)?;
    let at_title = header_at(&table.headers, TITLE);
    let rows = table
        .rows
        .iter()
        .map(|row| {
            let cell = |at: usize| row.cells.get(at).map_or("", |c| c.trim()).to_owned();
            PersonLine {
                line: row.line,
                employee_no: cell(at_no),
                manager_no: cell(at_manager),
                name: cell(at_name),
                title: at_title.map(cell).unwrap_or_default(),
                unit: cell(at_unit),
            }
        })
        .collect();
    Ok(rows)
}

/// The role a title names, if it names one.
pub fn role_of_title(title: &str) -> Option<&'static str> {
    let has = |words: &[&str]| words.iter().any(|w| title.contains(w));
    Some(if has(&["促销"]) {
        "promoter"
    } else if has(&["大区经理", "大区总监"]) {
        "regional_manager"
    } else if has(&["主管", "区域经理", "城市经理"]) {
        "area_supervisor"
    } else if has(&["业务", "销售代表", "销售员", "客户经理"]) {
        "sales_rep"
    } else if has(&["财务", "会计"]) {
        "finance"
    } else if has(&["客服", "售后"]) {
        "service_agent"
    } else if has(&["市场", "总经理", "总监", "总部"]) {
        "hq_marketing"
    } else {
        return None;
    })
}

fn role_of_level(kind: &str) -> &'static str {
    match kind {
        "company" => "hq_marketing",
        "region" => "regional_manager",
        "area" => "area_supervisor",
        _ => "sales_rep",
    }
}

fn kind_of_depth(depth: usize) -> &'static str {
    match depth {
        0 => "company",
        1 => "region",
        2 => "area",
        _ => "team",
    }
}

/// A new person's login is their employee number, in the form every login is stored in.
fn login_of(employee_no: &str) -> Option<String> {
    normalise_login(employee_no).ok()
}

fn problem(line: u64, en: String, zh: String) -> LineProblem {
    LineProblem { line, en, zh }
}

/// Checks the rows and plans the records. `new_id` names each new record.
pub fn plan_people(
    rows: &[PersonLine],
    existing: &Existing,
    mut new_id: impl FnMut() -> String,
) -> Result<OrgPlan, Vec<LineProblem>> {
    let mut problems = Vec::new();
    let taken_no: HashSet<&str> = existing.people.iter().map(|p| p.1.as_str()).collect();
    let taken_login: HashSet<&str> = existing.people.iter().map(|p| p.2.as_str()).collect();
    let existing_by_no: HashMap<&str, &str> = existing
        .people
        .iter()
        .filter(|p| !p.1.is_empty())
        .map(|p| (p.1.as_str(), p.0.as_str()))
        .collect();
    let mut at_no: HashMap<&str, usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        for (value, en, zh) in [
            (&row.employee_no, "employee number", "工号"),
            (&row.name, "name", "姓名"),
            (&row.unit, "department", "部门"),
        ] {
            if value.is_empty() {
                problems.push(problem(row.line, format!("no {en}"), format!("缺少{zh}")));
            }
        }
        // What the records will hold, against the fields' rules (a title of 300 characters would
        // otherwise be refused by the server, and with it the whole file's push).
        let person = [
            ("name", &row.name),
            ("title", &row.title),
            ("employee_no", &row.employee_no),
        ];
        let person: Map<String, Value> = person
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(field, value)| (field.to_owned(), json!(value)))
            .collect();
        let unit: Map<String, Value> = [("name".to_owned(), json!(row.unit))]
            .into_iter()
            .filter(|_| !row.unit.is_empty())
            .collect();
        if let Err(error) = validate_fields(Collection::User, &person) {
            problems.push(problem(
                row.line,
                error.message_for(Collection::User, Locale::En),
                error.message_for(Collection::User, Locale::ZhCn),
            ));
        }
        if let Err(error) = validate_fields(Collection::OrgUnit, &unit) {
            problems.push(problem(
                row.line,
                format!(
                    "department: {}",
                    error.message_for(Collection::OrgUnit, Locale::En)
                ),
                format!(
                    "部门：{}",
                    error.message_for(Collection::OrgUnit, Locale::ZhCn)
                ),
            ));
        }
        if row.employee_no.is_empty() {
            continue;
        }
        match login_of(&row.employee_no) {
            None => problems.push(problem(
                row.line,
                format!(
                    "employee number {:?} cannot be a login (letters and digits of any language, . _ - only)",
                    row.employee_no
                ),
                format!(
                    "工号“{}”不能作为登录名（仅限任何语言的字母、数字和 . _ -）",
                    row.employee_no
                ),
            )),
            Some(login) if taken_login.contains(login.as_str()) => problems.push(problem(
                row.line,
                format!("login {login} is taken already"),
                format!("登录名 {login} 已被占用"),
            )),
            Some(_) => {}
        }
        if taken_no.contains(row.employee_no.as_str()) {
            problems.push(problem(
                row.line,
                format!("employee number {} exists already", row.employee_no),
                format!("工号 {} 已存在", row.employee_no),
            ));
        }
        if let Some(&first) = at_no.get(row.employee_no.as_str()) {
            problems.push(problem(
                row.line,
                format!(
                    "employee number {} is on line {} too",
                    row.employee_no, rows[first].line
                ),
                format!("工号 {} 与第 {} 行重复", row.employee_no, rows[first].line),
            ));
        } else {
            at_no.insert(&row.employee_no, i);
        }
    }
    // Managers: in the file, or people already there.
    let mut manager: Vec<Option<usize>> = vec![None; rows.len()];
    let mut manager_outside: Vec<Option<&str>> = vec![None; rows.len()];
    for (i, row) in rows.iter().enumerate() {
        if row.manager_no.is_empty() {
            continue;
        }
        if let Some(&m) = at_no.get(row.manager_no.as_str()) {
            manager[i] = Some(m);
        } else if let Some(&id) = existing_by_no.get(row.manager_no.as_str()) {
            manager_outside[i] = Some(id);
        } else {
            problems.push(problem(
                row.line,
                format!(
                    "manager {} is neither in the file nor on the server",
                    row.manager_no
                ),
                format!("上级工号 {} 在文件和系统中都不存在", row.manager_no),
            ));
        }
    }
    // Loops of managers, and everyone's level.
    let mut level = vec![0usize; rows.len()];
    let mut in_loop = vec![false; rows.len()];
    for start in 0..rows.len() {
        if level[start] > 0 || in_loop[start] {
            continue;
        }
        let mut path = Vec::new();
        let mut on_path = HashSet::new();
        let mut at = Some(start);
        while let Some(i) = at {
            if level[i] > 0 || in_loop[i] {
                break;
            }
            if !on_path.insert(i) {
                // `i` closes a loop: everyone from `i` on along the path is in it.
                let from = path.iter().position(|&p| p == i).unwrap_or(0);
                for &p in &path[from..] {
                    in_loop[p] = true;
                }
                break;
            }
            path.push(i);
            at = manager[i];
        }
        // Levels from the top down along the path.
        for &p in path.iter().rev() {
            if in_loop[p] {
                continue;
            }
            level[p] = match manager[p] {
                Some(m) if !in_loop[m] => level[m] + 1,
                Some(_) => usize::MAX / 2,
                None => 1,
            };
        }
    }
    for (i, row) in rows.iter().enumerate() {
        if in_loop[i] {
            problems.push(problem(
                row.line,
                format!(
                    "{} is their own manager, through the managers' line",
                    row.employee_no
                ),
                format!("{} 经由上级关系成了自己的上级（循环）", row.employee_no),
            ));
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        return Err(problems);
    }

    // Units: the departments in file order.
    let mut unit_names: Vec<&str> = Vec::new();
    let mut unit_at: HashMap<&str, usize> = HashMap::new();
    for row in rows {
        if !unit_at.contains_key(row.unit.as_str()) {
            unit_at.insert(&row.unit, unit_names.len());
            unit_names.push(&row.unit);
        }
    }
    let unit_of_row: Vec<usize> = rows.iter().map(|r| unit_at[r.unit.as_str()]).collect();
    // Each unit's head: its highest person, first in the file among equals.
    let mut head: Vec<Option<usize>> = vec![None; unit_names.len()];
    for (i, &u) in unit_of_row.iter().enumerate() {
        let outside = manager[i].is_none_or(|m| unit_of_row[m] != u);
        if outside && head[u].is_none_or(|h| level[i] < level[h]) {
            head[u] = Some(i);
        }
    }
    // Parents: the unit of the head's manager.
    let parent: Vec<Option<usize>> = head
        .iter()
        .enumerate()
        .map(|(u, h)| {
            h.and_then(|h| manager[h])
                .map(|m| unit_of_row[m])
                .filter(|&p| p != u)
        })
        .collect();
    // Depth of each unit; a loop of units cannot happen (heads are the highest of their units and
    // a parent's head is higher still), but guard anyway.
    let mut unit_depth: Vec<Option<usize>> = vec![None; unit_names.len()];
    for u in 0..unit_names.len() {
        let mut chain = vec![u];
        let mut at = parent[u];
        while let Some(p) = at {
            if chain.contains(&p) || chain.len() > unit_names.len() {
                break;
            }
            chain.push(p);
            at = parent[p];
        }
        for (d, &c) in chain.iter().rev().enumerate() {
            unit_depth[c].get_or_insert(d);
        }
    }
    let company = existing.units.iter().find(|u| u.3 == "company");
    let tops: Vec<usize> = (0..unit_names.len())
        .filter(|&u| parent[u].is_none())
        .collect();
    let find_existing = |name: &str| existing.units.iter().find(|u| u.1 == name || u.2 == name);
    let new_tops: Vec<usize> = tops
        .iter()
        .copied()
        .filter(|&u| find_existing(unit_names[u]).is_none())
        .collect();
    if company.is_none() && new_tops.len() > 1 {
        // Nothing to hang them under: the file must have one top.
        let problems = new_tops
            .iter()
            .filter_map(|&u| head[u])
            .map(|h| {
                problem(
                    rows[h].line,
                    format!(
                        "{} has no manager, like the head of another top department, and there is no company yet: give the file one top person",
                        rows[h].employee_no
                    ),
                    format!("{} 没有上级，另一个顶层部门的负责人也没有，而系统中还没有公司：文件只能有一位最高负责人", rows[h].employee_no),
                )
            })
            .collect();
        return Err(problems);
    }

    let mut plan = OrgPlan::default();
    let mut unit_ids: Vec<String> = Vec::with_capacity(unit_names.len());
    let mut unit_kinds: Vec<String> = Vec::with_capacity(unit_names.len());
    let mut unit_has_manager: Vec<bool> = Vec::with_capacity(unit_names.len());
    let mut creates: Vec<(usize, Map<String, Value>)> = Vec::new();
    for (u, name) in unit_names.iter().enumerate() {
        let found = find_existing(name).or_else(|| {
            // The one top unit of the file is the company that is there already.
            (tops.len() == 1 && tops[0] == u)
                .then_some(company)
                .flatten()
        });
        match found {
            Some((id, _, _, kind, manager_id)) => {
                plan.units_reused += 1;
                unit_ids.push(id.clone());
                unit_kinds.push(kind.clone());
                unit_has_manager.push(!manager_id.is_empty());
            }
            None => {
                plan.units_created += 1;
                // Several top units go under the company that is there already.
                let below_company = usize::from(company.is_some() && tops.len() > 1);
                let kind = kind_of_depth(unit_depth[u].unwrap_or(0) + below_company);
                unit_ids.push(new_id());
                unit_kinds.push(kind.to_owned());
                unit_has_manager.push(false);
                let mut fields = Map::new();
                fields.insert("name".into(), json!(name));
                fields.insert("kind".into(), json!(kind));
                fields.insert("active".into(), json!(true));
                creates.push((u, fields));
            }
        }
    }
    // Parents, once every unit has its id; new units are created top-down.
    creates.sort_by_key(|(u, _)| unit_depth[*u].unwrap_or(0));
    for (u, mut fields) in creates {
        let parent_id = match parent[u] {
            Some(p) => Some(unit_ids[p].clone()),
            None if unit_kinds[u] != "company" => company.map(|c| c.0.clone()),
            None => None,
        };
        if let Some(parent_id) = parent_id {
            fields.insert("parent_id".into(), json!(parent_id));
        }
        plan.intents.push(Intent::Create(CreateArgs {
            collection: Collection::OrgUnit,
            id: unit_ids[u].clone(),
            fields,
        }));
    }
    // People, managers first.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| (level[i], i));
    let person_ids: Vec<String> = rows.iter().map(|_| new_id()).collect();
    for &i in &order {
        let row = &rows[i];
        let u = unit_of_row[i];
        let role = role_of_title(&row.title).unwrap_or_else(|| role_of_level(&unit_kinds[u]));
        let login = login_of(&row.employee_no).unwrap_or_default();
        let mut fields = Map::new();
        fields.insert("name".into(), json!(row.name));
        fields.insert("login".into(), json!(login));
        fields.insert("role".into(), json!(role));
        fields.insert("unit_id".into(), json!(unit_ids[u]));
        fields.insert("employee_no".into(), json!(row.employee_no));
        fields.insert("active".into(), json!(true));
        if !row.title.is_empty() {
            fields.insert("title".into(), json!(row.title));
        }
        let manager_id = manager[i]
            .map(|m| person_ids[m].clone())
            .or_else(|| manager_outside[i].map(str::to_owned));
        if let Some(manager_id) = manager_id {
            fields.insert("manager_id".into(), json!(manager_id));
        }
        plan.intents.push(Intent::Create(CreateArgs {
            collection: Collection::User,
            id: person_ids[i].clone(),
            fields,
        }));
        plan.people
            .push((person_ids[i].clone(), login, row.name.clone()));
    }
    // Heads manage their units (a unit that has a manager already keeps them).
    for (u, h) in head.iter().enumerate() {
        if let (Some(h), false) = (h, unit_has_manager[u]) {
            let mut fields = Map::new();
            fields.insert("manager_id".into(), json!(person_ids[*h]));
            plan.intents.push(Intent::SetFields(SetFieldsArgs {
                collection: Collection::OrgUnit,
                id: unit_ids[u].clone(),
                fields,
            }));
        }
    }
    plan.depth = level.iter().copied().max().unwrap_or(0);
    let mut reports = vec![0usize; rows.len()];
    for m in manager.iter().flatten() {
        reports[*m] += 1;
    }
    plan.widest_span = reports.into_iter().max().unwrap_or(0);
    Ok(plan)
}
