//! The database: embedded SQLite (WAL) under the data directory, or PostgreSQL when `DATABASE_URL` says
//! so. Both go through sqlx's `Any` driver with one set of queries (`$1` placeholders work on both).

use std::{path::Path, time::Duration};

use sqlx::{any::AnyPoolOptions, AnyPool, Executor};
use yingxiao_core::health::DatabaseKind;

use crate::config::StorageArgs;

/// File name of the embedded database inside the data directory.
pub const SQLITE_FILE: &str = "yingxiao.sqlite3";

/// The migrations in `server/migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A connection pool to whichever back end is configured.
#[derive(Clone, Debug)]
pub struct Storage {
    pub pool: AnyPool,
    kind: DatabaseKind,
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
        Ok(storage)
    }

    async fn open_sqlite(data_dir: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StorageError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let url = format!("sqlite://{}?mode=rwc", data_dir.join(SQLITE_FILE).display());
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    // WAL lets pulls read while a push writes; NORMAL is durable across crashes in WAL.
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON")
                        .await?;
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        Ok(Self {
            pool,
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
        Ok(Self {
            pool,
            kind: DatabaseKind::Postgres,
        })
    }

    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    /// A round trip to the database, for health checks.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(drop)
    }

    /// Closes every connection; called on shutdown so SQLite checkpoints its WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
