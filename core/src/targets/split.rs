//! Breaking a target down (目标分解): a parent's value shared among its children, and a year's among
//! its months, so that the parts always add up to the whole exactly.
//!
//! Every split is the largest-remainder method over whole units (分 for money, 1 for counts): each
//! child first gets the floor of its exact share, and the units left over go one each to the
//! children with the largest fractional remainders, ties to the earlier child. So a split is exact,
//! deterministic, and no child is ever more than one unit from its exact share.

/// How a parent's value is shared among its children.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    /// The same to each.
    Equal,
    /// In proportion to each child's actual of last year (or any other non-negative figures).
    LastYear(Vec<i64>),
    /// In proportion to weights the manager types.
    Weights(Vec<u64>),
}

/// Why a split cannot be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SplitError {
    /// The figures given are not one per child.
    WrongCount { children: usize, figures: usize },
    /// A value, figure or the total is negative.
    Negative,
    /// The children kept fixed already hold more than the parent: by this much.
    FixedExceed(i64),
    /// Every child is fixed and they do not add up to the parent: the difference is left.
    NothingToSpread(i64),
    /// There are no children to share among.
    NoChildren,
}

/// Splits `total` among `children` by `method`: exactly, by largest remainder (see the module).
/// When every weight is zero (a new region with no sales last year), the split is equal.
pub fn split(total: i64, children: usize, method: &Method) -> Result<Vec<i64>, SplitError> {
    if children == 0 {
        return Err(SplitError::NoChildren);
    }
    if total < 0 {
        return Err(SplitError::Negative);
    }
    let weights: Vec<u128> = match method {
        Method::Equal => vec![1; children],
        Method::LastYear(figures) => {
            if figures.iter().any(|&f| f < 0) {
                return Err(SplitError::Negative);
            }
            figures.iter().map(|&f| f as u128).collect()
        }
        Method::Weights(weights) => weights.iter().map(|&w| u128::from(w)).collect(),
    };
    if weights.len() != children {
        return Err(SplitError::WrongCount {
            children,
            figures: weights.len(),
        });
    }
    Ok(by_weights(total, &weights))
}

/// The largest-remainder split of a non-negative `total` by `weights` (all zero: equal).
fn by_weights(total: i64, weights: &[u128]) -> Vec<i64> {
    let sum: u128 = weights.iter().sum();
    let (weights, sum) = if sum == 0 {
        (vec![1u128; weights.len()], weights.len() as u128)
    } else {
        (weights.to_vec(), sum)
    };
    let total = total as u128;
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        // total ≤ 2^53 and a weight ≤ 2^64, so the product fits in 128 bits.
        let exact = total * w;
        parts.push((exact / sum) as i64);
        remainders.push((exact % sum, i));
    }
    let given: i64 = parts.iter().sum();
    let left = total as i64 - given;
    // Largest remainder first, the earlier child first among equals.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take(left as usize) {
        parts[i] += 1;
    }
    parts
}

/// One child as a re-spread sees it: its value now, whether the manager set it by hand (kept), and
/// its weight for sharing what is left.
#[derive(Clone, Debug, PartialEq)]
pub struct Child {
    pub value: i64,
    pub fixed: bool,
    pub weight: u64,
}

/// After the parent changed to `total`: the children set by hand keep their values, and the rest
/// share what those leave, by their weights (all zero: equally).
pub fn respread(total: i64, children: &[Child]) -> Result<Vec<i64>, SplitError> {
    if children.is_empty() {
        return Err(SplitError::NoChildren);
    }
    if total < 0 || children.iter().any(|c| c.value < 0) {
        return Err(SplitError::Negative);
    }
    let fixed: i64 = children.iter().filter(|c| c.fixed).map(|c| c.value).sum();
    let rest = total - fixed;
    if rest < 0 {
        return Err(SplitError::FixedExceed(-rest));
    }
    let free: Vec<u128> = children
        .iter()
        .filter(|c| !c.fixed)
        .map(|c| u128::from(c.weight))
        .collect();
    if free.is_empty() {
        return if rest == 0 {
            Ok(children.iter().map(|c| c.value).collect())
        } else {
            Err(SplitError::NothingToSpread(rest))
        };
    }
    let mut shares = by_weights(rest, &free).into_iter();
    Ok(children
        .iter()
        .map(|c| {
            if c.fixed {
                c.value
            } else {
                shares.next().unwrap_or(0)
            }
        })
        .collect())
}

/// A year's value by month: by last year's months (its seasonality) when given and not all zero,
/// else evenly.
pub fn phase_year(total: i64, last_year: Option<&[i64; 12]>) -> Result<[i64; 12], SplitError> {
    let method = match last_year {
        Some(months) => Method::LastYear(months.to_vec()),
        None => Method::Equal,
    };
    let parts = split(total, 12, &method)?;
    let mut months = [0; 12];
    months.copy_from_slice(&parts);
    Ok(months)
}

/// Months rolled up into quarters.
pub fn quarters(months: &[i64; 12]) -> [i64; 4] {
    let mut q = [0; 4];
    for (i, m) in months.iter().enumerate() {
        q[i / 3] += m;
    }
    q
}

/// What the children's values leave of the parent's: positive when they fall short, negative when
/// they exceed it, zero when they add up.
pub fn difference(parent: i64, children: &[i64]) -> i64 {
    parent - children.iter().sum::<i64>()
}

/// A node's share of a breakdown: its year value and the same phased into months.
pub type Share = (i64, [i64; 12]);

/// A whole organisation broken down at once: `total` at `root`, each node's value split among its
/// `children` by `weight` (last year's actuals or typed weights; all zero: equally), and every
/// node's value phased into months by `seasonality` (else evenly). Returns each node's year value
/// and months; nodes not under `root` get `None`. Walks without recursion, so any depth is fine.
pub fn decompose_tree(
    children: &[Vec<usize>],
    root: usize,
    total: i64,
    weight: impl Fn(usize) -> u64,
    seasonality: Option<&[i64; 12]>,
) -> Result<Vec<Option<Share>>, SplitError> {
    let mut out: Vec<Option<Share>> = vec![None; children.len()];
    let mut stack = vec![(root, total)];
    let mut visited = vec![false; children.len()];
    while let Some((node, value)) = stack.pop() {
        if std::mem::replace(&mut visited[node], true) {
            // A loop in the tree: each node is broken down once.
            continue;
        }
        out[node] = Some((value, phase_year(value, seasonality)?));
        let kids = &children[node];
        if kids.is_empty() {
            continue;
        }
        let weights: Vec<u64> = kids.iter().map(|&k| weight(k)).collect();
        let shares = split(value, kids.len(), &Method::Weights(weights))?;
        stack.extend(kids.iter().copied().zip(shares));
    }
    Ok(out)
}
