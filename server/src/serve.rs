//! Serving the router on a socket: HTTP/1.1 through hyper with the limits `axum::serve` lacks — a
//! deadline for the request head (which also closes idle keep-alive connections), one for the body, a
//! limit on stalled writes, and a cap on open connections past which new ones get a quick 503 — so
//! slow or half-sent requests cannot use up the process's open files.

use std::{
    error::Error as StdError,
    future::Future,
    io,
    net::SocketAddr,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::{Duration, Instant},
};

use axum::{
    body::{Body, Bytes},
    extract::ConnectInfo,
    http::Request,
    Router,
};
use http_body::{Frame, SizeHint};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf},
    net::{TcpListener, TcpSocket, TcpStream},
    sync::{watch, Semaphore},
    time::Sleep,
};
use tower::ServiceExt;

type BoxError = Box<dyn StdError + Send + Sync>;

/// The limits of `serve`; `main` takes them from the command line.
#[derive(Clone, Copy, Debug)]
pub struct ServeOptions {
    /// A new, half-sent or idle keep-alive connection must deliver a complete request head within
    /// this, or it is closed.
    pub header_timeout: Duration,
    /// A request body must arrive within this of its head (408 otherwise), and a response write may
    /// make no progress for at most this long.
    pub body_timeout: Duration,
    /// Open connections at most; past it new connections are answered 503 and closed at once.
    pub max_connections: usize,
    /// How long shutdown waits for open connections to finish their requests.
    pub shutdown_grace: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 2048,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Connections the kernel queues for `accept` (capped by `net.core.somaxconn`). The usual 128 overflows
/// in a burst of new connections, and every overflow costs its client a 1 s SYN retransmission.
const LISTEN_BACKLOG: u32 = 4096;

/// Listens on `addr` with a backlog that absorbs bursts of new connections.
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Over-cap connections answered at once; past this many they are closed without an answer, so
/// refusing costs nothing either.
const REFUSING_AT_ONCE: usize = 64;
/// How long a refused connection is kept to read what its client already sent: closing a socket
/// with unread bytes resets it, and the client could lose the 503 before reading it.
const REFUSE_LINGER: Duration = Duration::from_secs(1);

/// Serves `router` on `listener` until `shutdown` resolves, then lets open requests finish (up to
/// `shutdown_grace`). Requests carry `ConnectInfo<SocketAddr>` of their peer.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(options.max_connections));
    let refusing = Arc::new(Semaphore::new(REFUSING_AT_ONCE));
    let busy: Arc<[u8]> = busy_response().into();
    let (stop, stopping) = watch::channel(false);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(options.header_timeout)
        .keep_alive(true);
    let mut last_cap_warning: Option<Instant> = None;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    if !is_connection_error(&error) {
                        // Out of open files or memory: wait rather than spin; connections close meanwhile.
                        tracing::error!(%error, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    continue;
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            if last_cap_warning.is_none_or(|at| at.elapsed() > Duration::from_secs(10)) {
                tracing::warn!(
                    max_connections = options.max_connections,
                    "connection cap reached; answering new connections 503"
                );
                last_cap_warning = Some(Instant::now());
            }
            if let Ok(permit) = refusing.clone().try_acquire_owned() {
                let busy = busy.clone();
                tokio::spawn(async move {
                    refuse(stream, &busy).await;
                    drop(permit);
                });
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let http = http.clone();
        let mut stopping = stopping.clone();
        let body_timeout = options.body_timeout;
        tokio::spawn(async move {
            let _slot = slot;
            let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                let request = request.map(|body| deadline_body(body, body_timeout));
                router.clone().oneshot(request)
            });
            let io = TokioIo::new(WriteStallLimit::new(stream, body_timeout));
            let connection = http.serve_connection(io, service);
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                // The value changes once, false to true, when shutdown starts.
                _ = stopping.changed() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = result {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let all = u32::try_from(options.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(options.shutdown_grace, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!(
            open = options.max_connections - slots.available_permits(),
            "connections still open after the shutdown grace period; closing them"
        );
    }
    Ok(())
}

fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// The answer to a connection over the cap: the API's JSON error shape, and the connection closed.
fn busy_response() -> Vec<u8> {
    let body = r#"{"error":{"code":"unavailable","message":"the server has too many open connections; try again in a moment"}}"#;
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\
         x-content-type-options: nosniff\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

async fn refuse(mut stream: TcpStream, busy: &[u8]) {
    let _ = tokio::time::timeout(REFUSE_LINGER, async {
        stream.write_all(busy).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, io::Error>(())
    })
    .await;
}

/// A request body that must be complete within `timeout`; one with nothing to read is left as it is.
fn deadline_body(body: Incoming, timeout: Duration) -> Body {
    if http_body::Body::is_end_stream(&body) {
        return Body::new(body);
    }
    Body::new(DeadlineBody {
        inner: body,
        deadline: tokio::time::sleep(timeout),
    })
}

/// The error a body reports when its deadline passes; the HTTP layer answers it with a 408.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct BodyTimedOut;

/// Whether an error (a JSON rejection, a body error) was caused by `BodyTimedOut`.
pub fn is_body_timeout(error: &(dyn StdError + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(error) = next {
        if error.is::<BodyTimedOut>() {
            return true;
        }
        next = error.source();
    }
    false
}

pin_project_lite::pin_project! {
    struct DeadlineBody<B> {
        #[pin]
        inner: B,
        #[pin]
        deadline: Sleep,
    }
}

impl<B> http_body::Body for DeadlineBody<B>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.project();
        if let Poll::Ready(frame) = this.inner.poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        match this.deadline.poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimedOut)))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

pin_project_lite::pin_project! {
    /// A connection whose writes fail once the peer has taken no bytes for `limit`: a client that
    /// stops reading its answer would otherwise hold its connection for ever.
    struct WriteStallLimit<IO> {
        #[pin]
        io: IO,
        limit: Duration,
        stalled_since: Option<Pin<Box<Sleep>>>,
    }
}

impl<IO> WriteStallLimit<IO> {
    fn new(io: IO, limit: Duration) -> Self {
        Self {
            io,
            limit,
            stalled_since: None,
        }
    }
}

/// Passes a write's result on, timing how long it has been `Pending`.
fn watch_stall<T>(
    result: Poll<io::Result<T>>,
    stalled: &mut Option<Pin<Box<Sleep>>>,
    limit: Duration,
    cx: &mut Context<'_>,
) -> Poll<io::Result<T>> {
    if result.is_ready() {
        *stalled = None;
        return result;
    }
    let timer = stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
    match timer.as_mut().poll(cx) {
        Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the client took no response bytes for too long",
        ))),
        Poll::Pending => Poll::Pending,
    }
}

impl<IO: AsyncRead> AsyncRead for WriteStallLimit<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.project().io.poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite> AsyncWrite for WriteStallLimit<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let result = this.io.poll_write(cx, buf);
        watch_stall(result, this.stalled_since, *this.limit, cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let result = this.io.poll_write_vectored(cx, bufs);
        watch_stall(result, this.stalled_since, *this.limit, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.project();
        let result = this.io.poll_flush(cx);
        watch_stall(result, this.stalled_since, *this.limit, cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().io.poll_shutdown(cx)
    }
}

/// Raises this process's soft limit of open files to its hard limit (often 1,024 against 500,000+),
/// so the connection cap, not the kernel, decides when connections are refused. Returns the limit
/// now in force, if it can be read.
pub fn raise_open_file_limit() -> Option<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    if let Some(hard) = limit.maximum {
        if limit.current.is_some_and(|soft| soft < hard) {
            limit.current = Some(hard);
            if let Err(error) = setrlimit(Resource::Nofile, limit) {
                tracing::warn!(%error, "cannot raise the open-file limit");
            }
        }
    }
    getrlimit(Resource::Nofile).current
}
