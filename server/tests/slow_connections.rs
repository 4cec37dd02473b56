//! The real `serve` on a loopback socket, with short limits: half-sent, idle and slow connections are
//! closed by the server, connections over the cap get a quick 503, and `GET /api/v1/health` answers
//! throughout. Nothing here asserts how fast; latencies are printed (`--nocapture`) for the record.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::oneshot,
    task::JoinSet,
};
use yingxiao_core::base_path::BasePath;
use yingxiao_server::{
    app,
    http::WebApp,
    serve::{bind, raise_open_file_limit, serve, ServeOptions},
    storage::{Storage, StorageArgs},
    AppState,
};

/// Only a guard against a hung test: every close asserted here is expected within a few seconds.
const GIVE_UP: Duration = Duration::from_secs(60);
const HALF_SENT: &[u8] = b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow";
const HEALTH: &[u8] =
    b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

struct Server {
    _dir: tempfile::TempDir,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    running: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(options: ServeOptions) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let dist = dir.path().join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("index.html"), r#"<head><base href="/" /></head>"#).unwrap();
        let storage = Storage::open(&StorageArgs {
            data_dir: dir.path().join("data"),
            database_url: None,
        })
        .await
        .unwrap();
        let router = app(AppState::new(
            storage,
            WebApp::load(&dist, BasePath::root()).unwrap(),
        ));
        let listener = bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let running = tokio::spawn(serve(listener, router, options, async {
            let _ = stopped.await;
        }));
        Self {
            _dir: dir,
            addr,
            stop: Some(stop),
            running,
        }
    }
}

fn options(timeout: Duration, max_connections: usize) -> ServeOptions {
    ServeOptions {
        header_timeout: timeout,
        body_timeout: timeout,
        max_connections,
        shutdown_grace: Duration::from_secs(10),
    }
}

/// Everything the server sends until it closes the connection; an error if it resets it instead.
async fn read_until_closed(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut answer = Vec::new();
    tokio::time::timeout(GIVE_UP, stream.read_to_end(&mut answer))
        .await
        .map_err(|_| std::io::Error::other("the server kept the connection open"))??;
    Ok(answer)
}

fn status_of(answer: &[u8]) -> u16 {
    let text = String::from_utf8_lossy(answer);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// `GET /api/v1/health` on a new connection: its status and how long the whole exchange took.
async fn health(addr: SocketAddr) -> (u16, Duration) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(HEALTH).await.unwrap();
    let answer = read_until_closed(&mut stream).await.unwrap();
    (status_of(&answer), started.elapsed())
}

async fn half_sent(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(HALF_SENT).await.unwrap();
    stream
}

fn print_latencies(what: &str, mut latencies: Vec<Duration>) {
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    eprintln!(
        "{what}: {} health checks, min {:.1} ms, median {:.1} ms, max {:.1} ms",
        latencies.len(),
        ms(latencies[0]),
        ms(latencies[latencies.len() / 2]),
        ms(latencies[latencies.len() - 1]),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_are_closed_after_the_header_timeout_while_health_answers() {
    const WANTED: usize = 5_000;
    // Both ends of every connection are in this process: two descriptors each, and 512 to spare.
    let limit = raise_open_file_limit().unwrap_or(1024);
    let count = WANTED.min((limit.saturating_sub(512) / 2) as usize);
    if count < WANTED {
        eprintln!(
            "note: open-file limit {limit}: {count} half-sent connections instead of {WANTED}"
        );
    }
    let server = Server::start(options(Duration::from_secs(2), count + 64)).await;
    let addr = server.addr;

    let opened = Instant::now();
    let mut attackers = Vec::with_capacity(count);
    let mut latencies = Vec::new();
    let mut opening = JoinSet::new();
    for batch in 0..count.div_ceil(250) {
        for _ in (batch * 250)..count.min((batch + 1) * 250) {
            opening.spawn(half_sent(addr));
        }
        while let Some(stream) = opening.join_next().await {
            attackers.push(stream.unwrap());
        }
        let (status, took) = health(addr).await;
        assert_eq!(
            status,
            200,
            "health answered {status} with {} half-sent",
            attackers.len()
        );
        latencies.push(took);
    }
    for _ in 0..20 {
        let (status, took) = health(addr).await;
        assert_eq!(status, 200);
        latencies.push(took);
    }
    eprintln!(
        "opened {count} half-sent connections in {:.1} s",
        opened.elapsed().as_secs_f64()
    );
    print_latencies(&format!("under {count} half-sent requests"), latencies);

    let started = Instant::now();
    let mut closing = JoinSet::new();
    for mut stream in attackers {
        closing.spawn(async move { read_until_closed(&mut stream).await });
    }
    let mut closed = 0;
    while let Some(answer) = closing.join_next().await {
        answer
            .unwrap()
            .expect("the server closes a half-sent connection (EOF, not a reset)");
        closed += 1;
    }
    assert_eq!(closed, count);
    eprintln!(
        "all {count} half-sent connections closed by the server {:.1} s after the last was opened",
        started.elapsed().as_secs_f64()
    );
    let (status, _) = health(addr).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn connections_over_the_cap_get_a_503_at_once_and_the_cap_frees_up_again() {
    // 3 s: the eight must still be open when the ninth arrives, however busy the machine is.
    let server = Server::start(options(Duration::from_secs(3), 8)).await;
    let mut holding = Vec::new();
    for _ in 0..8 {
        holding.push(half_sent(server.addr).await);
    }
    let started = Instant::now();
    let mut over = TcpStream::connect(server.addr).await.unwrap();
    over.write_all(HEALTH).await.unwrap();
    let answer = read_until_closed(&mut over).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    assert_eq!(status_of(&answer), 503, "{text}");
    assert!(text.contains("retry-after: 1"), "{text}");
    assert!(text.contains(r#""code":"unavailable""#), "{text}");
    eprintln!(
        "over the cap: 503 in {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );

    for mut stream in holding {
        read_until_closed(&mut stream).await.unwrap();
    }
    // A slot is freed when its connection's task ends, a moment after the client sees it close.
    let mut status = 0;
    for _ in 0..100 {
        status = health(server.addr).await.0;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_answered_408_and_the_connection_closed() {
    let server = Server::start(options(Duration::from_secs(1), 64)).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n\
              Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"login\":",
        )
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    assert_eq!(status_of(&answer), 408, "{text}");
    assert!(text.contains(r#""code":"request_timeout""#), "{text}");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let server = Server::start(options(Duration::from_secs(1), 64)).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream).await.unwrap();
    assert_eq!(status_of(&answer), 200);
    assert!(String::from_utf8_lossy(&answer).contains("\"status\":\"ok\""));
}

#[tokio::test]
async fn shutdown_closes_idle_connections_and_stops_listening() {
    let mut server = Server::start(options(Duration::from_secs(30), 64)).await;
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    idle.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");

    server.stop.take().unwrap().send(()).unwrap();
    tokio::time::timeout(GIVE_UP, &mut server.running)
        .await
        .expect("serve returns once its connections are closed")
        .unwrap()
        .unwrap();
    read_until_closed(&mut idle).await.unwrap();
    assert!(TcpStream::connect(server.addr).await.is_err());
}
