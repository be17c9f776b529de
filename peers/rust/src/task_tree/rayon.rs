//! task-tree in Rayon: each node's children are a parallel iterator whose
//! sum Rayon's pool computes, stealing subtrees between threads.

use super::Span;
use rayon::prelude::*;

// [node]
pub fn node(span: Span, fanout: u64) -> u64 {
    if span.leaf() {
        return span.first;
    }
    let n = span.children(fanout);
    (0..n).into_par_iter().map(|k| node(span.child(k, n), fanout)).reduce(|| 0, u64::wrapping_add)
}
