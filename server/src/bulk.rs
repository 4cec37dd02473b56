//! Many rows in one statement, the same way on both back ends.
//!
//! sqlx's SQLite driver hands every statement and every result row across a thread boundary, and for
//! rows of a few hundred bytes that hand-over costs more than SQLite's own work (measured: about half
//! of a push's time was thread wake-ups). So bulk writes are multi-row INSERTs of up to 500 rows with
//! every value bound, and on SQLite a pull page comes back as one JSON array text built by the
//! database. PostgreSQL's driver has no thread hop, so there pages stay rows. (Bulk writes used to
//! bind their rows as one JSON array read back with `json_each`: SQLite's JSON functions and the
//! JSON inside JSON cost a push of 500 creates 10 ms of its 20; bound values take 4.)
//!
//! Lookups into `records` run with `persistent(false)`: kept as a prepared statement, PostgreSQL
//! would reuse a generic plan made while the table was nearly empty (a sequential scan) until
//! autovacuum analyses it, and a push's lookups grew slower with every push (measured: 130 ms
//! and rising per push of 500 after 10,000 rows). Planned per call, they use the indexes.

use sqlx::AnyConnection;

/// The SQL dialect of a connection, where the two back ends spell JSON functions differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn of(conn: &AnyConnection) -> Self {
        if conn.backend_name().eq_ignore_ascii_case("sqlite") {
            Self::Sqlite
        } else {
            Self::Postgres
        }
    }

    /// `count` placeholders for values bound in order: `$first, $first+1, …` on PostgreSQL, plain
    /// `?, ?, …` on SQLite. SQLite numbers `$1` and `?1` as named parameters, and sqlx asks SQLite
    /// each parameter's name when binding, a search through all the names; a push's 5,000 values
    /// took 31 ms to bind (measured), where anonymous `?` bind in no time. So a statement that uses
    /// these uses no other placeholders, and binds its values in the order they appear.
    pub fn placeholders(self, first: usize, count: usize) -> String {
        match self {
            Self::Sqlite => vec!["?"; count].join(", "),
            Self::Postgres => (first..first + count)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// `(…), (…), …` for a multi-row INSERT: `rows` rows of `per_row` placeholders, numbered from
    /// `first` on PostgreSQL (see [`placeholders`](Self::placeholders)).
    pub fn value_rows(self, first: usize, rows: usize, per_row: usize) -> String {
        (0..rows)
            .map(|row| format!("({})", self.placeholders(first + row * per_row, per_row)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
