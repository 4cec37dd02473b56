//! The server owns time: every stamp a device sends is admitted against the server's clock before it
//! is merged or stored. A stamp more than `MAX_AHEAD_MILLIS` ahead (a device whose clock runs fast, or
//! a hostile one stamping the year 2286 so its edits can never be overwritten) is clamped to the
//! server's time; one older than `MAX_AGE_MILLIS` is raised to that bound. Clamping, not refusing:
//! the edit is the user's work and is kept, only its time is corrected. Stored instants taken from a
//! stamp (`won_at`, stage history) therefore always come from an admitted clock.

use super::hlc::{Hlc, MAX_COUNTER};

/// How far ahead of the server a device's clock may run before its stamps are clamped: five minutes,
/// well beyond the drift of a clock that syncs with NTP, far below anything that could freeze a field.
pub const MAX_AHEAD_MILLIS: u64 = 5 * 60 * 1000;
/// How old a stamp may be: longer than a session lasts (45 days), so a device offline for its whole
/// session keeps its real edit times, and no stored time is older than that.
pub const MAX_AGE_MILLIS: u64 = 60 * 24 * 60 * 60 * 1000;

/// Admits the stamps of one push, in order, against the server's time at the push.
#[derive(Clone, Debug)]
pub struct ServerClock {
    now: u64,
    /// The last stamp this push clamped, so stamps clamped to one bound keep their order.
    last_clamped: Option<Hlc>,
}

impl ServerClock {
    pub fn new(now_millis: u64) -> Self {
        Self {
            now: now_millis,
            last_clamped: None,
        }
    }

    /// The stamp the server applies for `stamp`: itself when inside the window, otherwise the bound,
    /// with counters that keep this push's clamped stamps in the order they were made.
    pub fn admit(&mut self, stamp: &Hlc) -> Hlc {
        let latest = self.now.saturating_add(MAX_AHEAD_MILLIS);
        let earliest = self.now.saturating_sub(MAX_AGE_MILLIS);
        let bound = if stamp.millis > latest {
            self.now
        } else if stamp.millis < earliest {
            earliest
        } else {
            return stamp.clone();
        };
        let mut admitted = Hlc::new(bound, 0, stamp.node.clone());
        if let Some(last) = &self.last_clamped {
            if last.millis >= bound {
                admitted.millis = last.millis;
                admitted.counter = last.counter + 1;
                if admitted.counter > MAX_COUNTER {
                    admitted.millis += 1;
                    admitted.counter = 0;
                }
            }
        }
        self.last_clamped = Some(admitted.clone());
        admitted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::hlc::MAX_MILLIS;

    const NOW: u64 = 1_796_466_645_000;

    #[test]
    fn a_stamp_inside_the_window_is_kept_as_sent() {
        let mut clock = ServerClock::new(NOW);
        let stamp = Hlc::new(NOW + MAX_AHEAD_MILLIS, 3, "dev");
        assert_eq!(clock.admit(&stamp), stamp);
        let old = Hlc::new(NOW - MAX_AGE_MILLIS, 0, "dev");
        assert_eq!(clock.admit(&old), old);
    }

    #[test]
    fn a_stamp_from_the_far_future_is_clamped_to_the_server_time() {
        let mut clock = ServerClock::new(NOW);
        let admitted = clock.admit(&Hlc::new(MAX_MILLIS, 99, "evil"));
        assert_eq!(admitted, Hlc::new(NOW, 0, "evil"));
    }

    #[test]
    fn clamped_stamps_of_one_push_keep_their_order() {
        let mut clock = ServerClock::new(NOW);
        let stamps = [
            Hlc::new(NOW + 3_600_000, 7, "fast"),
            Hlc::new(NOW + 3_600_001, 0, "fast"),
            Hlc::new(NOW + 3_600_001, 1, "fast"),
        ];
        let admitted: Vec<Hlc> = stamps.iter().map(|s| clock.admit(s)).collect();
        assert!(admitted.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(admitted.iter().all(|s| s.millis == NOW));
    }

    #[test]
    fn a_stamp_older_than_any_session_is_raised_to_the_oldest_allowed() {
        let mut clock = ServerClock::new(NOW);
        let admitted = clock.admit(&Hlc::new(0, 0, "slow"));
        assert_eq!(admitted.millis, NOW - MAX_AGE_MILLIS);
    }
}
