//! task-tree with OS threads: a scoped std::thread per child, joined by its
//! parent for its sum. A thread the system refuses is an error, not a panic.

use super::Span;
use crate::Failure;
use std::thread;

// [node]
pub fn node(span: Span, fanout: u64) -> Result<u64, Failure> {
    if span.leaf() {
        return Ok(span.first);
    }
    let n = span.children(fanout);
    thread::scope(|s| {
        let mut children = Vec::with_capacity(n as usize);
        for k in 0..n {
            let child = thread::Builder::new().spawn_scoped(s, move || node(span.child(k, n), fanout));
            children.push(child.map_err(|e| Failure::Error(format!("the system refused an OS thread: {e}")))?);
        }
        let mut sum = 0u64;
        for child in children {
            sum = sum.wrapping_add(child.join().expect("a child thread panicked")?);
        }
        Ok(sum)
    })
}
