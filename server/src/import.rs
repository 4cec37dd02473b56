//! `yingxiao-server import KIND FILE.csv`: runs `core`'s CSV import against the records already stored,
//! prints every bad row, and applies the file only when no row is bad (all or nothing), through the same
//! push path as every other change.

use serde_json::{Map, Value};
use sqlx::Row;
use yingxiao_core::{
    domain::Collection,
    import::{import_csv, ImportOptions, ImportReport, RecordIndex},
    sync::protocol::Intent,
    time::format_instant,
};

use crate::{
    admin::{apply_as_system, new_id, AdminError},
    auth::now_millis,
    storage::Storage,
};

/// Why an import wrote nothing, or stopped part-way (a push of a later batch failed).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file as a whole cannot be read (not UTF-8, no header, a bad `--map`).
    #[error(transparent)]
    File(#[from] yingxiao_core::import::ImportError),
    #[error(transparent)]
    Admin(#[from] AdminError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored fields: {0}")]
    StoredFields(serde_json::Error),
}

/// Collections an import file may refer to (units, people, customers, products).
const REFERENCED: [Collection; 4] = [
    Collection::OrgUnit,
    Collection::User,
    Collection::Customer,
    Collection::Product,
];

/// Most creates applied per push.
const BATCH: usize = 500;

async fn load_index(storage: &Storage) -> Result<RecordIndex, ImportError> {
    let mut index = RecordIndex::new();
    for collection in REFERENCED {
        let rows =
            sqlx::query("SELECT id, fields FROM records WHERE collection = $1 AND deleted = 0")
                .bind(collection.as_str())
                .fetch_all(&storage.pool)
                .await?;
        for row in rows {
            let id: String = row.try_get(0)?;
            let fields: Map<String, Value> = serde_json::from_str(&row.try_get::<String, _>(1)?)
                .map_err(ImportError::StoredFields)?;
            index.add(collection, &id, &fields);
        }
    }
    Ok(index)
}

/// What an import did.
pub struct ImportOutcome {
    pub report: ImportReport,
    /// True when the rows were written (not a dry run, and no row was bad).
    pub applied: bool,
}

/// Reads the file against the stored records; applies it unless `dry_run` or a row is bad.
pub async fn import_file(
    storage: &Storage,
    input: &[u8],
    mut options: ImportOptions,
    dry_run: bool,
) -> Result<ImportOutcome, ImportError> {
    options.now = format_instant(now_millis().max(0) as u64);
    let index = load_index(storage).await?;
    let report = import_csv(input, &options, &index, new_id)?;
    if dry_run || !report.errors.is_empty() {
        return Ok(ImportOutcome {
            report,
            applied: false,
        });
    }
    let intents: Vec<Intent> = report
        .valid
        .iter()
        .map(|(_, intent)| intent.clone())
        .collect();
    for chunk in intents.chunks(BATCH) {
        apply_as_system(storage, chunk.to_vec()).await?;
    }
    Ok(ImportOutcome {
        report,
        applied: true,
    })
}

/// The report as the CLI prints it: a summary, then every bad row in both languages.
pub fn render(outcome: &ImportOutcome, dry_run: bool) -> String {
    let report = &outcome.report;
    let mut out = String::new();
    for (header, field) in &report.mapped_headers {
        out.push_str(&format!("column {header:?} → {field}\n"));
    }
    for header in &report.ignored_headers {
        out.push_str(&format!("column {header:?} ignored (no field takes it)\n"));
    }
    for error in &report.errors {
        let field = error.field.as_deref().unwrap_or("-");
        let value = error
            .value
            .as_deref()
            .map(|v| format!(" {v:?}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "line {}: {field}{value}: {} / {}\n",
            error.line, error.message_en, error.message_zh
        ));
    }
    let bad_lines: std::collections::BTreeSet<u64> = report.errors.iter().map(|e| e.line).collect();
    out.push_str(&format!(
        "{} rows read, {} valid, {} bad\n",
        report.rows_read,
        report.valid.len(),
        bad_lines.len()
    ));
    out.push_str(if outcome.applied {
        "imported.\n"
    } else if dry_run {
        "dry run: nothing was written.\n"
    } else {
        "nothing was written: fix the bad rows and run the import again (it applies all rows or none).\n"
    });
    out
}
