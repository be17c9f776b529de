//! url-fetch in async Rust on Tokio with hyper's HTTP/1.1 client: C tasks,
//! each fetching the next item; hyper's pool keeps the connections alive.
//! Each request, connect to last body byte, runs under tokio::time::timeout;
//! the status and length are checked before the body is read, and no more
//! than the contract's size of it is taken.

use super::{Book, Fault, Params};
use crate::contract::fnv1a;
use hyper::client::HttpConnector;
use hyper::body::HttpBody;
use hyper::service::Service;
use hyper::{Body, Client, Request, StatusCode, Uri};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

/// hyper's connector, counting the connections it opens.
#[derive(Clone)]
struct Counting {
    inner: HttpConnector,
    book: Arc<Book>,
}

type Connected = <HttpConnector as Service<Uri>>::Response;
type ConnectError = <HttpConnector as Service<Uri>>::Error;

impl Service<Uri> for Counting {
    type Response = Connected;
    type Error = ConnectError;
    type Future = Pin<Box<dyn Future<Output = Result<Connected, ConnectError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ConnectError>> {
        self.inner.poll_ready(cx)
    }
    fn call(&mut self, uri: Uri) -> Self::Future {
        self.book.connections.fetch_add(1, Relaxed);
        Box::pin(self.inner.call(uri))
    }
}

fn fault_of(error: &hyper::Error) -> Fault {
    if error.is_connect() {
        Fault::Connect
    } else if error.is_incomplete_message() || error.is_closed() || error.is_canceled() {
        Fault::ShortBody
    } else if error.is_timeout() {
        Fault::Timeout
    } else {
        Fault::Protocol
    }
}

// [fetch] one GET: the body's (checksum, bytes), or its fault
async fn fetch(client: &Client<Counting>, p: &Params, i: u64) -> Result<(u64, u64), Fault> {
    let mut request = Request::get(format!("{}{}", p.target, p.path(i)));
    if !p.keepalive {
        request = request.header("Connection", "close");
    }
    let request = request.body(Body::empty()).map_err(|_| Fault::Protocol)?;
    let response = client.request(request).await.map_err(|e| fault_of(&e))?;
    // judged before any body byte is read: a 500 or a wrong length is a fault, whatever follows
    // (a 10 GB Content-Length, a chunked body that never ends)
    if response.status() != StatusCode::OK {
        return Err(Fault::HttpStatus);
    }
    let headers = response.headers();
    let length = headers.get("content-length").and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if length != Some(p.size) || headers.contains_key("transfer-encoding") {
        return Err(Fault::Protocol);
    }
    let mut body = response.into_body();
    let mut bytes = Vec::with_capacity(p.size as usize);
    while let Some(chunk) = body.data().await {
        let chunk = chunk.map_err(|e| fault_of(&e))?;
        if bytes.len() + chunk.len() > p.size as usize {
            return Err(Fault::Protocol);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((fnv1a(&bytes), bytes.len() as u64))
}

// [worker]
async fn worker(client: Client<Counting>, p: Arc<Params>, book: Arc<Book>) {
    while let Some(i) = book.next() {
        let started = Instant::now();
        let fetched = match tokio::time::timeout(p.timeout, fetch(&client, &p, i)).await {
            Ok(fetched) => fetched,
            Err(_) => Err(Fault::Timeout),
        };
        book.book(i, started, fetched);
    }
}

// [run]
pub async fn run(p: &Arc<Params>, book: &Arc<Book>) {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let idle = if p.keepalive { p.workers() as usize } else { 0 };
    let client = Client::builder().pool_max_idle_per_host(idle).build(Counting { inner: connector, book: book.clone() });
    let workers: Vec<_> = (0..p.workers()).map(|_| tokio::spawn(worker(client.clone(), p.clone(), book.clone()))).collect();
    for worker in workers {
        worker.await.expect("a worker panicked");
    }
}
