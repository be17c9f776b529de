//! task-tree in async Rust on Tokio: tokio::spawn per child, the parent
//! awaits their JoinHandles (a recursive async fn is boxed).

use super::Span;
use std::future::Future;
use std::pin::Pin;

// [node]
pub fn node(span: Span, fanout: u64) -> Pin<Box<dyn Future<Output = u64> + Send>> {
    Box::pin(async move {
        if span.leaf() {
            return span.first;
        }
        let n = span.children(fanout);
        let children: Vec<_> = (0..n).map(|k| tokio::spawn(node(span.child(k, n), fanout))).collect();
        let mut sum = 0u64;
        for child in children {
            sum = sum.wrapping_add(child.await.expect("a child task panicked"));
        }
        sum
    })
}
