//! What keeps `agentctl serve` answering under load and hostile clients: a cap on open
//! connections (the next client waits in the kernel's backlog instead of the server spinning),
//! a connection that reads nothing for [`IDLE`] is closed (a live HTTP/2 client answers the
//! server's keepalive pings well within it; a raw socket or a client that sent only the
//! preface does not), and an oversized message is RESOURCE_EXHAUSTED, as gRPC names it.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};
use tonic::transport::server::{Connected, TcpConnectInfo};

/// How many connections may be open at once, and how long one may read nothing.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    /// Well above the 30 s keepalive interval, which a live client answers.
    pub idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 1024,
            idle: Duration::from_secs(90),
        }
    }
}

/// A connection that holds its place under the cap and closes when idle too long.
pub struct Limited {
    stream: TcpStream,
    idle_for: Duration,
    idle: Pin<Box<Sleep>>,
    _permit: OwnedSemaphorePermit,
}

impl AsyncRead for Limited {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.stream).poll_read(cx, buf) {
            Poll::Ready(r) => {
                if buf.filled().len() > before {
                    let next = Instant::now() + self.idle_for;
                    self.idle.as_mut().reset(next);
                }
                Poll::Ready(r)
            }
            Poll::Pending => match self.idle.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the connection read nothing for too long",
                ))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl AsyncWrite for Limited {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

impl Connected for Limited {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.stream.connect_info()
    }
}

/// Accepted connections, at most `limits.max_connections` open at once. Beyond the cap the listener is not
/// polled, so clients queue in the kernel's backlog instead of the server spinning.
pub fn incoming(
    listener: TcpListener,
    limits: Limits,
) -> impl tokio_stream::Stream<Item = io::Result<Limited>> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        loop {
            let Ok(permit) = slots.clone().acquire_owned().await else {
                return;
            };
            let accepted = listener.accept().await.map(|(stream, _)| {
                // small gRPC frames must not wait for Nagle and delayed ACKs (a 40 ms tail)
                let _ = stream.set_nodelay(true);
                Limited {
                    stream,
                    idle_for: limits.idle,
                    idle: Box::pin(tokio::time::sleep(limits.idle)),
                    _permit: permit,
                }
            });
            // the server has stopped taking connections
            if tx.send(accepted).await.is_err() {
                return;
            }
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}

/// A message over the size limit is RESOURCE_EXHAUSTED, as gRPC's spec and grpcio name it;
/// tonic's decoder says OUT_OF_RANGE. Its answer is trailers-only, so the status is a header.
pub fn resource_exhausted(
    mut r: http::Response<tonic::body::Body>,
) -> http::Response<tonic::body::Body> {
    let h = r.headers();
    let too_large = h.get("grpc-status").is_some_and(|v| v == "11")
        && h.get("grpc-message")
            .and_then(|m| m.to_str().ok())
            .is_some_and(|m| {
                m.contains("message%20length%20too%20large")
                    || m.contains("message length too large")
            });
    if too_large {
        r.headers_mut()
            .insert("grpc-status", http::HeaderValue::from_static("8"));
    }
    r
}
