//! pipeline with OS threads: a std::thread per stage (P for transform),
//! joined by crossbeam-channel's bounded channels.

use super::{Item, Params};
use crate::Failure;
use crate::measure::{record, Histogram, Ledger};
use crossbeam_channel::bounded;
use std::thread;

// [run]
pub fn run(p: &Params, ledger: &Ledger, latencies: Option<&Histogram>) -> Result<u64, Failure> {
    let (generated_tx, generated_rx) = bounded::<Item>(p.buffer);
    let (transformed_tx, transformed_rx) = bounded::<Item>(p.buffer);
    let mut sum = 0u64;
    thread::scope(|s| {
        // [generate]
        s.spawn(move || {
            for index in 0..p.items {
                generated_tx.send(Item::new(index)).expect("the transforms outlive the generator");
            }
        });
        // [transform]
        for _ in 0..p.parallelism {
            let (input, output) = (generated_rx.clone(), transformed_tx.clone());
            s.spawn(move || {
                for item in input {
                    output.send(item.transform(p.work)).expect("the aggregator outlives the transforms");
                }
            });
        }
        drop(transformed_tx);
        // [aggregate]
        for item in transformed_rx {
            sum = sum.wrapping_add(item.value);
            ledger.book(item.index);
            record(latencies, item.generated.elapsed());
        }
    });
    ledger.problems("item").map(|_| sum)
}
