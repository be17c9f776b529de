//! pipeline in async Rust on Tokio: a task per stage (P for transform),
//! joined by bounded channels; the P transform tasks receive from one
//! channel, an MPMC one (the `async-channel` crate: Tokio's mpsc has a
//! single receiver, shared only behind an async mutex).

use super::{Item, Params};
use crate::Failure;
use crate::measure::{record, Histogram, Ledger};

// [transform]
async fn transform(input: async_channel::Receiver<Item>, output: async_channel::Sender<Item>, work: u64) {
    while let Ok(item) = input.recv().await {
        if output.send(item.transform(work)).await.is_err() {
            break;
        }
    }
}

// [run]
pub async fn run(p: &Params, ledger: &Ledger, latencies: Option<&Histogram>) -> Result<u64, Failure> {
    let (generated_tx, generated_rx) = async_channel::bounded(p.buffer);
    let (transformed_tx, transformed_rx) = async_channel::bounded(p.buffer);
    // [generate]
    let items = p.items;
    tokio::spawn(async move {
        for index in 0..items {
            if generated_tx.send(Item::new(index)).await.is_err() {
                break;
            }
        }
    });
    for _ in 0..p.parallelism {
        tokio::spawn(transform(generated_rx.clone(), transformed_tx.clone(), p.work));
    }
    drop(generated_rx);
    drop(transformed_tx);
    // [aggregate]
    let mut sum = 0u64;
    while let Ok(item) = transformed_rx.recv().await {
        sum = sum.wrapping_add(item.value);
        ledger.book(item.index);
        record(latencies, item.generated.elapsed());
    }
    ledger.problems("item").map(|_| sum)
}
