use std::collections::HashSet;

use proptest::prelude::*;

use super::layout::{layout, Layout, Orientation, Rect, Shape, Size, Spacing, Target};
use super::viewport::{link_boxes, Grid, View};
use super::*;

/// A tree from each node's parent (node 0 is the root; a parent always comes first).
fn children_of(parents: &[usize]) -> Vec<Vec<usize>> {
    let mut children = vec![Vec::new(); parents.len() + 1];
    for (i, &p) in parents.iter().enumerate() {
        children[p].push(i + 1);
    }
    children
}

fn sizes_of(n: usize, seed: &[(u8, u8)]) -> Vec<Size> {
    (0..n)
        .map(|i| {
            let (w, h) = seed
                .get(i % seed.len().max(1))
                .copied()
                .unwrap_or((100, 50));
            Size {
                w: 40.0 + f64::from(w),
                h: 20.0 + f64::from(h) / 2.0,
            }
        })
        .collect()
}

fn lay(children: &[Vec<usize>], sizes: &[Size], orientation: Orientation) -> Layout {
    layout(
        &Shape {
            children,
            sizes,
            roots: &[0],
            packable: &[],
        },
        &Spacing {
            orientation,
            ..Spacing::default()
        },
    )
}

/// The boxes that must not overlap: cards outside blocks, and blocks.
fn solid_boxes(layout: &Layout) -> Vec<Rect> {
    let in_block: HashSet<usize> = layout
        .blocks
        .iter()
        .flat_map(|b| b.members.iter().copied())
        .collect();
    let mut boxes: Vec<Rect> = layout
        .cards
        .iter()
        .enumerate()
        .filter(|(i, _)| !in_block.contains(i))
        .filter_map(|(_, c)| *c)
        .collect();
    boxes.extend(layout.blocks.iter().map(|b| b.rect));
    boxes
}

fn no_overlaps(layout: &Layout) -> Result<(), String> {
    let boxes = solid_boxes(layout);
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            if a.intersects(b) {
                return Err(format!("{a:?} overlaps {b:?}"));
            }
        }
    }
    for block in &layout.blocks {
        let members: Vec<Rect> = block
            .members
            .iter()
            .filter_map(|&m| layout.cards[m])
            .collect();
        for (i, a) in members.iter().enumerate() {
            if !block.rect.contains(a) {
                return Err(format!("{a:?} outside its block {:?}", block.rect));
            }
            for b in &members[i + 1..] {
                if a.intersects(b) {
                    return Err(format!("{a:?} overlaps {b:?} in a block"));
                }
            }
        }
    }
    Ok(())
}

/// Every parent is centred over its children's span, along the level.
fn parents_centred(layout: &Layout) -> Result<(), String> {
    let top_down = layout.orientation == Orientation::TopDown;
    let mut spans: std::collections::HashMap<usize, (f64, f64)> = Default::default();
    for link in &layout.links {
        let child = match link.child {
            Target::Node(n) => layout.cards[n].unwrap(),
            Target::Block(b) => layout.blocks[b].rect,
        };
        let (lo, hi) = if top_down {
            (child.x, child.right())
        } else {
            (child.y, child.bottom())
        };
        let span = spans.entry(link.parent).or_insert((f64::MAX, f64::MIN));
        span.0 = span.0.min(lo);
        span.1 = span.1.max(hi);
    }
    for (parent, (lo, hi)) in spans {
        let card = layout.cards[parent].unwrap();
        let centre = if top_down {
            card.centre_x()
        } else {
            card.centre_y()
        };
        if (centre - (lo + hi) / 2.0).abs() > 1e-6 {
            return Err(format!(
                "node {parent} at {centre}, children span {lo}..{hi}"
            ));
        }
    }
    Ok(())
}

fn tree() -> impl Strategy<Value = (Vec<usize>, Vec<(u8, u8)>)> {
    (1usize..120)
        .prop_flat_map(|n| {
            let parents: Vec<BoxedStrategy<usize>> =
                (1..n).map(|i| (0..i).prop_map(|p| p).boxed()).collect();
            (parents, prop::collection::vec(any::<(u8, u8)>(), 1..8))
        })
        .prop_map(|(parents, sizes)| (parents, sizes))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn no_two_cards_overlap_and_parents_are_centred((parents, seed) in tree(), left_right in any::<bool>()) {
        let children = children_of(&parents);
        let sizes = sizes_of(children.len(), &seed);
        let orientation = if left_right { Orientation::LeftRight } else { Orientation::TopDown };
        let laid = lay(&children, &sizes, orientation);
        prop_assert!(laid.cards.iter().all(Option::is_some), "every node placed");
        prop_assert_eq!(no_overlaps(&laid), Ok(()));
        prop_assert_eq!(parents_centred(&laid), Ok(()));
        // Each card keeps its size, and the bounds hold everything.
        for (card, size) in laid.cards.iter().flatten().zip(&sizes) {
            prop_assert_eq!((card.w, card.h), (size.w, size.h));
            prop_assert!(card.x >= -1e-6 && card.y >= -1e-6);
            prop_assert!(card.right() <= laid.bounds.w + 1e-6 && card.bottom() <= laid.bounds.h + 1e-6);
        }
        prop_assert_eq!(&laid, &lay(&children, &sizes, orientation), "deterministic");
    }

    #[test]
    fn the_grid_finds_what_a_scan_finds((parents, seed) in tree(), x in 0.0f64..3000.0, y in 0.0f64..1500.0, w in 1.0f64..900.0, h in 1.0f64..700.0) {
        let children = children_of(&parents);
        let sizes = sizes_of(children.len(), &seed);
        let laid = lay(&children, &sizes, Orientation::TopDown);
        let grid = Grid::new(laid.cards.clone(), &laid.bounds, 256.0);
        let area = Rect { x, y, w, h };
        let scanned: Vec<usize> = laid.cards.iter().enumerate()
            .filter(|(_, c)| c.is_some_and(|c| c.x <= area.right() && area.x <= c.right() && c.y <= area.bottom() && area.y <= c.bottom()))
            .map(|(i, _)| i)
            .collect();
        prop_assert_eq!(grid.find(&area), scanned);
    }
}

#[test]
fn a_manager_with_two_hundred_reports_stays_a_few_cards_wide() {
    let parents = vec![0; 200];
    let children = children_of(&parents);
    let sizes = vec![Size { w: 160.0, h: 56.0 }; 201];
    let laid = lay(&children, &sizes, Orientation::TopDown);
    assert_eq!(laid.blocks.len(), 1);
    let block = &laid.blocks[0];
    assert_eq!(block.members.len(), 200);
    assert!(block.across >= 2 && block.across <= 14, "{}", block.across);
    assert!(laid.bounds.w < 14.0 * 172.0, "{}", laid.bounds.w);
    assert_eq!(no_overlaps(&laid), Ok(()));
    // Reading order: the first row holds the first `across` reports.
    let first_row: Vec<f64> = block.members[..block.across]
        .iter()
        .map(|&m| laid.cards[m].unwrap().y)
        .collect();
    assert!(first_row.iter().all(|&y| y == first_row[0]));
}

#[test]
fn a_deep_block_keeps_a_cousins_subtree_clear_below_it() {
    // Root → a (12 leaves, packed) and b → c → d → e: b's chain must not run into a's block.
    let mut parents = vec![0, 0];
    parents.extend(std::iter::repeat_n(1, 12));
    let b = 2;
    parents.push(b); // c = 15
    parents.push(15); // d = 16
    parents.push(16); // e = 17
    let children = children_of(&parents);
    let sizes = vec![Size { w: 160.0, h: 56.0 }; children.len()];
    let laid = lay(&children, &sizes, Orientation::TopDown);
    assert_eq!(laid.blocks.len(), 1);
    assert_eq!(no_overlaps(&laid), Ok(()));
}

#[test]
fn a_chain_of_ten_thousand_does_not_overflow() {
    let parents: Vec<usize> = (0..9_999).collect();
    let children = children_of(&parents);
    let sizes = vec![Size { w: 160.0, h: 56.0 }; 10_000];
    let laid = lay(&children, &sizes, Orientation::TopDown);
    assert!(laid.cards.iter().all(Option::is_some));
    let x = laid.cards[0].unwrap().x;
    assert!(
        laid.cards.iter().flatten().all(|c| c.x == x),
        "a chain is straight"
    );
}

#[test]
fn several_roots_sit_side_by_side() {
    let children = vec![vec![1], vec![], vec![3], vec![]];
    let sizes = vec![Size { w: 100.0, h: 40.0 }; 4];
    let laid = layout(
        &Shape {
            children: &children,
            sizes: &sizes,
            roots: &[0, 2],
            packable: &[],
        },
        &Spacing::default(),
    );
    assert_eq!(no_overlaps(&laid), Ok(()));
    assert_eq!(laid.cards[0].unwrap().y, laid.cards[2].unwrap().y);
    assert!(laid.cards[0].unwrap().right() < laid.cards[2].unwrap().x);
}

// ---- the tree of units and people ----

fn unit(id: &str, name: &str, kind: &str, parent: &str, manager: &str) -> UnitRow {
    UnitRow {
        id: id.into(),
        name: name.into(),
        kind: kind.into(),
        parent_id: parent.into(),
        manager_id: manager.into(),
    }
}

fn person(id: &str, name: &str, role: &str, unit: &str, manager: &str) -> PersonRow {
    PersonRow {
        id: id.into(),
        name: name.into(),
        role: role.into(),
        unit_id: unit.into(),
        manager_id: manager.into(),
    }
}

#[test]
fn managers_sit_on_their_units_cards_and_reports_hang_under_their_managers() {
    let units = vec![
        unit("hq", "总部", "company", "", "boss"),
        unit("east", "华东大区", "region", "hq", "li"),
        unit("sh", "上海区域", "area", "east", "wang"),
    ];
    let people = vec![
        person("boss", "石国佳", "admin", "hq", ""),
        person("li", "李强", "regional_manager", "east", "boss"),
        person("wang", "王芳", "area_supervisor", "sh", "li"),
        person("rep", "张伟", "sales_rep", "sh", "wang"),
        person("p1", "赵敏", "promoter", "sh", "rep"),
        person("p2", "钱多", "promoter", "sh", "rep"),
        person("hr", "孙丽", "hq_marketing", "hq", "boss"),
    ];
    let chart = Chart::build(&units, &people);
    assert_eq!(
        chart.nodes.len(),
        3 + 4,
        "three unit cards, four people of their own"
    );
    assert_eq!(chart.roots, vec![chart.unit_node[0]]);
    assert_eq!(
        chart.person_node[2], chart.unit_node[2],
        "王芳 is on 上海区域's card"
    );
    let rep = chart.person_node[3];
    assert_eq!(chart.nodes[rep].parent, Some(chart.unit_node[2]));
    assert_eq!(chart.nodes[chart.person_node[4]].parent, Some(rep));
    assert_eq!(
        chart.nodes[rep].headcount, 2,
        "two promoters report to the rep"
    );
    assert_eq!(chart.nodes[chart.unit_node[0]].headcount, 7);
    assert_eq!(chart.nodes[chart.unit_node[2]].headcount, 4);
    // Sub-units before people under the company.
    let hq = &chart.nodes[chart.unit_node[0]];
    assert_eq!(hq.children, vec![chart.unit_node[1], chart.person_node[6]]);
    assert_eq!(
        chart.ancestors(chart.person_node[4]),
        vec![
            chart.unit_node[0],
            chart.unit_node[1],
            chart.unit_node[2],
            rep
        ]
    );
    assert_eq!(chart.depth(), 4);
    let closed = chart.closed_from_depth(2);
    assert!(closed.contains(&chart.unit_node[2]) && !closed.contains(&chart.unit_node[1]));
}

#[test]
fn a_regional_manager_sees_their_region_and_everything_below() {
    let units = vec![
        unit("hq", "总部", "company", "", "boss"),
        unit("east", "华东大区", "region", "hq", "li"),
        unit("sh", "上海区域", "area", "east", ""),
        unit("south", "华南大区", "region", "hq", ""),
    ];
    let people = vec![
        person("boss", "石国佳", "admin", "hq", ""),
        person("li", "李强", "regional_manager", "east", "boss"),
        person("rep", "张伟", "sales_rep", "sh", "li"),
        person("gz", "陈静", "sales_rep", "south", "boss"),
    ];
    let (u, p) = within(units.clone(), people.clone(), Some("east"));
    let ids: Vec<&str> = u.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, vec!["east", "sh"]);
    let names: Vec<&str> = p.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["李强", "张伟"]);
    let chart = Chart::build(&u, &p);
    assert_eq!(chart.roots.len(), 1, "the region is the top");
    assert_eq!(within(units.clone(), people.clone(), None).0.len(), 4);
    assert!(within(units, people, Some("gone")).0.is_empty());
}

#[test]
fn a_part_of_the_company_and_loops_in_the_data_still_show_everyone_once() {
    // The device sees only 上海区域 (its parent is not there); two people report to each other.
    let units = vec![unit("sh", "上海区域", "area", "east", "")];
    let people = vec![
        person("a", "甲", "sales_rep", "sh", "b"),
        person("b", "乙", "sales_rep", "sh", "a"),
        person("x", "丙", "sales_rep", "gone", ""),
    ];
    let chart = Chart::build(&units, &people);
    assert_eq!(chart.nodes.len(), 4);
    let seen: HashSet<usize> = chart.preorder().into_iter().collect();
    assert_eq!(seen.len(), 4, "every card is reached from a root");
    assert_eq!(
        chart.roots.len(),
        2,
        "the area and the person without a unit"
    );
}

/// A people CSV's tree of known shape, as the peers' generator makes it: a head office, regions,
/// areas and teams, each managed, with reps and their promoters.
#[test]
fn a_company_of_known_shape_keeps_its_depth_and_spans() {
    let mut units = vec![unit("u0", "总部", "company", "", "e0")];
    let mut people = vec![person("e0", "总经理", "admin", "u0", "")];
    let mut next = 1;
    for r in 0..3 {
        let region = format!("r{r}");
        let boss = format!("e{next}");
        next += 1;
        units.push(unit(&region, &format!("大区{r}"), "region", "u0", &boss));
        people.push(person(&boss, "经理", "regional_manager", &region, "e0"));
        for t in 0..4 {
            let team = format!("{region}t{t}");
            let lead = format!("e{next}");
            next += 1;
            units.push(unit(&team, &format!("组{t}"), "team", &region, &lead));
            people.push(person(&lead, "主管", "area_supervisor", &team, &boss));
            for _ in 0..5 {
                let rep = format!("e{next}");
                next += 1;
                people.push(person(&rep, "业务员", "sales_rep", &team, &lead));
                for _ in 0..2 {
                    people.push(person(
                        &format!("e{next}"),
                        "促销员",
                        "promoter",
                        &team,
                        &rep,
                    ));
                    next += 1;
                }
            }
        }
    }
    let chart = Chart::build(&units, &people);
    assert_eq!(people.len(), 1 + 3 * (1 + 4 * (1 + 5 * 3)));
    assert_eq!(
        chart.nodes.len(),
        people.len(),
        "one card per person, managers on units"
    );
    assert_eq!(chart.depth(), 4, "company, region, team, rep, promoter");
    let root = chart.roots[0];
    assert_eq!(chart.nodes[root].headcount as usize, people.len());
    assert_eq!(chart.nodes[root].children.len(), 3);
    let team = chart.unit_node[2];
    assert_eq!(chart.nodes[team].children.len(), 5);
    assert_eq!(chart.nodes[team].headcount, 16);
    // Laid out with every card open, it keeps the rules.
    let sizes: Vec<Size> = chart
        .nodes
        .iter()
        .map(|n| match n.subject {
            Subject::Unit(_) => Size { w: 200.0, h: 80.0 },
            Subject::Person(_) => Size { w: 160.0, h: 56.0 },
        })
        .collect();
    let children = chart.open_children(&HashSet::new());
    let laid = layout(
        &Shape {
            children: &children,
            sizes: &sizes,
            roots: &chart.roots,
            packable: &[],
        },
        &Spacing::default(),
    );
    assert_eq!(no_overlaps(&laid), Ok(()));
    assert_eq!(parents_centred(&laid), Ok(()));
    // Closing the regions leaves four cards.
    let closed = chart.closed_from_depth(1);
    let open = chart.open_children(&closed);
    let laid = layout(
        &Shape {
            children: &open,
            sizes: &sizes,
            roots: &chart.roots,
            packable: &[],
        },
        &Spacing::default(),
    );
    assert_eq!(laid.cards.iter().flatten().count(), 4);
    assert_eq!(link_boxes(&laid).len(), 3);
    // Closed at the teams, a region's four teams are leaves, but units keep their own places, as do
    // reps with promoters closed under them: only people without reports are packed.
    let packable = chart.packable();
    let lay_closed = |depth: u32| {
        let open = chart.open_children(&chart.closed_from_depth(depth));
        layout(
            &Shape {
                children: &open,
                sizes: &sizes,
                roots: &chart.roots,
                packable: &packable,
            },
            &Spacing::default(),
        )
    };
    assert!(lay_closed(2).blocks.is_empty());
    assert!(lay_closed(3).blocks.is_empty());
    assert!(
        lay_closed(4).blocks.is_empty(),
        "two promoters a rep are too few to pack"
    );
}

#[test]
fn search_finds_by_name_initials_and_unit_best_first() {
    let people = vec![
        Searchable {
            name: "石国佳".into(),
            initials: "sgj".into(),
            unit: "总部".into(),
        },
        Searchable {
            name: "石佳".into(),
            initials: "sj".into(),
            unit: "深圳直营大客户组".into(),
        },
        Searchable {
            name: "高桂雨".into(),
            initials: "ggy".into(),
            unit: "华北大区".into(),
        },
    ];
    assert_eq!(search(&people, "SGJ", 10), vec![0]);
    assert_eq!(search(&people, "石佳", 10), vec![1]);
    assert_eq!(search(&people, "石", 10), vec![0, 1]);
    assert_eq!(search(&people, "s", 10), vec![0, 1]);
    assert_eq!(search(&people, "深圳", 10), vec![1]);
    assert_eq!(search(&people, "佳", 1), vec![0]);
    assert!(search(&people, "  ", 10).is_empty());
}

#[test]
fn zooming_keeps_the_point_under_the_finger() {
    let view = View {
        left: 100.0,
        top: 50.0,
        scale: 0.5,
    };
    let zoomed = view.zoomed(2.0, 300.0, 200.0);
    let before = (
        view.left + 300.0 / view.scale,
        view.top + 200.0 / view.scale,
    );
    let after = (
        zoomed.left + 300.0 / zoomed.scale,
        zoomed.top + 200.0 / zoomed.scale,
    );
    assert!((before.0 - after.0).abs() < 1e-9 && (before.1 - after.1).abs() < 1e-9);
    let fit = View::fit(
        &Rect {
            x: 0.0,
            y: 0.0,
            w: 4000.0,
            h: 1000.0,
        },
        1000.0,
        800.0,
        20.0,
    );
    assert!((fit.scale - 960.0 / 4000.0).abs() < 1e-9);
    let shown = fit.visible(1000.0, 800.0);
    assert!(shown.x <= 0.0 && shown.right() >= 4000.0);
}

// ---- importing people ----

mod people_import {
    use super::super::people::{plan_people, read_people, Existing, FileProblem};
    use super::super::{Chart, PersonRow, UnitRow};
    use crate::sync::protocol::Intent;
    use serde_json::Value;

    fn counter() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("id{n:05}")
        }
    }

    /// A company of known shape in the HR export's columns: a head office, `regions` regions, each
    /// with `areas` areas, each area with `teams` teams of `reps` reps with `promoters` promoters each.
    fn hr_file(
        regions: usize,
        areas: usize,
        teams: usize,
        reps: usize,
        promoters: usize,
    ) -> String {
        let mut out = String::from("employee_id,manager_id,name,title,unit\n");
        let mut n = 0;
        let mut next = |out: &mut String, manager: &str, title: &str, unit: &str| {
            n += 1;
            let id = format!("E{n:05}");
            out.push_str(&format!("{id},{manager},员工{n},{title},{unit}\n"));
            id
        };
        let boss = next(&mut out, "", "总经理", "总部");
        for r in 0..regions {
            let region = format!("大区{r}");
            let rm = next(&mut out, &boss, "大区经理", &region);
            for a in 0..areas {
                let area = format!("{region}区域{a}");
                let am = next(&mut out, &rm, "区域经理", &area);
                for t in 0..teams {
                    let team = format!("{area}组{t}");
                    let lead = next(&mut out, &am, "主管", &team);
                    for _ in 0..reps {
                        let rep = next(&mut out, &lead, "业务代表", &team);
                        for _ in 0..promoters {
                            next(&mut out, &rep, "促销员", &team);
                        }
                    }
                }
            }
        }
        out
    }

    fn field<'a>(intent: &'a Intent, name: &str) -> Option<&'a str> {
        match intent {
            Intent::Create(c) => c.fields.get(name).and_then(Value::as_str),
            Intent::SetFields(s) => s.fields.get(name).and_then(Value::as_str),
            _ => None,
        }
    }

    #[test]
    fn an_hr_export_becomes_units_managers_and_people_of_the_same_shape() {
        let file = hr_file(2, 3, 2, 4, 2);
        let rows = read_people(file.as_bytes()).unwrap();
        let people = 1 + 2 * (1 + 3 * (1 + 2 * (1 + 4 * 3)));
        assert_eq!(rows.len(), people);
        let plan = plan_people(&rows, &Existing::default(), counter()).unwrap();
        assert_eq!(plan.units_created, 1 + 2 + 2 * 3 + 2 * 3 * 2);
        assert_eq!(
            plan.depth, 6,
            "总经理, 大区经理, 区域经理, 主管, 业务代表, 促销员"
        );
        assert_eq!(plan.widest_span, 4);
        assert_eq!(plan.people.len(), people);
        // Units: the company first, and the levels by depth.
        let units: Vec<&Intent> = plan
            .intents
            .iter()
            .filter(|i| matches!(i, Intent::Create(c) if c.collection == crate::domain::Collection::OrgUnit))
            .collect();
        assert_eq!(field(units[0], "kind"), Some("company"));
        assert_eq!(field(units[0], "parent_id"), None);
        let kinds: Vec<&str> = units.iter().filter_map(|u| field(u, "kind")).collect();
        assert_eq!(kinds.iter().filter(|k| **k == "region").count(), 2);
        assert_eq!(kinds.iter().filter(|k| **k == "area").count(), 6);
        assert_eq!(kinds.iter().filter(|k| **k == "team").count(), 12);
        // Roles from titles, logins from employee numbers; nobody is an administrator.
        let roles: Vec<&str> = plan
            .intents
            .iter()
            .filter_map(|i| field(i, "role"))
            .collect();
        assert!(!roles.contains(&"admin"));
        assert_eq!(
            roles.iter().filter(|r| **r == "promoter").count(),
            2 * 3 * 2 * 4 * 2
        );
        assert!(plan.people.iter().any(|(_, login, _)| login == "e00001"));
        // Every unit gets its head as manager.
        let managed = plan
            .intents
            .iter()
            .filter(|i| matches!(i, Intent::SetFields(_)))
            .count();
        assert_eq!(managed, plan.units_created);

        // Built into the chart: managers on unit cards, so one card per person.
        let mut unit_rows = Vec::new();
        let mut person_rows = Vec::new();
        let managers: std::collections::HashMap<&str, &str> = plan
            .intents
            .iter()
            .filter_map(|i| match i {
                Intent::SetFields(s) => Some((s.id.as_str(), field(i, "manager_id")?)),
                _ => None,
            })
            .collect();
        for intent in &plan.intents {
            if let Intent::Create(c) = intent {
                let text = |n: &str| field(intent, n).unwrap_or("").to_owned();
                if c.collection == crate::domain::Collection::OrgUnit {
                    unit_rows.push(UnitRow {
                        id: c.id.clone(),
                        name: text("name"),
                        kind: text("kind"),
                        parent_id: text("parent_id"),
                        manager_id: managers
                            .get(c.id.as_str())
                            .copied()
                            .unwrap_or("")
                            .to_owned(),
                    });
                } else {
                    person_rows.push(PersonRow {
                        id: c.id.clone(),
                        name: text("name"),
                        role: text("role"),
                        unit_id: text("unit_id"),
                        manager_id: text("manager_id"),
                    });
                }
            }
        }
        let chart = Chart::build(&unit_rows, &person_rows);
        assert_eq!(chart.nodes.len(), people);
        assert_eq!(chart.roots.len(), 1);
        assert_eq!(chart.nodes[chart.roots[0]].headcount as usize, people);
        assert_eq!(
            chart.depth(),
            5,
            "company, region, area, team, rep, promoter"
        );
    }

    #[test]
    fn bad_rows_are_listed_with_their_lines_and_nothing_is_planned() {
        let file = "工号,上级工号,姓名,职务,部门\n\
                    A1,,甲,总经理,总部\n\
                    A2,A1,乙,大区经理,华东大区\n\
                    A2,A1,丙,大区经理,华北大区\n\
                    A4,ZZ,丁,业务员,华东大区\n\
                    A5,A6,戊,业务员,华东大区\n\
                    A6,A5,己,业务员,华东大区\n\
                    A7,A1,,业务员,\n\
                    A/8,A1,庚,业务员,华东大区\n";
        let rows = read_people(file.as_bytes()).unwrap();
        let problems = plan_people(&rows, &Existing::default(), counter()).unwrap_err();
        let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![4, 5, 6, 7, 8, 8, 9], "{problems:#?}");
        assert!(problems[0].en.contains("line 3"), "{}", problems[0].en);
        assert!(problems[1].zh.contains("ZZ"));
        assert!(problems[2].en.contains("own manager"));
        // An employee number already on the server.
        let existing = Existing {
            people: vec![("u1".into(), "A1".into(), "a1".into())],
            ..Existing::default()
        };
        let rows = read_people("工号,上级工号,姓名,部门\nA1,,甲,总部\n".as_bytes()).unwrap();
        let problems = plan_people(&rows, &existing, counter()).unwrap_err();
        assert_eq!(
            problems.len(),
            2,
            "login and employee number taken: {problems:#?}"
        );
    }

    #[test]
    fn a_gbk_hr_export_with_managers_below_their_reports_is_read() {
        let text = "工号\t上级工号\t姓名\t部门\tA2\tA1\t李四\t华东\nA1\t\t张三\t总部\n"
            .replacen("部门\t", "部门\n", 1);
        let (bytes, _, _) = encoding_rs::GBK.encode(&text);
        let rows = read_people(&bytes).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].name.as_str(), rows[0].line), ("李四", 2));
        let plan = plan_people(&rows, &Existing::default(), counter()).unwrap();
        assert_eq!(plan.people.len(), 2);
        assert_eq!(plan.depth, 2);
    }

    #[test]
    fn employee_numbers_in_any_script_become_logins_in_their_stored_form() {
        let file = "工号,上级工号,姓名,部门\n张01,,张伟,总部\nÉ-02,张01,Émile,总部\n";
        let rows = read_people(file.as_bytes()).unwrap();
        let plan = plan_people(&rows, &Existing::default(), counter()).unwrap();
        let logins: Vec<&str> = plan.people.iter().map(|(_, l, _)| l.as_str()).collect();
        assert_eq!(logins, ["张01", "é-02"]);
        // Taken whatever case or composition the file writes it in.
        let existing = Existing {
            people: vec![("u1".into(), "X9".into(), "é-02".into())],
            ..Existing::default()
        };
        let decomposed = "工号,上级工号,姓名,部门\nE\u{301}-02,,Émile,总部\n";
        let rows = read_people(decomposed.as_bytes()).unwrap();
        let problems = plan_people(&rows, &existing, counter()).unwrap_err();
        assert!(problems[0].en.contains("taken"), "{problems:#?}");
    }

    #[test]
    fn the_file_top_is_the_company_already_there() {
        let existing = Existing {
            units: vec![(
                "c1".into(),
                "总公司".into(),
                "HQ".into(),
                "company".into(),
                "".into(),
            )],
            people: vec![("admin".into(), "".into(), "admin".into())],
        };
        let rows = read_people(hr_file(1, 1, 1, 1, 0).as_bytes()).unwrap();
        let plan = plan_people(&rows, &existing, counter()).unwrap();
        assert_eq!(plan.units_reused, 1);
        assert_eq!(plan.units_created, 3);
        let region = plan
            .intents
            .iter()
            .find(|i| field(i, "kind") == Some("region"))
            .unwrap();
        assert_eq!(field(region, "parent_id"), Some("c1"));
        assert!(matches!(
            read_people("name,unit\n甲,总部\n".as_bytes()),
            Err(FileProblem::MissingColumn { .. })
        ));
    }
}
