//! pipeline in async Rust on Tokio: a task per stage (P for transform),
//! joined by bounded mpsc channels; the transform tasks share their input's
//! receiver behind an async mutex.

use super::{Item, Params};
use crate::Failure;
use crate::measure::{record, Histogram, Ledger};
use std::sync::Arc;
use tokio::sync::{mpsc, Mutex};

// [transform]
async fn transform(input: Arc<Mutex<mpsc::Receiver<Item>>>, output: mpsc::Sender<Item>, work: u64) {
    loop {
        let item = match input.lock().await.recv().await {
            Some(item) => item,
            None => break,
        };
        if output.send(item.transform(work)).await.is_err() {
            break;
        }
    }
}

// [run]
pub async fn run(p: &Params, ledger: &Ledger, latencies: Option<&Histogram>) -> Result<u64, Failure> {
    let (generated_tx, generated_rx) = mpsc::channel(p.buffer);
    let (transformed_tx, mut transformed_rx) = mpsc::channel(p.buffer);
    // [generate]
    let items = p.items;
    tokio::spawn(async move {
        for index in 0..items {
            if generated_tx.send(Item::new(index)).await.is_err() {
                break;
            }
        }
    });
    let generated_rx = Arc::new(Mutex::new(generated_rx));
    for _ in 0..p.parallelism {
        tokio::spawn(transform(generated_rx.clone(), transformed_tx.clone(), p.work));
    }
    drop(transformed_tx);
    // [aggregate]
    let mut sum = 0u64;
    while let Some(item) = transformed_rx.recv().await {
        sum = sum.wrapping_add(item.value);
        ledger.book(item.index);
        record(latencies, item.generated.elapsed());
    }
    ledger.problems("item").map(|_| sum)
}
