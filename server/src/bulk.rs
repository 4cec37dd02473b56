//! Many rows in one statement, the same way on both back ends.
//!
//! sqlx's SQLite driver hands every statement and every result row across a thread boundary, and for
//! rows of a few hundred bytes that hand-over costs more than SQLite's own work (measured: about half
//! of a push's time was thread wake-ups). So bulk writes bind all their rows as one JSON array of row
//! arrays, and on SQLite a pull page comes back as one JSON array text built by the database.
//! PostgreSQL's driver has no thread hop, so there pages stay rows.
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

    /// A table source over the JSON array bound at `$1`: one row per element, named `value`, whose
    /// cells are read with `value ->> N` (text or number, SQL NULL for JSON null).
    pub fn json_rows(self) -> &'static str {
        match self {
            Self::Sqlite => "json_each($1)",
            Self::Postgres => "json_array_elements(CAST($1 AS json)) AS input(value)",
        }
    }
}
