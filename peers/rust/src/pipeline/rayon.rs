//! pipeline in Rayon: the generator is a sequential iterator bridged into
//! Rayon's pool (par_bridge), transform is a parallel map, and aggregate is
//! the reduction. Rayon has no channels: the stages are one iterator chain.

use super::{Item, Params};
use crate::Failure;
use crate::measure::{record, Histogram, Ledger};
use rayon::prelude::*;

// [run]
pub fn run(p: &Params, ledger: &Ledger, latencies: Option<&Histogram>) -> Result<u64, Failure> {
    let sum = (0..p.items)
        // [generate]
        .map(Item::new)
        .par_bridge()
        // [transform]
        .map(|item| item.transform(p.work))
        // [aggregate]
        .map(|item| {
            ledger.book(item.index);
            record(latencies, item.generated.elapsed());
            item.value
        })
        .reduce(|| 0, u64::wrapping_add);
    ledger.problems("item").map(|_| sum)
}
