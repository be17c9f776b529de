//! A blocking HTTP/1.1 client connection over std::net::TcpStream: what a
//! thread (or a Rayon task) uses to fetch the contract's items. GET with
//! keep-alive, Content-Length bodies, the contract's fault kinds. Each
//! socket operation has the request's timeout.

use crate::contract::fnv1a;
use super::Fault;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

pub struct Connection {
    host_port: String,
    timeout: Duration,
    keepalive: bool,
    stream: Option<BufReader<TcpStream>>,
    body: Vec<u8>,
}

fn fault_of(error: &std::io::Error) -> Fault {
    match error.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => Fault::Timeout,
        ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset | ErrorKind::BrokenPipe => Fault::ShortBody,
        _ => Fault::Protocol,
    }
}

impl Connection {
    /// `target`: http://host:port.
    pub fn new(target: &str, timeout: Duration, keepalive: bool) -> Connection {
        let host_port = target.trim_start_matches("http://").to_string();
        Connection { host_port, timeout, keepalive, stream: None, body: Vec::new() }
    }

    /// GET `path`: the body's (checksum, bytes) when it is a 200 of `size`
    /// bytes, else the fault. `opened` is called for each new connection.
    pub fn get(&mut self, path: &str, size: u64, opened: impl FnOnce()) -> Result<(u64, u64), Fault> {
        if self.stream.is_none() {
            opened();
            let address = self.host_port.to_socket_addrs().ok().and_then(|mut a| a.next()).ok_or(Fault::Connect)?;
            let stream = TcpStream::connect_timeout(&address, self.timeout).map_err(|e| match fault_of(&e) {
                Fault::Timeout => Fault::Timeout,
                _ => Fault::Connect,
            })?;
            stream.set_nodelay(true).map_err(|_| Fault::Connect)?;
            stream.set_read_timeout(Some(self.timeout)).map_err(|_| Fault::Connect)?;
            stream.set_write_timeout(Some(self.timeout)).map_err(|_| Fault::Connect)?;
            self.stream = Some(BufReader::new(stream));
        }
        let result = self.exchange(path, size);
        if result.is_err() || !self.keepalive {
            self.stream = None;
        }
        result
    }

    fn exchange(&mut self, path: &str, size: u64) -> Result<(u64, u64), Fault> {
        let stream = self.stream.as_mut().expect("connected");
        let close = if self.keepalive { "" } else { "Connection: close\r\n" };
        let request = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n{close}\r\n", self.host_port);
        stream.get_mut().write_all(request.as_bytes()).map_err(|e| fault_of(&e))?;
        let mut line = String::new();
        let mut status = 0;
        let mut length: Option<u64> = None;
        let mut server_closes = false;
        loop {
            line.clear();
            match stream.read_line(&mut line) {
                Ok(0) => return Err(Fault::ShortBody),
                Ok(_) => {}
                Err(e) => return Err(fault_of(&e)),
            }
            let text = line.trim_end();
            if status == 0 {
                let mut parts = text.splitn(3, ' ');
                if !parts.next().unwrap_or("").starts_with("HTTP/1.") {
                    return Err(Fault::Protocol);
                }
                status = parts.next().and_then(|s| s.parse().ok()).ok_or(Fault::Protocol)?;
                continue;
            }
            if text.is_empty() {
                break;
            }
            let (name, value) = text.split_once(':').ok_or(Fault::Protocol)?;
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.parse().map_err(|_| Fault::Protocol)?);
            } else if name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close") {
                server_closes = true;
            }
        }
        let length = length.ok_or(Fault::Protocol)?;
        self.body.resize(length as usize, 0);
        stream.read_exact(&mut self.body).map_err(|e| fault_of(&e))?;
        if server_closes {
            self.stream = None;
        }
        if status != 200 {
            return Err(Fault::HttpStatus);
        }
        if length != size {
            return Err(Fault::Protocol);
        }
        Ok((fnv1a(&self.body), length))
    }
}
