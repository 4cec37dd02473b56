//! Hybrid logical clock stamps: wall-clock milliseconds, a counter for events within one millisecond or
//! behind a skewed clock, and the client id as a tie-breaker. Later stamps win per field.

use std::{cmp::Ordering, fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One stamp. Ordered by time, then counter, then node, so two stamps are never equal across clients.
/// On the wire it is the string `"<millis, 15 digits>-<counter, 5 digits>-<node>"`, which sorts the same
/// way as the stamp itself.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Hlc {
    pub millis: u64,
    pub counter: u32,
    pub node: String,
}

/// The largest time a stamp may carry (year 2286); also keeps the wire form fixed-width.
pub const MAX_MILLIS: u64 = 9_999_999_999_999;
/// The largest counter; a clock that would pass it moves to the next millisecond instead.
pub const MAX_COUNTER: u32 = 99_999;
/// The longest node id (a client id is a UUID, 36 characters).
pub const MAX_NODE_LEN: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HlcParseError(pub &'static str);

impl fmt::Display for HlcParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid clock stamp: {}", self.0)
    }
}

impl std::error::Error for HlcParseError {}

impl Hlc {
    pub fn new(millis: u64, counter: u32, node: impl Into<String>) -> Self {
        Self {
            millis,
            counter,
            node: node.into(),
        }
    }

    /// The earliest possible stamp: any real edit is newer.
    pub fn zero() -> Self {
        Self::new(0, 0, "")
    }
}

impl Ord for Hlc {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.millis, self.counter, &self.node).cmp(&(other.millis, other.counter, &other.node))
    }
}

impl PartialOrd for Hlc {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:015}-{:05}-{}", self.millis, self.counter, self.node)
    }
}

impl FromStr for Hlc {
    type Err = HlcParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(3, '-');
        let (Some(millis), Some(counter), Some(node)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(HlcParseError("expected <millis>-<counter>-<node>"));
        };
        if millis.len() != 15 || counter.len() != 5 {
            return Err(HlcParseError("millis must have 15 digits and counter 5"));
        }
        let millis: u64 = parse_digits(millis)?;
        let counter: u32 = parse_digits(counter)?;
        if millis > MAX_MILLIS {
            return Err(HlcParseError("time is too far in the future"));
        }
        if node.is_empty() || node.len() > MAX_NODE_LEN {
            return Err(HlcParseError("node must be 1 to 64 characters"));
        }
        if !node
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(HlcParseError("node may only use letters, digits, - and _"));
        }
        Ok(Self::new(millis, counter, node))
    }
}

fn parse_digits<T: FromStr>(digits: &str) -> Result<T, HlcParseError> {
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HlcParseError("millis and counter must be decimal digits"));
    }
    digits
        .parse()
        .map_err(|_| HlcParseError("number out of range"))
}

impl Serialize for Hlc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A client's (or the server's) clock: hands out strictly increasing stamps even when the wall clock
/// stalls or steps back, and moves past any stamp it has seen from others.
#[derive(Clone, Debug)]
pub struct HlcClock {
    last: Hlc,
}

impl HlcClock {
    pub fn new(node: impl Into<String>) -> Self {
        Self {
            last: Hlc::new(0, 0, node),
        }
    }

    /// Restores a clock from the last stamp it issued (kept in storage across reloads).
    pub fn resume(last: Hlc) -> Self {
        Self { last }
    }

    pub fn last(&self) -> &Hlc {
        &self.last
    }

    /// The next stamp, given the wall clock now.
    pub fn tick(&mut self, wall_millis: u64) -> Hlc {
        let wall = wall_millis.min(MAX_MILLIS);
        if wall > self.last.millis {
            self.last.millis = wall;
            self.last.counter = 0;
        } else {
            self.bump();
        }
        self.last.clone()
    }

    /// Takes note of a stamp seen from elsewhere so the next tick is later than it.
    pub fn observe(&mut self, seen: &Hlc) {
        if (seen.millis, seen.counter) > (self.last.millis, self.last.counter) {
            self.last.millis = seen.millis;
            self.last.counter = seen.counter;
        }
    }

    fn bump(&mut self) {
        if self.last.counter < MAX_COUNTER {
            self.last.counter += 1;
        } else {
            self.last.millis = (self.last.millis + 1).min(MAX_MILLIS);
            self.last.counter = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wire_form_round_trips_and_sorts_like_the_stamp() {
        let a = Hlc::new(1_732_700_000_000, 3, "client-a");
        let text = a.to_string();
        assert_eq!(text, "001732700000000-00003-client-a");
        assert_eq!(text.parse::<Hlc>().unwrap(), a);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Hlc>(&json).unwrap(), a);
    }

    #[test]
    fn malformed_stamps_are_refused() {
        for bad in [
            "",
            "1-2-x",
            "00173270000000x-00003-a",
            "001732700000000-00003-",
            "001732700000000-00003-a b",
            "999999999999999-00000-a",
        ] {
            assert!(bad.parse::<Hlc>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn clock_never_goes_backwards_when_the_wall_clock_does() {
        let mut clock = HlcClock::new("a");
        let first = clock.tick(1_000);
        let second = clock.tick(900);
        let third = clock.tick(1_000);
        assert!(first < second && second < third);
        assert_eq!(second.millis, 1_000);
    }

    #[test]
    fn observing_a_later_stamp_moves_the_clock_past_it() {
        let mut clock = HlcClock::new("a");
        clock.tick(1_000);
        let remote = Hlc::new(5_000, 7, "b");
        clock.observe(&remote);
        let next = clock.tick(1_001);
        assert!(next > remote);
        assert_eq!(next.node, "a");
    }

    #[test]
    fn counter_overflow_moves_to_the_next_millisecond() {
        let mut clock = HlcClock::resume(Hlc::new(10, MAX_COUNTER, "a"));
        let next = clock.tick(10);
        assert_eq!((next.millis, next.counter), (11, 0));
    }

    proptest! {
        #[test]
        fn ticks_strictly_increase(walls in proptest::collection::vec(0u64..2_000_000, 1..200)) {
            let mut clock = HlcClock::new("n");
            let mut previous = Hlc::zero();
            for wall in walls {
                let next = clock.tick(wall);
                prop_assert!(next > previous);
                previous = next;
            }
        }

        #[test]
        fn wire_order_equals_stamp_order(
            a in (0u64..MAX_MILLIS, 0u32..=MAX_COUNTER, "[a-z0-9]{1,8}"),
            b in (0u64..MAX_MILLIS, 0u32..=MAX_COUNTER, "[a-z0-9]{1,8}"),
        ) {
            let a = Hlc::new(a.0, a.1, a.2);
            let b = Hlc::new(b.0, b.1, b.2);
            // Node ids of different lengths can order differently as text, so compare equal-time pairs only by node.
            if a.node.len() == b.node.len() {
                prop_assert_eq!(a.cmp(&b), a.to_string().cmp(&b.to_string()));
            }
        }
    }
}
