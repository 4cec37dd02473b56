//! Housekeeping while the server runs: the SQLite WAL checkpointed so it stays small, sign-in
//! counters that no longer matter deleted, and attachment uploads abandoned for a week deleted; and
//! the backup command's copy of the database.

use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use crate::{attachments, auth::now_millis, sign_in_limits, storage::Storage};

/// How often the WAL is checkpointed and truncated: the WAL holds at most about this long's writes.
/// Measured by scripts/wal-burst.sh (60 s, 4 devices pushing, 8 pulling, about 1,600 rows/s): the WAL
/// stayed under 6.3 MiB; with one read transaction held 20 s it reached 92 MiB meanwhile and was
/// 4.5 MiB at the end (without this checkpoint: 143 MiB, and 16 MiB left).
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(10);
/// How often old sign-in counters and abandoned uploads are deleted.
pub const PRUNE_EVERY: Duration = Duration::from_secs(600);

/// Runs the housekeeping every `checkpoint_every` until the handle is aborted or the runtime stops.
pub fn spawn(storage: Storage, checkpoint_every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(checkpoint_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut pruned_at: Option<Instant> = None;
        loop {
            tick.tick().await;
            match storage.checkpoint().await {
                Ok(done) if done.busy => {
                    tracing::debug!(?done, "WAL checkpoint waited for readers; next time")
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "WAL checkpoint failed"),
            }
            if pruned_at.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
                pruned_at = Some(Instant::now());
                if let Err(error) = prune(&storage).await {
                    tracing::warn!(%error, "cannot delete old sign-in counters");
                }
                if let Err(error) = prune_uploads(&storage).await {
                    tracing::warn!(%error, "cannot delete abandoned uploads");
                }
            }
        }
    })
}

async fn prune(storage: &Storage) -> Result<(), sqlx::Error> {
    let mut conn = storage.writer().await?;
    let forgotten = sign_in_limits::forget_old(&mut conn, now_millis()).await?;
    if forgotten > 0 {
        tracing::debug!(forgotten, "deleted old sign-in counters");
    }
    Ok(())
}

/// Deletes uploads left incomplete for `attachments::STALE_UPLOAD_MILLIS` (a device that never came
/// back, a file no record names any more): their chunks would otherwise stay for good.
async fn prune_uploads(storage: &Storage) -> Result<u64, sqlx::Error> {
    let mut conn = storage.writer().await?;
    let forgotten = attachments::forget_stale_uploads(&mut conn, now_millis()).await?;
    if forgotten > 0 {
        tracing::debug!(forgotten, "deleted abandoned uploads");
    }
    Ok(forgotten)
}

/// Why a backup was not made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("the database is PostgreSQL: back it up with pg_dump")]
    Postgres,
    #[error("{0} exists already; choose a new file")]
    Exists(String),
    #[error("the copy failed: {0}")]
    Database(#[from] sqlx::Error),
}

/// Copies the SQLite database to a new file with `VACUUM INTO`: one consistent snapshot, taken
/// while pushes go on (they wait at most for the copy's read to start).
pub async fn backup(storage: &Storage, to: &std::path::Path) -> Result<(), BackupError> {
    if storage.kind() != yingxiao_core::health::DatabaseKind::Sqlite {
        return Err(BackupError::Postgres);
    }
    if to.exists() {
        return Err(BackupError::Exists(to.display().to_string()));
    }
    sqlx::query("VACUUM INTO $1")
        .bind(to.display().to_string())
        .execute(&storage.pool)
        .await?;
    Ok(())
}
