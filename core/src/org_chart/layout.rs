//! The org chart's geometry: a tidy tree (Walker's algorithm with Buchheim, Jünger and Leipert's
//! linear-time bookkeeping) over cards of different sizes, top-down or left-right.
//!
//! - Cards sit on levels. A level is as deep as the deepest card plus a gap, so cards of one level
//!   never meet cards of another; along a level, the algorithm keeps every two cards apart by half
//!   their widths plus a gap (a wider gap between cousins than between siblings).
//! - A parent is centred over the span of its children, from the first child's outer edge to the
//!   last child's.
//! - A node's leaf children, when there are `compact_from` or more, are packed into one block of
//!   columns (rows when left-right) that takes a single child's place: a manager with 200 reports
//!   makes the chart a few cards wider, not 200. The block reaches down through as many levels as it
//!   is deep; the algorithm sees it as a chain of placeholders of its width, so nothing below a
//!   neighbour runs into it.
//! - Everything is worked out in "breadth" (along a level) and "depth" (across levels) and turned
//!   into x and y at the end, so one algorithm gives both orientations.
//!
//! Linear in the number of cards: each node is visited a fixed number of times, and the contour walks
//! of `apportion` are paid for by the threads they leave (the published argument). No recursion, so
//! a chain of ten thousand managers cannot overflow the stack.

/// How the chart grows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Orientation {
    /// The root on top, levels below it.
    #[default]
    TopDown,
    /// The root on the left, levels to its right.
    LeftRight,
}

/// A card's size on screen, px.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Size {
    pub w: f64,
    pub h: f64,
}

/// Gaps and packing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spacing {
    pub orientation: Orientation,
    /// Between two siblings along a level, and between the cards of a block.
    pub sibling_gap: f64,
    /// Between two cards of different parents along a level.
    pub subtree_gap: f64,
    /// Between a level's deepest card and the next level.
    pub level_gap: f64,
    /// A node with at least this many leaf children packs them into a block.
    pub compact_from: usize,
}

impl Default for Spacing {
    fn default() -> Self {
        Spacing {
            orientation: Orientation::TopDown,
            sibling_gap: 12.0,
            subtree_gap: 28.0,
            level_gap: 48.0,
            compact_from: 4,
        }
    }
}

pub use crate::geometry::Rect;

/// A node's leaf children packed together under it.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// The node whose children these are.
    pub parent: usize,
    /// In reading order.
    pub members: Vec<usize>,
    /// Around all of them.
    pub rect: Rect,
    /// Cards along a level (columns top-down, rows left-right).
    pub across: usize,
}

/// What a connector leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Node(usize),
    Block(usize),
}

/// A parent's connector to one child or block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    pub parent: usize,
    pub child: Target,
}

/// Where everything went.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// By input node: its card, or `None` for a node not under any root.
    pub cards: Vec<Option<Rect>>,
    pub blocks: Vec<Block>,
    pub links: Vec<Link>,
    /// Around every card; (0, 0) is its top-left corner.
    pub bounds: Rect,
    pub orientation: Orientation,
}

impl Layout {
    /// The connector's points, parent first: down (or right) from the parent, along, and into the
    /// child, as an elbow.
    pub fn elbow(&self, link: &Link) -> Option<[(f64, f64); 4]> {
        let from = self.cards.get(link.parent).copied().flatten()?;
        let to = match link.child {
            Target::Node(node) => self.cards.get(node).copied().flatten()?,
            Target::Block(block) => self.blocks.get(block)?.rect,
        };
        Some(match self.orientation {
            Orientation::TopDown => {
                let (x0, y0) = (from.centre_x(), from.bottom());
                let (x1, y1) = (to.centre_x(), to.y);
                let mid = (y0 + y1) / 2.0;
                [(x0, y0), (x0, mid), (x1, mid), (x1, y1)]
            }
            Orientation::LeftRight => {
                let (x0, y0) = (from.right(), from.centre_y());
                let (x1, y1) = (to.x, to.centre_y());
                let mid = (x0 + x1) / 2.0;
                [(x0, y0), (mid, y0), (mid, y1), (x1, y1)]
            }
        })
    }
}

/// The tree as the layout reads it: each node's children in order, its card's size, and the roots
/// (several roots are laid out side by side).
pub struct Shape<'a> {
    pub children: &'a [Vec<usize>],
    pub sizes: &'a [Size],
    pub roots: &'a [usize],
    /// By node: whether, as a leaf, it may be packed into a block (a person without reports may; a
    /// unit whose cards are closed should keep its own place and connector). Empty: every leaf may.
    pub packable: &'a [bool],
}

/// What an inner node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Inner {
    /// Above the roots, so a forest is one tree; has no card.
    Top,
    Card(usize),
    Block(usize),
    /// Below a block, as deep as it reaches.
    Filler,
}

const NONE: u32 = u32::MAX;

/// The tidy tree's working state, one entry per inner node.
struct Walk {
    kind: Vec<Inner>,
    parent: Vec<u32>,
    kids: Vec<Vec<u32>>,
    /// Place among the siblings.
    number: Vec<u32>,
    /// Size along a level.
    breadth: Vec<f64>,
    level: Vec<u32>,
    prelim: Vec<f64>,
    modifier: Vec<f64>,
    shift: Vec<f64>,
    change: Vec<f64>,
    thread: Vec<u32>,
    ancestor: Vec<u32>,
    /// Centre over the children's span, relative to the children's frame.
    midpoint: Vec<f64>,
    sibling_gap: f64,
    subtree_gap: f64,
}

impl Walk {
    fn push(&mut self, kind: Inner, parent: u32, breadth: f64, level: u32) -> u32 {
        let at = self.kind.len() as u32;
        self.kind.push(kind);
        self.parent.push(parent);
        self.kids.push(Vec::new());
        self.number.push(0);
        self.breadth.push(breadth);
        self.level.push(level);
        if parent != NONE {
            let siblings = &mut self.kids[parent as usize];
            self.number[at as usize] = siblings.len() as u32;
            siblings.push(at);
        }
        at
    }

    fn distance(&self, left: u32, right: u32) -> f64 {
        let parent = self.parent[left as usize];
        let gap = if parent == self.parent[right as usize] && parent != 0 {
            self.sibling_gap
        } else {
            self.subtree_gap
        };
        (self.breadth[left as usize] + self.breadth[right as usize]) / 2.0 + gap
    }

    fn next_left(&self, v: u32) -> u32 {
        self.kids[v as usize]
            .first()
            .copied()
            .unwrap_or(self.thread[v as usize])
    }

    fn next_right(&self, v: u32) -> u32 {
        self.kids[v as usize]
            .last()
            .copied()
            .unwrap_or(self.thread[v as usize])
    }

    /// Places `v`'s children relative to each other; they are all finished.
    fn finish(&mut self, v: u32) {
        let count = self.kids[v as usize].len();
        if count == 0 {
            return;
        }
        let first = self.kids[v as usize][0];
        let mut default_ancestor = first;
        for i in 0..count {
            let w = self.kids[v as usize][i];
            let own = if self.kids[w as usize].is_empty() {
                0.0
            } else {
                self.midpoint[w as usize]
            };
            if i == 0 {
                self.prelim[w as usize] = own;
            } else {
                let left = self.kids[v as usize][i - 1];
                self.prelim[w as usize] = self.prelim[left as usize] + self.distance(left, w);
                self.modifier[w as usize] = self.prelim[w as usize] - own;
                default_ancestor = self.apportion(w, left, first, default_ancestor);
            }
        }
        // Spread the shifts made by `apportion` over the smaller subtrees in between.
        let (mut shift, mut change) = (0.0, 0.0);
        for i in (0..count).rev() {
            let w = self.kids[v as usize][i] as usize;
            self.prelim[w] += shift;
            self.modifier[w] += shift;
            change += self.change[w];
            shift += self.shift[w] + change;
        }
        let last = self.kids[v as usize][count - 1];
        let left_edge = self.prelim[first as usize] - self.breadth[first as usize] / 2.0;
        let right_edge = self.prelim[last as usize] + self.breadth[last as usize] / 2.0;
        self.midpoint[v as usize] = (left_edge + right_edge) / 2.0;
    }

    /// Moves `v`'s subtree right until it clears everything left of it, level by level.
    /// `left` is its left sibling, `leftmost` the first child of their parent.
    fn apportion(&mut self, v: u32, left: u32, leftmost: u32, default_ancestor: u32) -> u32 {
        let mut default_ancestor = default_ancestor;
        let (mut vip, mut vop) = (v, v);
        let mut vim = left;
        let mut vom = leftmost;
        let mut sip = self.modifier[vip as usize];
        let mut sop = self.modifier[vop as usize];
        let mut sim = self.modifier[vim as usize];
        let mut som = self.modifier[vom as usize];
        while self.next_right(vim) != NONE && self.next_left(vip) != NONE {
            vim = self.next_right(vim);
            vip = self.next_left(vip);
            vom = self.next_left(vom);
            vop = self.next_right(vop);
            self.ancestor[vop as usize] = v;
            let shift = (self.prelim[vim as usize] + sim) - (self.prelim[vip as usize] + sip)
                + self.distance(vim, vip);
            if shift > 0.0 {
                let from = self.ancestor_of(vim, v, default_ancestor);
                self.move_subtree(from, v, shift);
                sip += shift;
                sop += shift;
            }
            sim += self.modifier[vim as usize];
            sip += self.modifier[vip as usize];
            som += self.modifier[vom as usize];
            sop += self.modifier[vop as usize];
        }
        if self.next_right(vim) != NONE && self.next_right(vop) == NONE {
            self.thread[vop as usize] = self.next_right(vim);
            self.modifier[vop as usize] += sim - sop;
        }
        if self.next_left(vip) != NONE && self.next_left(vom) == NONE {
            self.thread[vom as usize] = self.next_left(vip);
            self.modifier[vom as usize] += sip - som;
            default_ancestor = v;
        }
        default_ancestor
    }

    fn ancestor_of(&self, vim: u32, v: u32, default_ancestor: u32) -> u32 {
        let candidate = self.ancestor[vim as usize];
        if self.parent[candidate as usize] == self.parent[v as usize] {
            candidate
        } else {
            default_ancestor
        }
    }

    fn move_subtree(&mut self, wm: u32, wp: u32, shift: f64) {
        let subtrees = f64::from(self.number[wp as usize] - self.number[wm as usize]);
        let (wm, wp) = (wm as usize, wp as usize);
        self.change[wp] -= shift / subtrees;
        self.shift[wp] += shift;
        self.change[wm] += shift / subtrees;
        self.prelim[wp] += shift;
        self.modifier[wp] += shift;
    }
}

/// How many of a block's `count` cards go along a level: about twice as deep as it is broad on
/// screen (a level holds many blocks side by side, so depth is the cheaper way to grow), and never a
/// single file.
fn block_across(count: usize, breadth_stride: f64, depth_stride: f64) -> usize {
    let square = (count as f64 * depth_stride / breadth_stride).sqrt();
    ((square / 2.0).round() as usize).max(2).min(count.max(1))
}

/// Lays the tree out. Sizes are in screen terms (width, height) whatever the orientation.
pub fn layout(shape: &Shape, spacing: &Spacing) -> Layout {
    let n = shape.children.len();
    let top_down = spacing.orientation == Orientation::TopDown;
    // Along a level and across levels.
    let breadth_of = |s: &Size| if top_down { s.w } else { s.h };
    let depth_of = |s: &Size| if top_down { s.h } else { s.w };
    let size = |node: usize| {
        shape
            .sizes
            .get(node)
            .copied()
            .unwrap_or(Size { w: 0.0, h: 0.0 })
    };
    let deepest = shape.sizes.iter().map(depth_of).fold(0.0, f64::max);
    let level_step = deepest + spacing.level_gap;

    let mut walk = Walk {
        kind: Vec::with_capacity(n + 1),
        parent: Vec::with_capacity(n + 1),
        kids: Vec::with_capacity(n + 1),
        number: Vec::with_capacity(n + 1),
        breadth: Vec::with_capacity(n + 1),
        level: Vec::with_capacity(n + 1),
        prelim: Vec::new(),
        modifier: Vec::new(),
        shift: Vec::new(),
        change: Vec::new(),
        thread: Vec::new(),
        ancestor: Vec::new(),
        midpoint: Vec::new(),
        sibling_gap: spacing.sibling_gap,
        subtree_gap: spacing.subtree_gap,
    };
    let mut blocks: Vec<Block> = Vec::new();
    let mut links: Vec<Link> = Vec::new();
    let mut inner_of: Vec<u32> = vec![NONE; n];

    // Build the inner tree breadth-first from the roots. `seen` guards against a malformed input
    // naming a node twice.
    let top = walk.push(Inner::Top, NONE, 0.0, 0);
    let mut queue: std::collections::VecDeque<(usize, u32)> = std::collections::VecDeque::new();
    for &root in shape.roots {
        if root < n && inner_of[root] == NONE {
            let at = walk.push(Inner::Card(root), top, breadth_of(&size(root)), 1);
            inner_of[root] = at;
            queue.push_back((root, at));
        }
    }
    while let Some((node, at)) = queue.pop_front() {
        let level = walk.level[at as usize] + 1;
        let kids: Vec<usize> = shape.children[node]
            .iter()
            .copied()
            .filter(|&c| c < n && inner_of[c] == NONE)
            .collect();
        let is_leaf = |c: usize| {
            shape.children[c]
                .iter()
                .all(|&g| g >= n || inner_of[g] != NONE || g == c)
        };
        let packable = |c: usize| shape.packable.get(c).copied().unwrap_or(true);
        let leaf: Vec<bool> = kids.iter().map(|&c| is_leaf(c) && packable(c)).collect();
        let leaves: Vec<usize> = kids
            .iter()
            .zip(&leaf)
            .filter(|(_, &is)| is)
            .map(|(&c, _)| c)
            .collect();
        let pack = leaves.len() >= spacing.compact_from.max(2);
        let mut block_placed = false;
        for (&kid, &is_leaf) in kids.iter().zip(&leaf) {
            if pack && is_leaf {
                // Every card inside the block is taken now, so none is reached again.
                for &leaf in &leaves {
                    inner_of[leaf] = NONE - 1;
                }
                if block_placed {
                    continue;
                }
                block_placed = true;
                let cell_b = leaves
                    .iter()
                    .map(|&l| breadth_of(&size(l)))
                    .fold(0.0, f64::max);
                let cell_d = leaves
                    .iter()
                    .map(|&l| depth_of(&size(l)))
                    .fold(0.0, f64::max);
                let gap = spacing.sibling_gap;
                let across = block_across(leaves.len(), cell_b + gap, cell_d + gap);
                let down = leaves.len().div_ceil(across);
                let block_breadth = across as f64 * (cell_b + gap) - gap;
                let block_depth = down as f64 * (cell_d + gap) - gap;
                let id = blocks.len();
                blocks.push(Block {
                    parent: node,
                    members: leaves.clone(),
                    rect: Rect {
                        x: cell_b,
                        y: cell_d,
                        w: block_breadth,
                        h: block_depth,
                    },
                    across,
                });
                links.push(Link {
                    parent: node,
                    child: Target::Block(id),
                });
                let mut below = walk.push(Inner::Block(id), at, block_breadth, level);
                let levels = ((block_depth + spacing.level_gap) / level_step).ceil() as u32;
                for extra in 1..levels.max(1) {
                    below = walk.push(Inner::Filler, below, block_breadth, level + extra);
                }
            } else {
                let child = walk.push(Inner::Card(kid), at, breadth_of(&size(kid)), level);
                inner_of[kid] = child;
                links.push(Link {
                    parent: node,
                    child: Target::Node(kid),
                });
                queue.push_back((kid, child));
            }
        }
    }

    let m = walk.kind.len();
    walk.prelim = vec![0.0; m];
    walk.modifier = vec![0.0; m];
    walk.shift = vec![0.0; m];
    walk.change = vec![0.0; m];
    walk.thread = vec![NONE; m];
    walk.ancestor = (0..m as u32).collect();
    walk.midpoint = vec![0.0; m];

    // Nodes were numbered breadth-first, so every child comes after its parent: going backwards
    // finishes children before parents.
    for v in (0..m as u32).rev() {
        walk.finish(v);
    }
    walk.prelim[top as usize] = walk.midpoint[top as usize];

    // Second walk, forwards for the same reason: a node's offset is its parent's plus the parent's
    // modifier.
    let mut along = vec![0.0; m];
    let mut offset = vec![0.0; m];
    offset[top as usize] = -walk.prelim[top as usize];
    for v in 0..m {
        along[v] = walk.prelim[v] + offset[v];
        let passed = offset[v] + walk.modifier[v];
        for &w in &walk.kids[v] {
            offset[w as usize] = passed;
        }
    }

    // Into screen coordinates; the top node has no card and its level is not drawn.
    let place = |centre: f64, breadth: f64, level: u32, depth: f64| -> Rect {
        let b0 = centre - breadth / 2.0;
        let d0 = f64::from(level.saturating_sub(1)) * level_step;
        if top_down {
            Rect {
                x: b0,
                y: d0,
                w: breadth,
                h: depth,
            }
        } else {
            Rect {
                x: d0,
                y: b0,
                w: depth,
                h: breadth,
            }
        }
    };
    let mut cards: Vec<Option<Rect>> = vec![None; n];
    for (v, &centre) in along.iter().enumerate() {
        match walk.kind[v] {
            Inner::Card(node) => {
                let s = size(node);
                cards[node] = Some(place(centre, walk.breadth[v], walk.level[v], depth_of(&s)));
            }
            Inner::Block(id) => {
                let block = &mut blocks[id];
                let (cell_b, cell_d, block_depth) = (block.rect.x, block.rect.y, block.rect.h);
                block.rect = place(centre, walk.breadth[v], walk.level[v], block_depth);
                let gap = spacing.sibling_gap;
                for (i, &member) in block.members.iter().enumerate() {
                    let (col, row) = (i % block.across, i / block.across);
                    let s = size(member);
                    let b = col as f64 * (cell_b + gap) + (cell_b - breadth_of(&s)) / 2.0;
                    let d = row as f64 * (cell_d + gap);
                    cards[member] = Some(if top_down {
                        Rect {
                            x: block.rect.x + b,
                            y: block.rect.y + d,
                            w: s.w,
                            h: s.h,
                        }
                    } else {
                        Rect {
                            x: block.rect.x + d,
                            y: block.rect.y + b,
                            w: s.w,
                            h: s.h,
                        }
                    });
                }
            }
            Inner::Top | Inner::Filler => {}
        }
    }

    // Shift so the top-left corner of everything is (0, 0).
    let bounds = cards
        .iter()
        .flatten()
        .chain(blocks.iter().map(|b| &b.rect))
        .copied()
        .reduce(|a, b| a.union(&b))
        .unwrap_or_default();
    for card in cards.iter_mut().flatten() {
        card.x -= bounds.x;
        card.y -= bounds.y;
    }
    for block in &mut blocks {
        block.rect.x -= bounds.x;
        block.rect.y -= bounds.y;
    }
    Layout {
        cards,
        blocks,
        links,
        bounds: Rect {
            x: 0.0,
            y: 0.0,
            w: bounds.w,
            h: bounds.h,
        },
        orientation: spacing.orientation,
    }
}
