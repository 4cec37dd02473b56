//! The database: embedded SQLite (WAL) under the data directory, or PostgreSQL when `DATABASE_URL` says
//! so. Both go through sqlx's `Any` driver with one set of queries (`$1` placeholders work on both).

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use sqlx::{any::AnyPoolOptions, pool::PoolConnection, Any, AnyPool, Executor, Row};
use yingxiao_core::health::DatabaseKind;

/// Where the database lives: SQLite under the data directory unless `DATABASE_URL` names PostgreSQL.
#[derive(Clone, Debug, clap::Args)]
pub struct StorageArgs {
    /// Directory for the embedded SQLite database (`yingxiao.sqlite3`).
    #[arg(long, env = "YINGXIAO_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// A `postgres://` URL; when set, PostgreSQL is used instead of SQLite.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

/// File name of the embedded database inside the data directory.
pub const SQLITE_FILE: &str = "yingxiao.sqlite3";

/// The migrations in `server/migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Set on every SQLite connection. WAL lets pulls read while a push writes. `synchronous = FULL` syncs
/// the WAL at every commit, so a push is on disk before it is acknowledged and survives a power cut;
/// NORMAL syncs only at checkpoints, which survives `kill -9` but can lose the last pushes (never the
/// file) when the machine loses power. FULL's cost: README, "Durability". A writer from another
/// process (the admin CLI) is waited for, not answered 500; the WAL file is cut back to
/// `journal_size_limit` whenever a checkpoint empties it. Public for the benchmark's references.
pub const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
    PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 1000; \
    PRAGMA journal_size_limit = 16777216";

/// How long a SQLite write may queue for the one writer connection before the caller is told the
/// server is busy (503) rather than left waiting.
const WRITE_QUEUE_TIMEOUT: Duration = Duration::from_secs(20);

/// A connection pool to whichever back end is configured.
#[derive(Clone, Debug)]
pub struct Storage {
    pub pool: AnyPool,
    /// SQLite only: the one connection that writes. SQLite allows one writer at a time; queueing
    /// writers here costs nothing, where several connections racing for the file lock busy-wait and,
    /// under load, gave up with `database is locked`.
    writer: Option<AnyPool>,
    kind: DatabaseKind,
}

/// What a WAL checkpoint did (SQLite's `PRAGMA wal_checkpoint` answer).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checkpoint {
    /// Readers kept it from finishing; the next one catches up.
    pub busy: bool,
    /// Pages in the WAL before it was truncated, and how many of them reached the database.
    pub wal_pages: i64,
    pub checkpointed_pages: i64,
}

/// Why the database could not be opened, worded for the operator who started the server.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("DATABASE_URL must start with postgres:// or postgresql://")]
    UnsupportedUrl,
    #[error("cannot open the database: {0}")]
    Connect(#[from] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Storage {
    /// Opens the configured database, creating the SQLite file and its directory if needed, and brings
    /// its schema up to date.
    pub async fn open(args: &StorageArgs) -> Result<Self, StorageError> {
        sqlx::any::install_default_drivers();
        let storage = match args.database_url.as_deref().filter(|url| !url.is_empty()) {
            Some(url) => Self::open_postgres(url).await?,
            None => Self::open_sqlite(&args.data_dir).await?,
        };
        MIGRATOR.run(&storage.pool).await?;
        crate::fixups::run(&mut *storage.writer().await?).await?;
        Ok(storage)
    }

    async fn open_sqlite(data_dir: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StorageError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let url = format!("sqlite://{}?mode=rwc", data_dir.join(SQLITE_FILE).display());
        let options = || {
            AnyPoolOptions::new().after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(SQLITE_PRAGMAS).await?;
                    Ok(())
                })
            })
        };
        let pool = options().max_connections(8).connect(&url).await?;
        let writer = options()
            .max_connections(1)
            .acquire_timeout(WRITE_QUEUE_TIMEOUT)
            .connect(&url)
            .await?;
        Ok(Self {
            pool,
            writer: Some(writer),
            kind: DatabaseKind::Sqlite,
        })
    }

    async fn open_postgres(url: &str) -> Result<Self, StorageError> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(StorageError::UnsupportedUrl);
        }
        let pool = AnyPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        warn_unless_durable(&pool).await?;
        Ok(Self {
            pool,
            writer: None,
            kind: DatabaseKind::Postgres,
        })
    }

    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    /// A connection for a write transaction: SQLite's one writer (queued in this process), or any
    /// PostgreSQL connection (PostgreSQL orders writers by row locks).
    pub async fn writer(&self) -> Result<PoolConnection<Any>, sqlx::Error> {
        self.writer.as_ref().unwrap_or(&self.pool).acquire().await
    }

    /// SQLite: moves the WAL into the database file and truncates it to nothing. Automatic
    /// checkpoints only restart the WAL when no reader holds an old snapshot, and SQLite never shrinks
    /// the file by itself (it grew to 2.9 GB and stayed). This one waits up to 250 ms for readers,
    /// holding the writer meanwhile: a reader that takes longer (a slow report) is left alone and the
    /// next round tries again, so pushes stall at most that long. PostgreSQL: nothing to do.
    pub async fn checkpoint(&self) -> Result<Checkpoint, sqlx::Error> {
        if self.kind != DatabaseKind::Sqlite {
            return Ok(Checkpoint::default());
        }
        let mut conn = self.writer().await?;
        conn.execute("PRAGMA busy_timeout = 250").await?;
        let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *conn)
            .await;
        conn.execute("PRAGMA busy_timeout = 10000").await?;
        let row = row?;
        Ok(Checkpoint {
            busy: row.try_get::<i64, _>(0)? != 0,
            wal_pages: row.try_get(1)?,
            checkpointed_pages: row.try_get(2)?,
        })
    }

    /// A round trip to the database, for health checks.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(drop)
    }

    /// Closes every connection; called on shutdown so SQLite checkpoints its WAL.
    pub async fn close(&self) {
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
        self.pool.close().await;
    }
}

/// PostgreSQL's settings an acknowledged push relies on: with either off, a commit it confirmed can
/// be lost when PostgreSQL's machine crashes (with `fsync` off, the database too). Both are on by
/// default and the server never changes them; a cluster that turns them off (a throwaway test one)
/// gets a warning, not a refusal.
async fn warn_unless_durable(pool: &AnyPool) -> Result<(), sqlx::Error> {
    for setting in ["fsync", "synchronous_commit"] {
        let value: String = sqlx::query_scalar(&format!("SHOW {setting}"))
            .fetch_one(pool)
            .await?;
        if value == "off" {
            tracing::warn!(
                setting,
                "PostgreSQL runs with {setting} = off: pushes it acknowledged can be lost if its machine crashes"
            );
        }
    }
    Ok(())
}
