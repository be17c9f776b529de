//! A blocking HTTP/1.1 client connection over std::net::TcpStream: what a
//! thread (or a Rayon task) uses to fetch the contract's items. GET with
//! keep-alive, Content-Length bodies, the contract's fault kinds. Bounded
//! as the C++ clients are: one deadline per request (connect to the last
//! body byte; every read and write waits at most what is left of it), at
//! most 64 KiB of status line and headers, and the status and length
//! checked before any body byte is read, so a hostile server gets a fault,
//! never a 10 GB allocation or a wait beyond the timeout.

use crate::contract::fnv1a;
use super::Fault;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// The most a response's status line and headers may take.
const MAX_HEAD_BYTES: usize = 64 * 1024;

pub struct Connection {
    host_port: String,
    timeout: Duration,
    keepalive: bool,
    stream: Option<TcpStream>,
    buffer: Vec<u8>, // read but not yet taken
    body: Vec<u8>,
}

fn fault_of(error: &std::io::Error) -> Fault {
    match error.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => Fault::Timeout,
        ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset | ErrorKind::BrokenPipe => Fault::ShortBody,
        _ => Fault::Protocol,
    }
}

/// What is left until `deadline`, or a timeout fault when nothing is.
fn left(deadline: Instant) -> Result<Duration, Fault> {
    let now = Instant::now();
    if now >= deadline {
        return Err(Fault::Timeout);
    }
    Ok(deadline - now)
}

impl Connection {
    /// `target`: http://host:port.
    pub fn new(target: &str, timeout: Duration, keepalive: bool) -> Connection {
        let host_port = target.trim_start_matches("http://").to_string();
        Connection { host_port, timeout, keepalive, stream: None, buffer: Vec::new(), body: Vec::new() }
    }

    /// GET `path`: the body's (checksum, bytes) when it is a 200 of `size`
    /// bytes, else the fault. `opened` is called for each new connection.
    pub fn get(&mut self, path: &str, size: u64, opened: impl FnOnce()) -> Result<(u64, u64), Fault> {
        let deadline = Instant::now() + self.timeout;
        if self.stream.is_none() {
            opened();
            let address = self.host_port.to_socket_addrs().ok().and_then(|mut a| a.next()).ok_or(Fault::Connect)?;
            let stream = TcpStream::connect_timeout(&address, left(deadline)?).map_err(|e| match fault_of(&e) {
                Fault::Timeout => Fault::Timeout,
                _ => Fault::Connect,
            })?;
            stream.set_nodelay(true).map_err(|_| Fault::Connect)?;
            self.stream = Some(stream);
            self.buffer.clear();
        }
        let result = self.exchange(path, size, deadline);
        if result.is_err() || !self.keepalive {
            self.stream = None;
        }
        result
    }

    /// Reads more into the buffer, waiting at most until `deadline`.
    fn fill(&mut self, deadline: Instant) -> Result<(), Fault> {
        let stream = self.stream.as_mut().expect("connected");
        stream.set_read_timeout(Some(left(deadline)?)).map_err(|_| Fault::Protocol)?;
        let mut chunk = [0u8; 16 * 1024];
        match stream.read(&mut chunk) {
            Ok(0) => Err(Fault::ShortBody),
            Ok(n) => {
                self.buffer.extend_from_slice(&chunk[..n]);
                Ok(())
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => Ok(()),
            Err(e) => Err(fault_of(&e)),
        }
    }

    fn exchange(&mut self, path: &str, size: u64, deadline: Instant) -> Result<(u64, u64), Fault> {
        let close = if self.keepalive { "" } else { "Connection: close\r\n" };
        let request = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n{close}\r\n", self.host_port);
        {
            let stream = self.stream.as_mut().expect("connected");
            stream.set_write_timeout(Some(left(deadline)?)).map_err(|_| Fault::Protocol)?;
            stream.write_all(request.as_bytes()).map_err(|e| fault_of(&e))?;
        }
        // the head: status line and headers, at most MAX_HEAD_BYTES
        let head_end = loop {
            if let Some(at) = self.buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at;
            }
            if self.buffer.len() > MAX_HEAD_BYTES {
                return Err(Fault::Protocol);
            }
            self.fill(deadline)?;
        };
        if head_end > MAX_HEAD_BYTES {
            return Err(Fault::Protocol);
        }
        let head = std::str::from_utf8(&self.buffer[..head_end]).map_err(|_| Fault::Protocol)?.to_string();
        self.buffer.drain(..head_end + 4);
        let mut lines = head.split("\r\n");
        let mut parts = lines.next().unwrap_or("").splitn(3, ' ');
        if !parts.next().unwrap_or("").starts_with("HTTP/1.") {
            return Err(Fault::Protocol);
        }
        let status: u16 = parts.next().and_then(|s| s.parse().ok()).ok_or(Fault::Protocol)?;
        let mut length: Option<u64> = None;
        let mut server_closes = false;
        for line in lines {
            let (name, value) = line.split_once(':').ok_or(Fault::Protocol)?;
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                let given = value.parse().map_err(|_| Fault::Protocol)?;
                if matches!(length, Some(l) if l != given) {
                    return Err(Fault::Protocol); // two lengths that differ: RFC 9112 6.3
                }
                length = Some(given);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                return Err(Fault::Protocol); // the contract's bodies have a length; with one too, a smuggling attempt
            } else if name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close") {
                server_closes = true;
            }
        }
        // judged before any body byte is read: a 500 or a wrong length is a fault, whatever follows
        if status != 200 {
            return Err(Fault::HttpStatus);
        }
        let length = length.ok_or(Fault::Protocol)?;
        if length != size {
            return Err(Fault::Protocol);
        }
        while (self.buffer.len() as u64) < length {
            self.fill(deadline)?;
        }
        self.body.clear();
        self.body.extend(self.buffer.drain(..length as usize));
        if server_closes {
            self.stream = None;
        }
        Ok((fnv1a(&self.body), length))
    }
}
