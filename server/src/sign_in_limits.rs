//! Sign-in throttling (登录限速): wrong passwords slow down whoever sends them, with delays that grow
//! instead of a lock, counted per (account, address) pair, per address across accounts and per account
//! from everywhere — so guessing is slow and nobody can lock an owner out from the owner's address.
//! The counters live in the database, so several server processes share them.

use std::{
    net::IpAddr,
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc,
    },
    time::Duration,
};

use sqlx::{AnyConnection, Connection, Row};

use crate::auth::{now_millis, SESSION_DAYS};

const SECOND: i64 = 1000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// What a counter counts failures of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One login from one address: someone guessing one account.
    Pair,
    /// Any login from one address: someone trying one password on many accounts.
    Address,
    /// One login from any address: guessing spread over many addresses.
    Account,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Pair => "pair",
            Kind::Address => "address",
            Kind::Account => "account",
        }
    }
}

/// A counter's rule: how many failures are free, and after how long without one they are forgotten.
/// Past the free ones, each failure makes the next attempt wait 1 s, 2 s, 4 s … up to 15 minutes.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub kind: Kind,
    pub free_failures: i64,
    pub forget_after_millis: i64,
}

/// A person mistyping gets three tries before the first second of waiting.
pub const PAIR: Limit = Limit {
    kind: Kind::Pair,
    free_failures: 3,
    forget_after_millis: DAY,
};
/// Generous: a shop's tablets may share one address behind a router.
pub const ADDRESS: Limit = Limit {
    kind: Kind::Address,
    free_failures: 30,
    forget_after_millis: HOUR,
};
/// Far above the pair's, so one attacker cannot reach it; addresses the owner signed in from are exempt.
pub const ACCOUNT: Limit = Limit {
    kind: Kind::Account,
    free_failures: 100,
    forget_after_millis: 15 * MINUTE,
};

pub const FIRST_DELAY_MILLIS: i64 = SECOND;
pub const MAX_DELAY_MILLIS: i64 = 15 * MINUTE;
/// A pair with a correct password this recently is the owner's own address (as long as a session).
pub const KNOWN_ADDRESS_MILLIS: i64 = SESSION_DAYS * DAY;

impl Limit {
    /// How long after its last failure a counter at `failures` makes the next attempt wait.
    pub fn delay_millis(&self, failures: i64) -> i64 {
        if failures < self.free_failures {
            return 0;
        }
        let doublings = (failures - self.free_failures).min(20);
        (FIRST_DELAY_MILLIS << doublings).min(MAX_DELAY_MILLIS)
    }
}

/// A counter as stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    pub failures: i64,
    pub last_failure_at: i64,
    pub signed_in_at: i64,
}

impl Counter {
    /// Failures that still count at `now`: none once the limit's quiet period has passed.
    fn live_failures(&self, limit: &Limit, now: i64) -> i64 {
        if now - self.last_failure_at > limit.forget_after_millis {
            0
        } else {
            self.failures
        }
    }

    /// Milliseconds the next attempt must wait; 0 when it may go ahead.
    pub fn wait_millis(&self, limit: &Limit, now: i64) -> i64 {
        let delay = limit.delay_millis(self.live_failures(limit, now));
        if delay == 0 {
            0
        } else {
            (self.last_failure_at + delay - now).max(0)
        }
    }

    fn is_known_address(&self, now: i64) -> bool {
        self.signed_in_at > 0 && now - self.signed_in_at < KNOWN_ADDRESS_MILLIS
    }
}

/// Why an attempt may not go ahead yet, and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wait {
    pub kind: Kind,
    pub millis: i64,
}

impl Wait {
    /// Whole seconds for `Retry-After`, rounded up so a client that obeys it is not refused again.
    pub fn retry_after_secs(&self) -> u64 {
        (self.millis.max(1) as u64).div_ceil(1000)
    }

    /// What the person signing in reads.
    pub fn message(&self) -> String {
        let secs = self.retry_after_secs();
        let wait = match secs {
            1 => "1 second".to_owned(),
            2..=119 => format!("{secs} seconds"),
            _ => format!("{} minutes", secs.div_ceil(60)),
        };
        match self.kind {
            Kind::Pair => format!(
                "too many wrong passwords for this login from your address; wait {wait} and try again"
            ),
            Kind::Address => format!(
                "too many failed sign-ins from your address; wait {wait} and try again"
            ),
            Kind::Account => format!(
                "too many failed sign-ins for this login from many addresses; wait {wait}, or sign in \
                 from a device that has signed in before"
            ),
        }
    }
}

/// Where the limits read the time: the system clock, or one a test moves by hand instead of sleeping.
#[derive(Clone, Debug, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock that stands still at `start_millis` until `advance` moves it.
    pub fn manual(start_millis: i64) -> Self {
        Self(Some(Arc::new(AtomicI64::new(start_millis))))
    }

    pub fn now_millis(&self) -> i64 {
        match &self.0 {
            Some(manual) => manual.load(Ordering::SeqCst),
            None => now_millis(),
        }
    }

    /// Moves a manual clock forward; the system clock moves by itself.
    pub fn advance(&self, by: Duration) {
        if let Some(manual) = &self.0 {
            manual.fetch_add(by.as_millis() as i64, Ordering::SeqCst);
        }
    }
}

/// The address as the limits count it: IPv4 as it is, IPv6 by its /64 (one home or office network
/// holds a whole /64 and can pick a new address in it for every attempt).
pub fn address_key(ip: Option<IpAddr>) -> String {
    match ip.map(|ip| ip.to_canonical()) {
        None => "unknown".into(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// A sign-in attempt, counted as a failure until its password is known to be right.
#[derive(Debug)]
pub struct Attempt {
    login: String,
    address: String,
    now: i64,
}

/// Creates the counter if needed and locks its row until the transaction ends (PostgreSQL; SQLite
/// holds its one write lock from this first write on), so parallel attempts queue here.
const LOCK_COUNTER: &str = "INSERT INTO sign_in_throttle
        (kind, login, address, failures, last_failure_at, signed_in_at) VALUES ($1, $2, $3, 0, 0, 0)
    ON CONFLICT (kind, login, address) DO UPDATE SET failures = sign_in_throttle.failures
    RETURNING failures, last_failure_at, signed_in_at";

/// Counts an attempt of `login` from `address` before its password is checked, or says how long to
/// wait. Counting first, with the three counters locked in one transaction, is what keeps parallel
/// attempts from all passing one check; rows are always locked pair, address, account, so two
/// attempts never wait on each other in a circle.
pub async fn begin_attempt(
    conn: &mut AnyConnection,
    login: &str,
    address: &str,
    now: i64,
) -> Result<Result<Attempt, Wait>, sqlx::Error> {
    let counters = [
        (PAIR, login, address),
        (ADDRESS, "", address),
        (ACCOUNT, login, ""),
    ];
    let mut tx = conn.begin().await?;
    let mut stored = [Counter::default(); 3];
    for ((limit, login, address), stored) in counters.iter().zip(&mut stored) {
        let row = sqlx::query(LOCK_COUNTER)
            .bind(limit.kind.as_str())
            .bind(*login)
            .bind(*address)
            .fetch_one(&mut *tx)
            .await?;
        *stored = Counter {
            failures: row.try_get(0)?,
            last_failure_at: row.try_get(1)?,
            signed_in_at: row.try_get(2)?,
        };
    }
    let known_address = stored[0].is_known_address(now);
    let wait = counters
        .iter()
        .zip(&stored)
        .filter(|((limit, ..), _)| !(known_address && limit.kind == Kind::Account))
        .map(|((limit, ..), counter)| Wait {
            kind: limit.kind,
            millis: counter.wait_millis(limit, now),
        })
        .max_by_key(|wait| wait.millis)
        .filter(|wait| wait.millis > 0);
    if let Some(wait) = wait {
        tx.rollback().await?;
        return Ok(Err(wait));
    }
    for ((limit, login, address), counter) in counters.iter().zip(&stored) {
        sqlx::query(
            "UPDATE sign_in_throttle SET failures = $1, last_failure_at = $2
             WHERE kind = $3 AND login = $4 AND address = $5",
        )
        .bind(counter.live_failures(limit, now) + 1)
        .bind(now)
        .bind(limit.kind.as_str())
        .bind(*login)
        .bind(*address)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(Attempt {
        login: login.to_owned(),
        address: address.to_owned(),
        now,
    }))
}

impl Attempt {
    /// The password was right: the pair starts again from nothing and remembers this address, and the
    /// attempt stops counting against the address and the account. (A wrong one stays counted.)
    pub async fn succeeded(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        let mut tx = conn.begin().await?;
        sqlx::query(
            "UPDATE sign_in_throttle SET failures = 0, signed_in_at = $1
             WHERE kind = 'pair' AND login = $2 AND address = $3",
        )
        .bind(self.now)
        .bind(&self.login)
        .bind(&self.address)
        .execute(&mut *tx)
        .await?;
        for (kind, login, address) in [
            (Kind::Address, "", self.address.as_str()),
            (Kind::Account, self.login.as_str(), ""),
        ] {
            sqlx::query(
                "UPDATE sign_in_throttle SET failures = failures - 1
                 WHERE kind = $1 AND login = $2 AND address = $3 AND failures > 0",
            )
            .bind(kind.as_str())
            .bind(login)
            .bind(address)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
}

/// Deletes counters that no longer matter: no failure for a day (every limit has forgotten them by
/// then) and no correct password within a session's length. Returns how many went.
pub async fn forget_old(conn: &mut AnyConnection, now: i64) -> Result<u64, sqlx::Error> {
    let forgotten = sqlx::query(
        "DELETE FROM sign_in_throttle WHERE last_failure_at < $1 AND signed_in_at < $2",
    )
    .bind(now - DAY)
    .bind(now - KNOWN_ADDRESS_MILLIS)
    .execute(&mut *conn)
    .await?;
    Ok(forgotten.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_waits_one_second_after_three_failures_then_twice_as_long_each_time() {
        let delays: Vec<i64> = (0..8).map(|n| PAIR.delay_millis(n) / 1000).collect();
        assert_eq!(delays, [0, 0, 0, 1, 2, 4, 8, 16]);
        assert_eq!(PAIR.delay_millis(40), MAX_DELAY_MILLIS);
        assert_eq!(PAIR.delay_millis(i64::MAX), MAX_DELAY_MILLIS);
    }

    #[test]
    fn the_account_limit_is_far_above_the_pair_limit() {
        assert_eq!(ACCOUNT.delay_millis(99), 0);
        assert_eq!(ACCOUNT.delay_millis(100), 1000);
        const { assert!(ADDRESS.free_failures > PAIR.free_failures) };
    }

    #[test]
    fn failures_are_forgotten_after_the_quiet_period() {
        let counter = Counter {
            failures: 10,
            last_failure_at: 0,
            signed_in_at: 0,
        };
        assert_eq!(counter.wait_millis(&PAIR, 1000), 127_000);
        assert_eq!(counter.wait_millis(&PAIR, DAY + 1), 0);
        assert_eq!(counter.wait_millis(&ADDRESS, 0), 0, "10 is under 30");
    }

    #[test]
    fn the_wait_is_said_in_whole_seconds_rounded_up() {
        let wait = |millis| Wait {
            kind: Kind::Pair,
            millis,
        };
        assert_eq!(wait(1).retry_after_secs(), 1);
        assert_eq!(wait(1001).retry_after_secs(), 2);
        assert!(wait(2000).message().contains("wait 2 seconds"));
        assert!(wait(15 * MINUTE).message().contains("wait 15 minutes"));
    }

    #[test]
    fn ipv6_addresses_count_by_their_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        assert_eq!(address_key(Some(a)), address_key(Some(b)));
        assert_eq!(address_key(Some(a)), "2001:db8:1:2::/64");
        let mapped: IpAddr = "::ffff:10.1.2.3".parse().unwrap();
        assert_eq!(address_key(Some(mapped)), "10.1.2.3");
        assert_eq!(address_key(None), "unknown");
    }
}
