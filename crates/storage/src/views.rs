//! Who opened which file (第十九条: the file and who used it). Every opening is an event of the
//! audit chain like any change, and the reader gets the file only once the event is committed.
//!
//! One transaction per opening made concurrent openings queue for the write lock (SQLite) or the
//! chain's head row (PostgreSQL), so at eight concurrent readers the wait dominated. The
//! [`ViewLog`] commits openings in groups instead: one task owns the writing, takes everything
//! that arrived while it was committing the previous group, and answers each reader after the
//! commit that holds their event. Nothing is acknowledged before it is durable, so a crash loses
//! no opening that a reader was shown a file for.

use tokio::sync::{mpsc, oneshot};

use crate::audit::AuditAction;
use crate::audit::{self, NewEvent};
use crate::{Store, StoreError};

/// An opening of a person's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// The person's record key (not the ID number: the caller has already resolved it).
    pub person_id: String,
    /// The username of who opened it.
    pub actor: String,
}

/// Most openings committed together: bounds the transaction, not the rate.
const GROUP: usize = 512;

/// Appends the openings to the audit trail in one transaction, in order.
pub async fn record(store: &Store, views: &[View]) -> Result<(), StoreError> {
    if views.is_empty() {
        return Ok(());
    }
    let events: Vec<NewEvent<'_>> = views
        .iter()
        .map(|v| NewEvent {
            actor: &v.actor,
            action: AuditAction::PersonViewed.code(),
            entity: "person",
            entity_id: &v.person_id,
            person_id: Some(&v.person_id),
            ..NewEvent::default()
        })
        .collect();
    let mut tx = store.begin_write().await?;
    audit::append_all(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(())
}

type Waiter = oneshot::Sender<Result<(), String>>;

/// The writer of openings, shared by every request of a server. Cloning shares the writer.
#[derive(Debug, Clone)]
pub struct ViewLog {
    queue: mpsc::Sender<(View, Waiter)>,
}

impl ViewLog {
    /// Starts the writer on the current Tokio runtime. It stops when the last clone is dropped,
    /// after committing what it holds.
    pub fn start(store: Store) -> ViewLog {
        let (queue, mut arrivals) = mpsc::channel::<(View, Waiter)>(GROUP * 8);
        tokio::spawn(async move {
            let mut group = Vec::with_capacity(GROUP);
            while arrivals.recv_many(&mut group, GROUP).await > 0 {
                let (views, waiters): (Vec<View>, Vec<Waiter>) = group.drain(..).unzip();
                let outcome = record(&store, &views).await.map_err(|e| e.to_string());
                for waiter in waiters {
                    // A reader that gave up (the connection closed) needs no answer.
                    let _ = waiter.send(outcome.clone());
                }
            }
        });
        ViewLog { queue }
    }

    /// Records the opening and returns once it is committed.
    pub async fn record(&self, view: View) -> Result<(), StoreError> {
        self.enqueue(view).await?.committed().await
    }

    /// Hands the opening to the writer: the caller can assemble the file meanwhile, and must
    /// await [`Pending::committed`] before showing it.
    pub async fn enqueue(&self, view: View) -> Result<Pending, StoreError> {
        let (answer, outcome) = oneshot::channel();
        self.queue.send((view, answer)).await.map_err(|_| stopped())?;
        Ok(Pending(outcome))
    }
}

/// An opening on its way to the trail.
#[derive(Debug)]
pub struct Pending(oneshot::Receiver<Result<(), String>>);

impl Pending {
    pub async fn committed(self) -> Result<(), StoreError> {
        self.0.await.map_err(|_| stopped())?.map_err(StoreError::Io)
    }
}

fn stopped() -> StoreError {
    StoreError::Io("the audit writer has stopped".to_owned())
}
