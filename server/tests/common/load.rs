//! Many devices against real server processes over loopback HTTP: the load test's driver, shared by
//! the short multi-process test (`tests/multi_server.rs`) and the load benchmark (`benches/load.rs`).
//!
//! The servers are the real binary (`serve`), one on SQLite or several on one PostgreSQL, behind a
//! round-robin TCP proxy when there are several, so one device's requests land on any of them. Each
//! device is a sales rep with an account of its own: it signs in, makes its first sync, then pushes
//! a few changes (new customers, edits of its own) and pulls to the end, with a pause between, until
//! the time is up. A few HQ devices (who see everything) pull all the while. Afterwards `check`
//! reads the database: every change each device made was applied exactly once, every client's
//! record says so, and each HQ device holds every record at its last version (no cursor skipped a
//! change committed late on another process).
#![allow(dead_code)] // the test and the benchmark use different parts

use std::{
    collections::HashMap,
    io::{BufRead, BufReader},
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::{json, Value};
use sqlx::Row;
use tokio::{
    io::copy_bidirectional,
    net::{TcpListener, TcpStream},
    task::JoinHandle,
};
use yingxiao_core::scope::Role;
use yingxiao_server::{
    admin::{self, new_id, NewUser},
    demo::{seed_demo, Day, DemoOptions, DemoSize},
    storage::{Storage, StorageArgs},
};

pub const PASSWORD: &str = "load-password-1";

/// One `yingxiao-server serve` process.
pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
}

impl ServerProcess {
    /// Starts the binary over the database `storage` names, on a port the system picks (read from
    /// the line it prints once it listens), and waits until it answers.
    pub async fn start(binary: &Path, storage: &StorageArgs, dist: &Path) -> Self {
        let mut command = Command::new(binary);
        command
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(&storage.data_dir)
            .arg("--dist")
            .arg(dist)
            // Errors only: a busy database's 503s are counted by the devices.
            .env("RUST_LOG", "error")
            .env_remove("DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(url) = &storage.database_url {
            command.env("DATABASE_URL", url);
        }
        let mut child = command.spawn().expect("the server binary starts");
        let stdout = child.stdout.take().unwrap();
        let (said, heard) = tokio::sync::oneshot::channel();
        // The rest of stdout is drained so the server never blocks on it.
        std::thread::spawn(move || {
            let mut said = Some(said);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let addr = line
                    .split_once(" is running at http://")
                    .and_then(|(_, rest)| rest.split('/').next()?.parse::<SocketAddr>().ok());
                if let (Some(addr), Some(said)) = (addr, said.take()) {
                    let _ = said.send(addr);
                }
            }
        });
        let addr = tokio::time::timeout(Duration::from_secs(60), heard)
            .await
            .expect("the server said where it listens within 60 s")
            .expect("the server printed its address");
        let server = Self { child, addr };
        let health = format!("http://{addr}/api/v1/health");
        let client = reqwest::Client::new();
        for _ in 0..600 {
            if client
                .get(&health)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server on {addr} did not answer its health check in 30 s");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP proxy that hands each new connection to the next backend in turn, as a load balancer does.
pub struct Proxy {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Proxy {
    pub async fn start(backends: Vec<SocketAddr>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let mut next = 0;
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    continue;
                };
                let backend = backends[next % backends.len()];
                next += 1;
                tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(backend).await {
                        let _ = copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Self { addr, task }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An empty web app for `serve --dist`: the load is the API's.
pub fn empty_dist(dir: &Path) -> PathBuf {
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        r#"<html><head><base href="/" /></head></html>"#,
    )
    .unwrap();
    dist
}

/// The small demo company and `reps` + `observers` accounts of their own (reps at the company unit,
/// observers in HQ marketing), written before any server starts. Returns the logins.
pub async fn prepare(
    storage: &Storage,
    reps: usize,
    observers: usize,
) -> (Vec<String>, Vec<String>) {
    seed_demo(
        storage,
        &DemoOptions {
            size: DemoSize::SMALL,
            seed: 9,
            as_of: Day::parse("2026-03-15").unwrap(),
            if_empty: false,
        },
    )
    .await
    .unwrap();
    let mut made = (Vec::new(), Vec::new());
    for (count, role, prefix, list) in [
        (reps, Role::SalesRep, "load_rep", &mut made.0),
        (observers, Role::HqMarketing, "load_hq", &mut made.1),
    ] {
        for i in 0..count {
            let login = format!("{prefix}{i}");
            admin::add_user(
                storage,
                NewUser {
                    login: &login,
                    name: &login,
                    role,
                    unit: None,
                    password: PASSWORD,
                },
            )
            .await
            .unwrap();
            list.push(login);
        }
    }
    made
}

/// Request timings by kind, for the report.
#[derive(Default)]
pub struct Timings {
    by_kind: Mutex<HashMap<&'static str, Vec<Duration>>>,
}

impl Timings {
    fn record(&self, kind: &'static str, took: Duration) {
        self.by_kind
            .lock()
            .unwrap()
            .entry(kind)
            .or_default()
            .push(took);
    }

    /// `kind: n requests, p50 … ms, p99 … ms` for each kind, sorted by name.
    pub fn summary(&self) -> Vec<(String, usize, f64, f64)> {
        let by_kind = self.by_kind.lock().unwrap();
        let mut lines: Vec<_> = by_kind
            .iter()
            .map(|(kind, took)| {
                let mut took = took.clone();
                took.sort();
                let at = |q: f64| {
                    let i = ((took.len() as f64 * q).ceil() as usize).clamp(1, took.len()) - 1;
                    took[i].as_secs_f64() * 1000.0
                };
                ((*kind).to_owned(), took.len(), at(0.50), at(0.99))
            })
            .collect();
        lines.sort_by(|a, b| a.0.cmp(&b.0));
        lines
    }

    pub fn count(&self, kind: &str) -> usize {
        self.by_kind.lock().unwrap().get(kind).map_or(0, Vec::len)
    }
}

/// One simulated device of one account.
pub struct Device {
    pub login: String,
    pub user_id: String,
    unit_id: String,
    token: String,
    pub client_id: String,
    next_id: u64,
    cursor: Option<String>,
    processed: u64,
    /// Its customers (made by it), to edit.
    customers: Vec<String>,
    /// Every record it holds, at the version it holds.
    pub versions: HashMap<(String, String), i64>,
    rng: u64,
}

fn stamp(millis: u64, counter: u64, client: &str) -> String {
    format!("{millis:015}-{counter:05}-{client}")
}

fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

impl Device {
    pub async fn sign_in(http: &reqwest::Client, base: &str, login: &str, seed: u64) -> Self {
        let reply: Value = http
            .post(format!("{base}api/v1/auth/login"))
            .json(&json!({"login": login, "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        Self {
            login: login.to_owned(),
            user_id: reply["user"]["user_id"].as_str().unwrap().to_owned(),
            unit_id: reply["user"]["unit_id"].as_str().unwrap().to_owned(),
            token: reply["token"].as_str().unwrap().to_owned(),
            client_id: new_id(),
            next_id: 1,
            cursor: None,
            processed: 0,
            customers: Vec::new(),
            versions: HashMap::new(),
            rng: seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1,
        }
    }

    fn random(&mut self, below: u64) -> u64 {
        // xorshift64: enough to spread pauses and choices.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng % below.max(1)
    }

    /// The mutations this device has made.
    pub fn made(&self) -> u64 {
        self.next_id - 1
    }

    /// Posts to the sync endpoint and records how long the answer took under `kind`. A 503 (the
    /// server's database is busy) is counted and, as the app does, tried again after the pause the
    /// server asks for with jitter; any other refusal is an error.
    async fn post(
        &mut self,
        http: &reqwest::Client,
        base: &str,
        path: &str,
        body: Value,
        timings: &Timings,
        kind: &'static str,
    ) -> Result<Value, String> {
        for _ in 0..20 {
            let started = Instant::now();
            let response = http
                .post(format!("{base}api/v1/sync/{path}"))
                .bearer_auth(&self.token)
                .json(&body)
                .send()
                .await
                .map_err(|e| format!("{path}: {e}"))?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                .unwrap_or(2);
            let answer: Value = response.json().await.map_err(|e| format!("{path}: {e}"))?;
            if status == reqwest::StatusCode::SERVICE_UNAVAILABLE {
                timings.record("busy (503, tried again)", started.elapsed());
                let wait = retry_after * 500 + self.random(retry_after * 1000 + 1);
                tokio::time::sleep(Duration::from_millis(wait)).await;
                continue;
            }
            if !status.is_success() {
                return Err(format!("{path}: {status} {answer}"));
            }
            timings.record(kind, started.elapsed());
            return Ok(answer);
        }
        Err(format!("{path}: still busy after 20 tries"))
    }

    /// Pulls to the end, as the app does; `kind` names the requests in the timings.
    pub async fn pull_to_end(
        &mut self,
        http: &reqwest::Client,
        base: &str,
        timings: &Timings,
        kind: &'static str,
    ) -> Result<(), String> {
        loop {
            let body = json!({"client_id": self.client_id, "cursor": self.cursor, "limit": 2000,
                "last_mutation_id": self.processed});
            let page = self.post(http, base, "pull", body, timings, kind).await?;
            if page["rewound"] == true || page["reset"] == true {
                return Err(format!("{}: the server answered {page}", self.login));
            }
            for record in page["records"].as_array().unwrap() {
                let key = (
                    record["collection"].as_str().unwrap().to_owned(),
                    record["id"].as_str().unwrap().to_owned(),
                );
                self.versions
                    .insert(key, record["version"].as_i64().unwrap());
            }
            for gone in page["deleted"]
                .as_array()
                .unwrap()
                .iter()
                .chain(page["removed"].as_array().unwrap())
            {
                self.versions.remove(&(
                    gone["collection"].as_str().unwrap().to_owned(),
                    gone["id"].as_str().unwrap().to_owned(),
                ));
            }
            self.processed = self
                .processed
                .max(page["last_mutation_id"].as_u64().unwrap());
            self.cursor = Some(page["cursor"].as_str().unwrap().to_owned());
            if page["has_more"] == false {
                return Ok(());
            }
        }
    }

    /// Pushes a few changes: a new customer now and then, else edits of its own.
    pub async fn push_some(
        &mut self,
        http: &reqwest::Client,
        base: &str,
        timings: &Timings,
    ) -> Result<(), String> {
        let count = 1 + self.random(5);
        let millis = now_millis();
        let mut mutations = Vec::new();
        for i in 0..count {
            let id = self.next_id + i;
            let hlc = stamp(millis, i, &self.client_id);
            let mutation = if self.customers.is_empty() || self.random(4) == 0 {
                let customer = new_id();
                self.customers.push(customer.clone());
                json!({"id": id, "hlc": hlc, "name": "create", "args": {"collection": "customers",
                    "id": customer, "fields": {"name": format!("{} 客户 {id}", self.login),
                    "kind": "dealer", "owner_id": self.user_id, "region_unit_id": self.unit_id}}})
            } else {
                let which = self.random(self.customers.len() as u64) as usize;
                let customer = &self.customers[which];
                json!({"id": id, "hlc": hlc, "name": "set_fields", "args": {"collection": "customers",
                    "id": customer, "fields": {"notes": format!("第 {id} 次拜访后更新")}}})
            };
            mutations.push(mutation);
        }
        let body = json!({"client_id": self.client_id, "mutations": mutations});
        let reply = self.post(http, base, "push", body, timings, "push").await?;
        for outcome in reply["outcomes"].as_array().unwrap() {
            if outcome["outcome"] != "applied" {
                return Err(format!("{}: {outcome}", self.login));
            }
        }
        self.next_id += count;
        self.processed = self
            .processed
            .max(reply["last_mutation_id"].as_u64().unwrap());
        Ok(())
    }
}

/// How the fleet behaves.
pub struct Plan {
    pub reps: Vec<String>,
    pub observers: Vec<String>,
    /// How long the steady phase lasts after every first sync.
    pub steady: Duration,
    /// The mean pause of a rep between syncs (uniform in 0..2×).
    pub pause: Duration,
}

/// What the run measured.
pub struct Outcome {
    pub devices: Vec<Device>,
    pub observers: Vec<Device>,
    pub timings: Arc<Timings>,
    pub first_sync: Duration,
    pub steady: Duration,
}

/// Signs every device in, makes their first syncs together, then runs the steady phase; then every
/// device pulls to the end once more.
pub async fn run(base: &str, plan: &Plan) -> Result<Outcome, String> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let timings = Arc::new(Timings::default());
    let mut devices = Vec::new();
    for (i, login) in plan.reps.iter().enumerate() {
        devices.push(Device::sign_in(&http, base, login, i as u64 + 1).await);
    }
    let mut observers = Vec::new();
    for (i, login) in plan.observers.iter().enumerate() {
        observers.push(Device::sign_in(&http, base, login, 10_000 + i as u64).await);
    }

    // The first syncs of everyone at once (9 a.m.).
    let started = Instant::now();
    let devices = join_all(devices, |mut device| {
        let (http, base, timings) = (http.clone(), base.to_owned(), timings.clone());
        async move {
            device
                .pull_to_end(&http, &base, &timings, "first sync page")
                .await?;
            Ok(device)
        }
    })
    .await?;
    let first_sync = started.elapsed();

    let started = Instant::now();
    let until = started + plan.steady;
    let pause = plan.pause;
    let reps = join_all(devices, |mut device| {
        let (http, base, timings) = (http.clone(), base.to_owned(), timings.clone());
        async move {
            while Instant::now() < until {
                let wait = device.random(2 * pause.as_millis() as u64 + 1);
                tokio::time::sleep(Duration::from_millis(wait)).await;
                device.push_some(&http, &base, &timings).await?;
                device.pull_to_end(&http, &base, &timings, "pull").await?;
            }
            Ok(device)
        }
    });
    let watchers = join_all(observers, |mut device| {
        let (http, base, timings) = (http.clone(), base.to_owned(), timings.clone());
        async move {
            device
                .pull_to_end(&http, &base, &timings, "first sync page")
                .await?;
            while Instant::now() < until {
                tokio::time::sleep(Duration::from_millis(device.random(200))).await;
                device
                    .pull_to_end(&http, &base, &timings, "observer pull")
                    .await?;
            }
            Ok(device)
        }
    });
    let (devices, observers) = tokio::join!(reps, watchers);
    let (devices, observers) = (devices?, observers?);
    let steady = started.elapsed();

    // Everyone catches up once more after the last change.
    let devices = catch_up(devices, &http, base, &timings).await?;
    let observers = catch_up(observers, &http, base, &timings).await?;
    Ok(Outcome {
        devices,
        observers,
        timings,
        first_sync,
        steady,
    })
}

async fn catch_up(
    devices: Vec<Device>,
    http: &reqwest::Client,
    base: &str,
    timings: &Arc<Timings>,
) -> Result<Vec<Device>, String> {
    join_all(devices, |mut device| {
        let (http, base, timings) = (http.clone(), base.to_owned(), timings.clone());
        async move {
            device.pull_to_end(&http, &base, &timings, "pull").await?;
            Ok(device)
        }
    })
    .await
}

/// Runs `work` for every device at once, each on a task of its own; the devices back, in order.
async fn join_all<F, Fut>(devices: Vec<Device>, work: F) -> Result<Vec<Device>, String>
where
    F: Fn(Device) -> Fut,
    Fut: std::future::Future<Output = Result<Device, String>> + Send + 'static,
{
    let tasks: Vec<_> = devices
        .into_iter()
        .map(|device| tokio::spawn(work(device)))
        .collect();
    let mut done = Vec::with_capacity(tasks.len());
    for task in tasks {
        done.push(task.await.map_err(|e| e.to_string())??);
    }
    Ok(done)
}

/// Reads the database after the run: each device's changes applied exactly once and its client
/// record at its last change; each observer holding every record at its stored version.
pub async fn check(storage: &Storage, outcome: &Outcome) -> Result<(), String> {
    let rows = sqlx::query(
        "SELECT c.client_id, c.last_mutation_id, COUNT(m.mutation_id), MAX(m.mutation_id),
                SUM(CASE WHEN m.outcome = 'applied' THEN 1 ELSE 0 END)
         FROM clients c JOIN mutations m ON m.client_id = c.client_id
         GROUP BY c.client_id, c.last_mutation_id",
    )
    .fetch_all(&storage.pool)
    .await
    .map_err(|e| e.to_string())?;
    let mut clients: HashMap<String, (i64, i64, i64, i64)> = HashMap::new();
    for row in rows {
        clients.insert(row.get(0), (row.get(1), row.get(2), row.get(3), row.get(4)));
    }
    for device in &outcome.devices {
        let made = device.made() as i64;
        let stored = clients.get(&device.client_id).copied().unwrap_or_default();
        if stored != (made, made, made, made) {
            return Err(format!(
                "{} made {made} changes; the server has (last id, rows, highest id, applied) {stored:?}",
                device.login
            ));
        }
    }
    let records = sqlx::query("SELECT collection, id, version FROM records WHERE deleted = 0")
        .fetch_all(&storage.pool)
        .await
        .map_err(|e| e.to_string())?;
    let stored: HashMap<(String, String), i64> = records
        .into_iter()
        .map(|row| ((row.get(0), row.get(1)), row.get(2)))
        .collect();
    for observer in &outcome.observers {
        if observer.versions != stored {
            let behind = stored
                .iter()
                .filter(|(key, version)| observer.versions.get(*key) != Some(version))
                .count();
            return Err(format!(
                "{} holds {} records, the database {}; {behind} differ: a cursor skipped a change",
                observer.login,
                observer.versions.len(),
                stored.len()
            ));
        }
    }
    Ok(())
}
