//! `yingxiao-server import KIND FILE`: runs `core`'s import of a CSV file or an Excel sheet
//! against the records already stored, prints every bad row, and applies the file through the same
//! push path as every other change: all rows or none, or (`--apply-valid`) the good rows with the
//! bad ones written to a file to fix. Rows naming a stored record update it, so a file imported
//! twice creates nothing twice. `yingxiao-server import-org FILE.csv` does the same for an HR
//! export of people, building the units and their managers from it (core's `org_chart::people`).

use serde_json::{Map, Value};
use sqlx::Row;
use yingxiao_core::{
    import::{
        import_table, read_table, ImportKind, ImportOptions, ImportReport, RecordIndex, Table,
    },
    org_chart::people::{plan_people, read_people, Existing, FileProblem, LineProblem},
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

/// Most creates applied per push.
const BATCH: usize = 500;

/// The stored records a file of `kind` is read against (`ImportKind::reads`), as the import loads them;
/// public for the import benchmark, which times this step.
pub async fn load_index(storage: &Storage, kind: ImportKind) -> Result<RecordIndex, ImportError> {
    let mut index = RecordIndex::new();
    for collection in kind.reads() {
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

/// How an import with bad rows ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplyMode {
    /// Report every bad row and write nothing.
    DryRun,
    /// Write every row or none.
    AllOrNothing,
    /// Write the good rows; the caller writes the bad ones to a file (`refused_rows`).
    GoodRows,
}

/// What an import did.
pub struct ImportOutcome {
    /// The file as read, for writing back its refused rows.
    pub table: Table,
    pub report: ImportReport,
    /// True when the good rows were written.
    pub applied: bool,
}

/// Reads the file against the stored records and applies it as `mode` says.
pub async fn import_file(
    storage: &Storage,
    input: &[u8],
    mut options: ImportOptions,
    mode: ApplyMode,
) -> Result<ImportOutcome, ImportError> {
    options.now = format_instant(now_millis().max(0) as u64);
    let table = read_table(input, &options.read)?;
    let index = load_index(storage, options.kind).await?;
    let report = import_table(&table, &options, &index, new_id)?;
    let apply = match mode {
        ApplyMode::DryRun => false,
        ApplyMode::AllOrNothing => report.errors.is_empty(),
        ApplyMode::GoodRows => true,
    };
    if apply {
        let intents: Vec<Intent> = report
            .valid
            .iter()
            .map(|(_, intent)| intent.clone())
            .collect();
        for chunk in intents.chunks(BATCH) {
            apply_as_system(storage, chunk.to_vec()).await?;
        }
    }
    Ok(ImportOutcome {
        table,
        report,
        applied: apply,
    })
}

/// The report as the CLI prints it: the columns read, every bad row in both languages, then what
/// was (or would be) created, updated and left as it was.
pub fn render(outcome: &ImportOutcome, mode: ApplyMode) -> String {
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
    out.push_str(&format!(
        "{} rows read, {} bad; created {}, updated {}, unchanged {}\n",
        report.rows_read,
        report.bad_lines().len(),
        report.created,
        report.updated,
        report.unchanged
    ));
    out.push_str(match (outcome.applied, mode) {
        (true, _) => "imported.\n",
        (false, ApplyMode::DryRun) => "dry run: nothing was written.\n",
        (false, _) => {
            "nothing was written: fix the bad rows and run the import again (it applies all rows \
             or none; --apply-valid writes the good rows and gives back the bad ones).\n"
        }
    });
    out
}

/// What `import-org` did.
pub struct OrgOutcome {
    pub result: Result<yingxiao_core::org_chart::people::OrgPlan, Vec<LineProblem>>,
    pub applied: bool,
    /// Sign-in accounts made, with their one-time passwords written to the file.
    pub accounts: usize,
}

/// Why `import-org` stopped before reading rows.
#[derive(Debug, thiserror::Error)]
pub enum OrgImportError {
    #[error("{0}")]
    File(FileProblem),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Admin(#[from] AdminError),
    #[error("the password list {path}: {source}")]
    PasswordFile {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Auth(#[from] crate::auth::AuthError),
}

async fn existing_org(storage: &Storage) -> Result<Existing, ImportError> {
    let mut existing = Existing::default();
    let rows = sqlx::query(
        "SELECT id, collection, fields FROM records WHERE collection IN ('org_units', 'users') AND deleted = 0",
    )
    .fetch_all(&storage.pool)
    .await?;
    for row in rows {
        let id: String = row.try_get(0)?;
        let collection: String = row.try_get(1)?;
        let fields: Map<String, Value> = serde_json::from_str(&row.try_get::<String, _>(2)?)
            .map_err(ImportError::StoredFields)?;
        let text = |name: &str| {
            fields
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        if collection == "org_units" {
            existing.units.push((
                id,
                text("name"),
                text("code"),
                text("kind"),
                text("manager_id"),
            ));
        } else {
            existing
                .people
                .push((id, text("employee_no"), text("login")));
        }
    }
    // Logins of accounts whose records are gone still cannot be given again.
    let logins: Vec<String> = sqlx::query_scalar("SELECT login FROM accounts")
        .fetch_all(&storage.pool)
        .await?;
    existing.people.extend(
        logins
            .into_iter()
            .map(|login| (String::new(), String::new(), login)),
    );
    Ok(existing)
}

/// A one-time password: 14 characters without look-alikes (0/O, 1/l/I).
fn one_time_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..14)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

/// Opens the password list for the administrator only (mode 0600 on Unix), never over a file.
fn create_private(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// `import-org FILE.csv`: the HR export through core's `people` plan, all rows or none, through
/// the same push path as every change. With `accounts`, every imported person gets a sign-in
/// account with a one-time password, listed in that new file (login, name, password).
pub async fn import_org(
    storage: &Storage,
    input: &[u8],
    accounts: Option<&std::path::Path>,
    dry_run: bool,
) -> Result<OrgOutcome, OrgImportError> {
    let rows = read_people(input).map_err(OrgImportError::File)?;
    let existing = existing_org(storage).await?;
    let result = plan_people(&rows, &existing, new_id);
    let plan = match (&result, dry_run) {
        (Ok(plan), false) => plan.clone(),
        _ => {
            return Ok(OrgOutcome {
                result,
                applied: false,
                accounts: 0,
            })
        }
    };
    let password_file = accounts
        .map(|path| {
            create_private(path).map_err(|source| OrgImportError::PasswordFile {
                path: path.display().to_string(),
                source,
            })
        })
        .transpose()?;
    for chunk in plan.intents.chunks(BATCH) {
        apply_as_system(storage, chunk.to_vec()).await?;
    }
    let mut made = 0;
    if let (Some(mut file), Some(path)) = (password_file, accounts) {
        use std::io::Write;
        let write_error = |source| OrgImportError::PasswordFile {
            path: path.display().to_string(),
            source,
        };
        writeln!(file, "login,name,password").map_err(write_error)?;
        for (user_id, login, name) in &plan.people {
            let password = one_time_password();
            let hash = tokio::task::spawn_blocking(move || {
                crate::auth::hash_password(&password).map(|h| (h, password))
            })
            .await
            .map_err(|e| crate::auth::AuthError::Hashing(e.to_string()))??;
            crate::admin::insert_account(storage, user_id, login, &hash.0).await?;
            writeln!(file, "{login},{name},{}", hash.1).map_err(write_error)?;
            made += 1;
        }
        file.sync_all().map_err(write_error)?;
    }
    Ok(OrgOutcome {
        result,
        applied: true,
        accounts: made,
    })
}

/// What the CLI prints for `import-org`.
pub fn render_org(outcome: &OrgOutcome, dry_run: bool) -> String {
    let mut out = String::new();
    match &outcome.result {
        Ok(plan) => {
            out.push_str(&format!(
                "{} people, {} units new, {} units already there; {} levels, at most {} direct reports\n",
                plan.people.len(),
                plan.units_created,
                plan.units_reused,
                plan.depth,
                plan.widest_span
            ));
            if outcome.accounts > 0 {
                out.push_str(&format!(
                    "{} sign-in accounts made; their one-time passwords are in the file given\n",
                    outcome.accounts
                ));
            }
            out.push_str(if outcome.applied {
                "imported.\n"
            } else if dry_run {
                "dry run: nothing was written.\n"
            } else {
                "nothing was written.\n"
            });
        }
        Err(problems) => {
            for p in problems {
                out.push_str(&format!("line {}: {} / {}\n", p.line, p.en, p.zh));
            }
            out.push_str(&format!(
                "{} problems; nothing was written: fix the file and run the import again (it applies all rows or none).\n",
                problems.len()
            ));
        }
    }
    out
}
