//! Import figures: 100,000 deals from CSV and from .xlsx through the CLI's own path
//! (`yingxiao_server::import::import_file`: read the file, load the stored records, validate, apply),
//! with a plain reader of the same bytes measured in the same run beside the read (core's
//! `read_plain`: the `csv` crate into `StringRecord`s; calamine's range with every cell a string).
//!
//! A company of 13 units, 200 people and 5,000 customers is imported first, through the same call.
//! The deals are a CRM's export (its own column names and stage words, mapped as `--map`/`--values`
//! would). Read, load, validate and the dry run are the median of 3 runs; the apply runs once, each
//! format into its own copy of the same database; the CSV is then imported again (nothing changes).
//! Prints figures, asserts nothing but that the imports did what they say.
//!
//! `scripts/bench-import.sh` (the `server` profile); `YINGXIAO_BENCH_DEALS=20000` for fewer deals.

use std::{
    hint::black_box,
    path::Path,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use yingxiao_core::{
    import::{
        import_table, read_plain, read_table, ColumnMap, ImportKind, ImportOptions, RecordIndex,
        Table, ValueMap,
    },
    time::{format_instant, NaiveDate},
};
use yingxiao_server::{
    admin::{self, new_id},
    import::{import_file, ApplyMode, ImportOutcome},
    storage::{Storage, StorageArgs},
};

/// Deals imported; `YINGXIAO_BENCH_DEALS` overrides.
const DEALS: usize = 100_000;
const REGIONS: [(&str, &str); 2] = [("HD", "华东大区"), ("HN", "华南大区")];
const AREAS: [(&str, &str); 10] = [
    ("SH", "上海区域"),
    ("NJ", "南京区域"),
    ("HZ", "杭州区域"),
    ("SZ", "苏州区域"),
    ("HF", "合肥区域"),
    ("GZ", "广州区域"),
    ("SZN", "深圳区域"),
    ("FS", "佛山区域"),
    ("XM", "厦门区域"),
    ("NN", "南宁区域"),
];
/// Sales reps; with a supervisor per area and a manager per region, 200 people.
const REPS: usize = 188;
const CUSTOMERS: usize = 5_000;
const RUNS: usize = 3;

/// The export's own column names and stage words, as an administrator would map them.
const DEAL_COLUMNS: &str = "Deal ID=external_id,Deal=name,Engaged on=entered_compare";
const DEAL_VALUES: &str = "stage:Qualified=aware,stage:Engaging=compare";
const HEADERS: [&str; 10] = [
    "Deal ID",
    "Deal",
    "Customer",
    "Owner",
    "Unit",
    "Amount",
    "Stage",
    "Created",
    "Engaged on",
    "Closed",
];

/// A linear congruential generator (Knuth's MMIX constants): the same file every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// One row of the export; dates in order (created ≤ engaged ≤ closed), all before the import.
struct Deal {
    id: String,
    name: String,
    customer: String,
    owner: String,
    unit: &'static str,
    cents: u64,
    stage: &'static str,
    created: NaiveDate,
    engaged: Option<NaiveDate>,
    closed: Option<NaiveDate>,
    lost_reason: Option<&'static str>,
}

fn rep_login(rep: usize) -> String {
    format!("rep{:03}", rep + 1)
}

fn rep_area(rep: usize) -> usize {
    rep % AREAS.len()
}

/// A customer's owner: customers are dealt to the reps in turn.
fn customer_owner(customer: usize) -> usize {
    customer % REPS
}

fn customer_name(customer: usize) -> String {
    format!(
        "{}商贸有限公司{:04}",
        AREAS[rep_area(customer_owner(customer))].1,
        customer + 1
    )
}

fn deals(count: usize, prefix: &str) -> Vec<Deal> {
    let mut rng = Lcg(20_261_202);
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a day");
    let days = |from: NaiveDate, n: u64| from + chrono::Days::new(n);
    (0..count)
        .map(|i| {
            let customer = rng.below(CUSTOMERS as u64) as usize;
            let rep = customer_owner(customer);
            // A CRM's mix of its own words, our labels in both languages and our values.
            let stage = match rng.below(100) {
                0..=7 => "Qualified",
                8..=14 => "了解",
                15..=21 => "Engaging",
                22..=29 => "比较",
                30..=39 => "谈判",
                40..=47 => "Commit",
                48..=62 => "Won",
                63..=77 => "赢单",
                78..=88 => "Lost",
                _ => "输单",
            };
            let created = days(start, rng.below(600));
            let (engaged, closed, lost_reason) = match stage {
                "Engaging" | "比较" => (Some(days(created, 1 + rng.below(30))), None, None),
                "Won" | "赢单" | "Lost" | "输单" => {
                    let engaged = days(created, 1 + rng.below(30));
                    let closed = Some(days(engaged, 1 + rng.below(90)));
                    let lost = matches!(stage, "Lost" | "输单").then(|| {
                        ["Price", "价格", "Competitor", "客户无预算", "timing"]
                            [rng.below(5) as usize]
                    });
                    (Some(engaged), closed, lost)
                }
                _ => (None, None, None),
            };
            Deal {
                id: format!("{prefix}-{:06}", i + 1),
                name: format!("{}年度采购 {}", customer_name(customer), i + 1),
                // Half by the old system's id, half by name.
                customer: if i % 2 == 0 {
                    format!("C-{:05}", customer + 1)
                } else {
                    customer_name(customer)
                },
                owner: rep_login(rep),
                unit: AREAS[rep_area(rep)].0,
                cents: 100_000 + rng.below(50_000_000),
                stage,
                created,
                engaged,
                closed,
                lost_reason,
            }
        })
        .collect()
}

fn deals_csv(deals: &[Deal]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = HEADERS.to_vec();
    header.push("Lost reason");
    writer.write_record(&header).expect("in memory");
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for d in deals {
        writer
            .write_record([
                d.id.as_str(),
                &d.name,
                &d.customer,
                &d.owner,
                d.unit,
                &format!("{}.{:02}", d.cents / 100, d.cents % 100),
                d.stage,
                &d.created.to_string(),
                &date(d.engaged),
                &date(d.closed),
                d.lost_reason.unwrap_or(""),
            ])
            .expect("in memory");
    }
    writer.into_inner().expect("in memory")
}

/// The same deals as a workbook: amounts as numbers, dates as real Excel dates.
fn deals_xlsx(deals: &[Deal]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Deals").expect("a sheet name");
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let money = Format::new().set_num_format("#,##0.00");
    for (col, header) in HEADERS.iter().chain(["Lost reason"].iter()).enumerate() {
        sheet.write_string(0, col as u16, *header).expect("a cell");
    }
    let excel = |d: NaiveDate| {
        use yingxiao_core::time::Datelike;
        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).expect("a date")
    };
    for (at, d) in deals.iter().enumerate() {
        let row = at as u32 + 1;
        sheet.write_string(row, 0, &d.id).expect("a cell");
        sheet.write_string(row, 1, &d.name).expect("a cell");
        sheet.write_string(row, 2, &d.customer).expect("a cell");
        sheet.write_string(row, 3, &d.owner).expect("a cell");
        sheet.write_string(row, 4, d.unit).expect("a cell");
        sheet
            .write_number_with_format(row, 5, d.cents as f64 / 100.0, &money)
            .expect("a cell");
        sheet.write_string(row, 6, d.stage).expect("a cell");
        sheet
            .write_datetime_with_format(row, 7, excel(d.created), &day)
            .expect("a cell");
        if let Some(engaged) = d.engaged {
            sheet
                .write_datetime_with_format(row, 8, excel(engaged), &day)
                .expect("a cell");
        }
        if let Some(closed) = d.closed {
            sheet
                .write_datetime_with_format(row, 9, excel(closed), &day)
                .expect("a cell");
        }
        if let Some(reason) = d.lost_reason {
            sheet.write_string(row, 10, reason).expect("a cell");
        }
    }
    workbook.save_to_buffer().expect("a workbook")
}

fn org_units_csv() -> String {
    let mut csv = String::from("code,name,kind,parent\n");
    for (code, name) in REGIONS {
        csv.push_str(&format!("{code},{name},region,HQ\n"));
    }
    for (at, (code, name)) in AREAS.iter().enumerate() {
        csv.push_str(&format!("{code},{name},area,{}\n", REGIONS[at / 5].0));
    }
    csv
}

fn users_csv() -> String {
    let mut csv = String::from("login,name,role,unit,manager\n");
    for (at, (code, _)) in REGIONS.iter().enumerate() {
        csv.push_str(&format!(
            "manager{},大区经理{},regional_manager,{code},\n",
            at + 1,
            at + 1
        ));
    }
    for (at, (code, _)) in AREAS.iter().enumerate() {
        csv.push_str(&format!(
            "supervisor{:02},区域主管{:02},area_supervisor,{code},manager{}\n",
            at + 1,
            at + 1,
            at / 5 + 1
        ));
    }
    for rep in 0..REPS {
        let area = rep_area(rep);
        csv.push_str(&format!(
            "{},业务员{:03},sales_rep,{},supervisor{:02}\n",
            rep_login(rep),
            rep + 1,
            AREAS[area].0,
            area + 1
        ));
    }
    csv
}

fn customers_csv() -> String {
    let mut csv = String::from("external_id,name,kind,tier,region,owner,city\n");
    let kinds = ["dealer", "retail_store", "end_customer", "distributor"];
    for customer in 0..CUSTOMERS {
        let rep = customer_owner(customer);
        csv.push_str(&format!(
            "C-{:05},{},{},{},{},{},{}\n",
            customer + 1,
            customer_name(customer),
            kinds[customer % kinds.len()],
            ["A", "B", "C"][customer % 3],
            AREAS[rep_area(rep)].0,
            rep_login(rep),
            AREAS[rep_area(rep)].1.trim_end_matches("区域"),
        ));
    }
    csv
}

async fn open(data_dir: &Path) -> Storage {
    Storage::open(&StorageArgs {
        data_dir: data_dir.to_owned(),
        database_url: None,
    })
    .await
    .expect("a SQLite database")
}

/// Applies a file through the CLI's call, all rows or none, and says it did.
async fn apply(storage: &Storage, kind: ImportKind, csv: &str, columns: &str) {
    let options = ImportOptions {
        columns: ColumnMap::parse(columns).expect("a column map"),
        ..ImportOptions::new(kind, "")
    };
    let outcome = import_file(storage, csv.as_bytes(), options, ApplyMode::AllOrNothing)
        .await
        .expect("an import");
    assert!(
        outcome.applied,
        "{kind}: {:?}",
        &outcome.report.errors[..outcome.report.errors.len().min(5)]
    );
}

/// The company the deals name: units, people and customers, imported as a company would.
async fn seed_company(data_dir: &Path) {
    let storage = open(data_dir).await;
    let started = Instant::now();
    admin::ensure_company(&storage, "基准食品集团")
        .await
        .expect("the company");
    apply(&storage, ImportKind::OrgUnits, &org_units_csv(), "").await;
    apply(&storage, ImportKind::Users, &users_csv(), "").await;
    apply(&storage, ImportKind::Customers, &customers_csv(), "").await;
    println!(
        "company: {} units, {} people, {CUSTOMERS} customers imported in {:.1} s",
        1 + REGIONS.len() + AREAS.len(),
        REGIONS.len() + AREAS.len() + REPS,
        started.elapsed().as_secs_f64()
    );
    storage.close().await;
}

/// The stored records an import of deals is read against, loaded by the import's own step.
async fn load_index(storage: &Storage) -> RecordIndex {
    yingxiao_server::import::load_index(storage, ImportKind::Opportunities)
        .await
        .expect("the stored records")
}

fn deal_options() -> ImportOptions {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as u64;
    ImportOptions {
        columns: ColumnMap::parse(DEAL_COLUMNS).expect("a column map"),
        values: ValueMap::parse(DEAL_VALUES).expect("a value map"),
        ..ImportOptions::new(ImportKind::Opportunities, format_instant(now))
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// The median of `RUNS` runs.
async fn median<T, F: std::future::Future<Output = T>>(mut run: impl FnMut() -> F) -> Duration {
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        black_box(run().await);
        times.push(started.elapsed());
    }
    times.sort();
    times[RUNS / 2]
}

/// Read, load, validate and the dry run of one file against the company without deals.
struct Checked {
    read: Duration,
    plain: Duration,
    load: Duration,
    validate: Duration,
    dry_run: Duration,
}

async fn check(storage: &Storage, bytes: &[u8], plain: fn(&[u8]) -> usize) -> Checked {
    let options = deal_options();
    let table: Table = read_table(bytes, &options.read).expect("a table");
    let index = load_index(storage).await;
    let report = import_table(&table, &options, &index, new_id).expect("a report");
    assert!(
        report.errors.is_empty(),
        "{} bad rows, first {:?}",
        report.bad_lines().len(),
        &report.errors[..report.errors.len().min(5)]
    );
    Checked {
        read: median(|| async { read_table(bytes, &options.read).expect("a table") }).await,
        plain: median(|| async { plain(bytes) }).await,
        load: median(|| load_index(storage)).await,
        validate: median(|| async {
            import_table(&table, &options, &index, new_id).expect("a report")
        })
        .await,
        dry_run: median(|| async {
            import_file(storage, bytes, deal_options(), ApplyMode::DryRun)
                .await
                .expect("an import")
        })
        .await,
    }
}

/// The CLI's import, all rows or none, timed once end to end.
async fn apply_deals(storage: &Storage, bytes: &[u8]) -> (Duration, ImportOutcome) {
    let started = Instant::now();
    let outcome = import_file(storage, bytes, deal_options(), ApplyMode::AllOrNothing)
        .await
        .expect("an import");
    let took = started.elapsed();
    assert!(outcome.applied, "{:?}", &outcome.report.errors[..1]);
    (took, outcome)
}

fn print_line(label: &str, plain: &str, rows: usize, checked: &Checked, total: Duration) {
    println!(
        "{label:<27} read {:.2} s ({plain} {:.2} s)  load {:.2} s  validate {:.2} s  \
         dry run {:.2} s  apply {:.1} s ({:.0} rows/s; writing {:.1} s)",
        secs(checked.read),
        secs(checked.plain),
        secs(checked.load),
        secs(checked.validate),
        secs(checked.dry_run),
        secs(total),
        rows as f64 / secs(total),
        secs(total.saturating_sub(checked.dry_run)),
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a directory");
    for entry in std::fs::read_dir(from).expect("a directory") {
        let entry = entry.expect("an entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("a copy");
    }
}

#[tokio::main]
async fn main() {
    let count = std::env::var("YINGXIAO_BENCH_DEALS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEALS);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let base = dir.path().join("base");
    seed_company(&base).await;
    let csv = deals_csv(&deals(count, "D"));
    let xlsx = deals_xlsx(&deals(count, "D"));
    println!(
        "{count} deals: CSV {:.1} MB, .xlsx {:.1} MB; read, load, validate and dry run the median of \
         {RUNS} runs, apply once (end to end: read, load, validate, write) into a copy of the company",
        csv.len() as f64 / 1e6,
        xlsx.len() as f64 / 1e6
    );

    let storage = open(&base).await;
    let csv_checked = check(&storage, &csv, read_plain).await;
    let xlsx_checked = check(&storage, &xlsx, read_plain).await;
    storage.close().await;

    let data = dir.path().join("csv");
    copy_dir(&base, &data);
    let storage = open(&data).await;
    let (took, outcome) = apply_deals(&storage, &csv).await;
    assert_eq!(outcome.report.created, count);
    print_line(
        &format!("import {count} deals (csv):"),
        "plain csv reader",
        count,
        &csv_checked,
        took,
    );
    let (took, outcome) = apply_deals(&storage, &csv).await;
    let report = &outcome.report;
    println!(
        "{:<27} {:.1} s ({:.0} rows/s): {} created, {} updated, {} unchanged",
        "re-import same csv:",
        secs(took),
        count as f64 / secs(took),
        report.created,
        report.updated,
        report.unchanged
    );
    storage.close().await;

    let data = dir.path().join("xlsx");
    copy_dir(&base, &data);
    let storage = open(&data).await;
    let (took, outcome) = apply_deals(&storage, &xlsx).await;
    assert_eq!(outcome.report.created, count);
    print_line(
        &format!("import {count} deals (xlsx):"),
        "plain calamine",
        count,
        &xlsx_checked,
        took,
    );
    storage.close().await;
}
