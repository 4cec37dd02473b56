//! 组织架构图: the company's units and people as one tree, what is open of it, finding people in
//! it, and what of it a screen shows.
//!
//! The tree:
//! - A unit's card shows the unit and its manager (`org_units.manager_id`); the manager has no card
//!   of their own.
//! - Under a unit: its sub-units, then the people of the unit who report to the unit's manager, to
//!   nobody, or to someone outside the unit.
//! - Under a person: the people of the same unit who report to them, so a rep's promoters hang under
//!   the rep.
//! - A unit whose parent is not on the device (the user sees only their part of the company) is a
//!   root, as is a person whose unit is not. A loop in the data (which the server refuses) is cut
//!   where it would close, so every record still shows once.

pub mod duties;
pub mod export;
pub mod layout;
pub mod people;
pub mod reassign;
pub mod viewport;

use std::collections::{HashMap, HashSet};

/// A unit as the chart reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitRow {
    pub id: String,
    pub name: String,
    /// `company`, `region`, `area`, `store` or `team`.
    pub kind: String,
    pub parent_id: String,
    pub manager_id: String,
}

/// A person as the chart reads them.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub unit_id: String,
    pub manager_id: String,
}

/// What a card stands for: an index into the rows the chart was built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    Unit(usize),
    Person(usize),
}

/// One card.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub subject: Subject,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// Levels below its root.
    pub depth: u32,
    /// People in the unit and every unit below it; for a person, everyone reporting to them
    /// directly or not.
    pub headcount: u32,
}

/// The whole tree.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chart {
    pub nodes: Vec<Node>,
    pub roots: Vec<usize>,
    /// By unit row: its card.
    pub unit_node: Vec<usize>,
    /// By person row: the card that shows them (their unit's when they manage it).
    pub person_node: Vec<usize>,
}

/// Sub-units by level, then name.
fn kind_order(kind: &str) -> u8 {
    match kind {
        "company" => 0,
        "region" => 1,
        "area" => 2,
        "store" => 3,
        "team" => 4,
        _ => 5,
    }
}

/// People by role, managers first, then name.
fn role_order(role: &str) -> u8 {
    match role {
        "admin" => 0,
        "hq_marketing" => 1,
        "regional_manager" => 2,
        "area_supervisor" => 3,
        "sales_rep" => 4,
        "promoter" => 5,
        _ => 6,
    }
}

impl Chart {
    /// Builds the tree. Rows come in any order; the chart's order is stable (by level or role, name,
    /// then id).
    pub fn build(units: &[UnitRow], people: &[PersonRow]) -> Chart {
        let unit_at: HashMap<&str, usize> = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.as_str(), i))
            .collect();
        let person_at: HashMap<&str, usize> = people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        let mut nodes: Vec<Node> = Vec::with_capacity(units.len() + people.len());
        let new_node = |subject| Node {
            subject,
            parent: None,
            children: Vec::new(),
            depth: 0,
            headcount: 0,
        };
        let unit_node: Vec<usize> = (0..units.len())
            .map(|i| {
                nodes.push(new_node(Subject::Unit(i)));
                nodes.len() - 1
            })
            .collect();
        // Who is drawn on a unit's card.
        let mut managing: Vec<Option<usize>> = vec![None; people.len()];
        for (u, unit) in units.iter().enumerate() {
            if let Some(&p) = person_at.get(unit.manager_id.as_str()) {
                // A person managing several units shows on the first, in row order.
                managing[p].get_or_insert(unit_node[u]);
            }
        }
        let mut person_node = vec![usize::MAX; people.len()];
        for (p, node) in managing.iter().enumerate() {
            match node {
                Some(node) => person_node[p] = *node,
                None => {
                    nodes.push(new_node(Subject::Person(p)));
                    person_node[p] = nodes.len() - 1;
                }
            }
        }

        // Units under their parents, unless that closes a loop.
        let mut parent: Vec<Option<usize>> = vec![None; nodes.len()];
        for (u, unit) in units.iter().enumerate() {
            let Some(&up) = unit_at.get(unit.parent_id.as_str()) else {
                continue;
            };
            if !closes_loop(&parent, unit_node[up], unit_node[u]) {
                parent[unit_node[u]] = Some(unit_node[up]);
            }
        }
        // People under their manager's card within their unit, else under their unit.
        for (p, person) in people.iter().enumerate() {
            if managing[p].is_some() {
                continue;
            }
            let node = person_node[p];
            let unit = unit_at.get(person.unit_id.as_str()).copied();
            let manager = person_at.get(person.manager_id.as_str()).copied();
            let under_manager = manager.filter(|&m| {
                managing[m].is_none()
                    && m != p
                    && unit.is_some()
                    && people[m].unit_id == person.unit_id
            });
            let wanted = match (under_manager, unit) {
                (Some(m), _) => Some(person_node[m]),
                (None, Some(u)) => Some(unit_node[u]),
                (None, None) => None,
            };
            parent[node] = match wanted {
                Some(up) if !closes_loop(&parent, up, node) => Some(up),
                // A loop of people reporting to each other: the one closing it goes under the unit.
                Some(_) => unit.map(|u| unit_node[u]),
                None => None,
            };
        }

        // Children in the chart's order.
        let sort_key = |node: &Node| match node.subject {
            Subject::Unit(u) => (0, kind_order(&units[u].kind), &units[u].name, &units[u].id),
            Subject::Person(p) => (
                1,
                role_order(&people[p].role),
                &people[p].name,
                &people[p].id,
            ),
        };
        let mut order: Vec<usize> = (0..nodes.len()).collect();
        order.sort_by(|&a, &b| sort_key(&nodes[a]).cmp(&sort_key(&nodes[b])));
        let mut roots = Vec::new();
        for &at in &order {
            nodes[at].parent = parent[at];
            match parent[at] {
                Some(up) => nodes[up].children.push(at),
                None => roots.push(at),
            }
        }

        // Depths top-down, headcounts bottom-up.
        let mut preorder = Vec::with_capacity(nodes.len());
        let mut stack: Vec<usize> = roots.iter().rev().copied().collect();
        while let Some(at) = stack.pop() {
            preorder.push(at);
            let depth = nodes[at].depth + 1;
            for i in (0..nodes[at].children.len()).rev() {
                let child = nodes[at].children[i];
                nodes[child].depth = depth;
                stack.push(child);
            }
        }
        let mut own_people = vec![0u32; nodes.len()];
        for person in people {
            if let Some(&u) = unit_at.get(person.unit_id.as_str()) {
                own_people[unit_node[u]] += 1;
            }
        }
        for &at in preorder.iter().rev() {
            let is_unit = matches!(nodes[at].subject, Subject::Unit(_));
            let mut total = own_people[at];
            for &child in &nodes[at].children {
                match nodes[child].subject {
                    Subject::Unit(_) => total += nodes[child].headcount,
                    // A unit's people are counted already as its own.
                    Subject::Person(_) if !is_unit => total += nodes[child].headcount + 1,
                    Subject::Person(_) => {}
                }
            }
            nodes[at].headcount = total;
        }
        Chart {
            nodes,
            roots,
            unit_node,
            person_node,
        }
    }

    /// The cards above `node`, its root first.
    pub fn ancestors(&self, node: usize) -> Vec<usize> {
        let mut path = Vec::new();
        let mut at = self.nodes.get(node).and_then(|n| n.parent);
        while let Some(up) = at {
            path.push(up);
            at = self.nodes[up].parent;
        }
        path.reverse();
        path
    }

    /// Every card in the tree's order (each after its parent, siblings in order).
    pub fn preorder(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.nodes.len());
        let mut stack: Vec<usize> = self.roots.iter().rev().copied().collect();
        while let Some(at) = stack.pop() {
            out.push(at);
            stack.extend(self.nodes[at].children.iter().rev());
        }
        out
    }

    /// The cards with children at `depth` or deeper: what "open to this level" closes.
    pub fn closed_from_depth(&self, depth: u32) -> HashSet<usize> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.depth >= depth && !n.children.is_empty())
            .map(|(i, _)| i)
            .collect()
    }

    /// The deepest level with a card.
    pub fn depth(&self) -> u32 {
        self.nodes.iter().map(|n| n.depth).max().unwrap_or(0)
    }

    /// By card: a person without reports, whom the layout may pack into a block with their
    /// colleagues. A unit keeps its own place even when it shows nothing below it.
    pub fn packable(&self) -> Vec<bool> {
        self.nodes
            .iter()
            .map(|n| matches!(n.subject, Subject::Person(_)) && n.children.is_empty())
            .collect()
    }

    /// The children lists the layout draws: a closed card's children are hidden.
    pub fn open_children(&self, closed: &HashSet<usize>) -> Vec<Vec<usize>> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                if closed.contains(&i) {
                    Vec::new()
                } else {
                    n.children.clone()
                }
            })
            .collect()
    }
}

/// Whether hanging `child` under `parent` would make `child` its own ancestor.
fn closes_loop(parent: &[Option<usize>], up: usize, child: usize) -> bool {
    let mut at = Some(up);
    let mut steps = 0usize;
    while let Some(node) = at {
        if node == child || steps > parent.len() {
            return true;
        }
        at = parent[node];
        steps += 1;
    }
    false
}

/// The part of the organisation a chart drawn for someone whose sight stops at `top` shows: that
/// unit and every unit below it, and the people in them. `None`: all of it (admins and HQ).
pub fn within(
    units: Vec<UnitRow>,
    people: Vec<PersonRow>,
    top: Option<&str>,
) -> (Vec<UnitRow>, Vec<PersonRow>) {
    let Some(top) = top else {
        return (units, people);
    };
    // The scope rule's own tree, so the chart narrows exactly as sight does.
    let tree = crate::scope::OrgTree::new(
        units
            .iter()
            .filter(|u| !u.parent_id.is_empty())
            .map(|u| (u.id.clone(), u.parent_id.clone())),
    );
    let kept: HashSet<String> = units
        .iter()
        .filter(|u| tree.is_within(&u.id, top))
        .map(|u| u.id.clone())
        .collect();
    let people = people
        .into_iter()
        .filter(|p| kept.contains(&p.unit_id))
        .collect();
    let units = units.into_iter().filter(|u| kept.contains(&u.id)).collect();
    (units, people)
}

/// What a search reads of a person: their name, its pinyin initials (worked out by the caller, who
/// has the collation), and their unit's name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Searchable {
    pub name: String,
    pub initials: String,
    pub unit: String,
}

/// People matching `query` by name (a part of it), pinyin initials (their start) or unit name (a
/// part of it), best first: a whole name, then a name's start, then initials, then the rest; ties in
/// the rows' order. At most `limit`.
pub fn search(people: &[Searchable], query: &str, limit: usize) -> Vec<usize> {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<(u8, usize)> = people
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let name = p.name.to_lowercase();
            let rank = if name == query {
                0
            } else if name.starts_with(&query) {
                1
            } else if p.initials.to_lowercase().starts_with(&query) {
                2
            } else if name.contains(&query) {
                3
            } else if p.unit.to_lowercase().contains(&query) {
                4
            } else {
                return None;
            };
            Some((rank, i))
        })
        .collect();
    hits.sort();
    hits.into_iter().take(limit).map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests;
