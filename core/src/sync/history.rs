//! Where a device stands in the server's history, and whether the server still holds that point.
//!
//! A server can go back in time: restored from last night's backup, or wiped and seeded again. Its
//! version counter and its record of each device's mutations then fall behind what devices were
//! told, and new changes reuse version numbers devices have already passed. Two things tell:
//!
//! - the **history position** in a pull cursor: the database's identity (made once when the database
//!   is created) and the mark of the commit that wrote the cursor's version (made at random for each
//!   commit). A restored or reseeded server either has no commit at that version yet, or a different
//!   one, or is another database;
//! - the device's **claim**: the highest mutation id a reply ever said the server had processed for
//!   it. A server whose record of the device is lower lost those mutations.
//!
//! Either way the server answers the pull `rewound`, and the device starts over with its work kept
//! (`client::recover`).

/// A pull cursor. Opaque to the device; the server reads it back with `decode`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    /// The database the cursor was made by; `None` in cursors from before positions were kept.
    pub database: Option<String>,
    /// The user's scope epoch when it was made: another epoch means the scope changed (a reset).
    pub epoch: i64,
    /// The last version the device has.
    pub version: i64,
    /// The mark of the commit that wrote `version` (empty at version 0); `None` as for `database`.
    pub mark: Option<String>,
    /// The last of this device's rejections delivered.
    pub rejections_seen: i64,
}

/// What the server is at: its identity and, for the cursor's version, the mark of the commit that
/// wrote it there (`None` when no commit has reached that version).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerPoint<'a> {
    pub database: &'a str,
    pub mark_at_cursor: Option<&'a str>,
    /// The highest mutation id the server has processed for the device.
    pub last_mutation_id: u64,
}

/// The mark of every version written before marks were kept (see migration `0009_history`).
pub const FIRST_MARK: &str = "initial";

/// The longest database identity or mark accepted in a cursor.
const MAX_PART: usize = 64;

impl Cursor {
    /// `database~epoch~version~mark~rejections_seen`: the separator is none of the characters of
    /// identities and marks (hex and `-`).
    pub fn encode(&self) -> String {
        match (&self.database, &self.mark) {
            (Some(database), Some(mark)) => format!(
                "{database}~{}~{}~{mark}~{}",
                self.epoch, self.version, self.rejections_seen
            ),
            _ => format!("{}.{}.{}", self.epoch, self.version, self.rejections_seen),
        }
    }

    /// Reads a cursor this server (or one before positions were kept: `epoch.version.seen`) made.
    pub fn decode(text: &str) -> Option<Self> {
        let number = |part: &str| part.parse::<i64>().ok().filter(|n| *n >= 0);
        let word = |part: &str| {
            (part.len() <= MAX_PART && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
                .then(|| part.to_owned())
        };
        let parts: Vec<&str> = text.split('~').collect();
        match parts[..] {
            [database, epoch, version, mark, seen] => Some(Self {
                database: Some(word(database).filter(|d| !d.is_empty())?),
                epoch: number(epoch)?,
                version: number(version)?,
                mark: Some(word(mark)?),
                rejections_seen: number(seen)?,
            }),
            [legacy] => {
                let mut parts = legacy.split('.').map(number);
                let cursor = Self {
                    database: None,
                    epoch: parts.next()??,
                    version: parts.next()??,
                    mark: None,
                    rejections_seen: parts.next()??,
                };
                parts.next().is_none().then_some(cursor)
            }
            _ => None,
        }
    }

    /// A device's first cursor at this database: nothing seen yet.
    pub fn start(database: &str, epoch: i64) -> Self {
        Self {
            database: Some(database.to_owned()),
            epoch,
            version: 0,
            mark: Some(String::new()),
            rejections_seen: 0,
        }
    }
}

/// Whether the server has gone back behind what the device was told: another database, a cursor
/// version no commit has reached or another commit wrote, or fewer of the device's mutations
/// processed than a reply once said. A cursor from before positions were kept is taken on trust.
pub fn rewound(cursor: Option<&Cursor>, claimed: u64, server: &ServerPoint<'_>) -> bool {
    if claimed > server.last_mutation_id {
        return true;
    }
    let Some(cursor) = cursor else {
        return false;
    };
    let (Some(database), Some(mark)) = (&cursor.database, &cursor.mark) else {
        return false;
    };
    if database != server.database {
        return true;
    }
    if cursor.version == 0 {
        return false;
    }
    server.mark_at_cursor != Some(mark.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DB: &str = "0193b3c4-7a1e-7000-8000-000000000001";

    fn cursor(version: i64, mark: &str) -> Cursor {
        Cursor {
            database: Some(DB.into()),
            epoch: 2,
            version,
            mark: Some(mark.into()),
            rejections_seen: 4,
        }
    }

    fn at(mark: Option<&'static str>, last_mutation_id: u64) -> ServerPoint<'static> {
        ServerPoint {
            database: DB,
            mark_at_cursor: mark,
            last_mutation_id,
        }
    }

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        for made in [
            cursor(812, "9f3a0c11d2e4b5a6"),
            cursor(0, ""),
            Cursor::start(DB, 7),
        ] {
            assert_eq!(Cursor::decode(&made.encode()), Some(made.clone()));
        }
        let legacy = Cursor::decode("3.812.9").unwrap();
        assert_eq!(legacy.database, None);
        assert_eq!(
            (legacy.epoch, legacy.version, legacy.rejections_seen),
            (3, 812, 9)
        );
        for junk in [
            "",
            "1.2",
            "1.2.3.4",
            "a.b.c",
            "-1.2.3",
            "1.2.-3",
            "~1~2~m~3",
            "db~1~2~m",
            "db~1~2~m~3~4",
            "db~x~2~m~3",
            "db~1~2~m a~3",
            "db~1~2~m.b~3",
            "d\u{e9}~1~2~m~3",
            "99999999999999999999.1.1",
        ] {
            assert_eq!(Cursor::decode(junk), None, "{junk:?}");
        }
        let long = "a".repeat(MAX_PART + 1);
        assert_eq!(Cursor::decode(&format!("{long}~1~2~m~3")), None);
    }

    #[test]
    fn the_same_history_goes_on() {
        assert!(!rewound(None, 0, &at(None, 0)), "a first pull");
        assert!(!rewound(Some(&cursor(0, "")), 0, &at(None, 0)));
        assert!(!rewound(Some(&cursor(812, "m1")), 5, &at(Some("m1"), 5)));
        assert!(!rewound(Some(&cursor(812, "m1")), 3, &at(Some("m1"), 5)));
        // Positions written before marks were kept are trusted.
        let legacy = Cursor::decode("3.812.9").unwrap();
        assert!(!rewound(Some(&legacy), 0, &at(None, 0)));
    }

    #[test]
    fn a_restored_or_reseeded_server_is_caught() {
        // Restored to before the cursor's version: no commit has reached it yet.
        assert!(rewound(Some(&cursor(812, "m1")), 0, &at(None, 0)));
        // Restored, then new commits passed the cursor's version: another commit wrote it.
        assert!(rewound(Some(&cursor(812, "m1")), 0, &at(Some("m2"), 0)));
        // Wiped and seeded again: another database.
        let mut elsewhere = at(Some("m1"), 0);
        elsewhere.database = "0193b3c4-7a1e-7000-8000-000000000002";
        assert!(rewound(Some(&cursor(812, "m1")), 0, &elsewhere));
        // The device's mutations the server said it had are gone, whatever the cursor says.
        assert!(rewound(Some(&cursor(812, "m1")), 6, &at(Some("m1"), 5)));
        assert!(rewound(None, 1, &at(None, 0)));
    }
}
