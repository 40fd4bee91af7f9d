//! The single writer: a thread that owns the database's write connection
//! and the commit stage's state, and takes jobs over a channel. Fetches
//! waiting at the same moment share one transaction (group commit, see
//! `Committer::apply_all`); once idle, it merges the search index.

use std::time::Duration;

use tokio::sync::oneshot;

use super::commit::{Committer, FetchSummary};
use super::record::FetchRecord;
use crate::model::AlertRules;
use crate::store::{Store, StoreError};

/// Most fetches the writer commits together (bounds the work lost to a failed commit).
const GROUP_COMMIT_MAX: usize = 64;

enum Job {
    /// Apply a fetch; fetches waiting at the same moment share one commit.
    Fetch(
        Box<FetchRecord>,
        oneshot::Sender<Result<FetchSummary, StoreError>>,
    ),
    /// Anything else that needs the write connection (or the commit
    /// stage's state).
    Call(WriterCall),
}

/// A job run on the writer thread with its store and commit stage.
type WriterCall = Box<dyn FnOnce(&mut Store, &mut Committer) + Send>;

/// The single writer: a thread owning the database connection, taking jobs
/// over a channel. Callers await each job's result.
pub struct Writer {
    tx: Option<std::sync::mpsc::Sender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Writer {
    /// The writer of `store`, queueing alerts by `alerts` (None: no alerts).
    pub fn spawn(mut store: Store, alerts: Option<AlertRules>) -> Writer {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("newswatch-writer".into())
            .spawn(move || {
                // If the checkpointer cannot start, SQLite's automatic
                // checkpoints on this connection still keep the WAL bounded.
                let checkpointer = store.spawn_checkpointer().ok();
                let mut committer = Committer::new(alerts);
                writer_loop(&mut store, &mut committer, &rx);
                drop(checkpointer);
            })
            .ok();
        Writer {
            tx: Some(tx),
            thread,
        }
    }

    fn send(&self, job: Job) {
        let sent = self
            .tx
            .as_ref()
            .map(|tx| tx.send(job).is_ok())
            .unwrap_or(false);
        assert!(sent, "the database writer thread has stopped");
    }

    /// Run `f` on the writer thread and return its result.
    pub async fn call<R, F>(&self, f: F) -> R
    where
        R: Send + 'static,
        F: FnOnce(&mut Store) -> R + Send + 'static,
    {
        self.call_commit(move |store, _| f(store)).await
    }

    /// Run `f` on the writer thread with the commit stage's state too (to
    /// change the alert rules together with what a reload writes).
    pub async fn call_commit<R, F>(&self, f: F) -> R
    where
        R: Send + 'static,
        F: FnOnce(&mut Store, &mut Committer) -> R + Send + 'static,
    {
        let (done, result) = oneshot::channel();
        self.send(Job::Call(Box::new(move |store, committer| {
            let _ = done.send(f(store, committer));
        })));
        result
            .await
            .expect("the database writer thread dropped a job")
    }

    /// Store one fetch (atomically) and return what it did.
    pub async fn apply(&self, rec: FetchRecord) -> Result<FetchSummary, StoreError> {
        let (done, result) = oneshot::channel();
        self.send(Job::Fetch(Box::new(rec), done));
        result
            .await
            .expect("the database writer thread dropped a job")
    }

    /// Finish queued jobs and stop the thread.
    pub fn close(mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn writer_loop(store: &mut Store, committer: &mut Committer, rx: &std::sync::mpsc::Receiver<Job>) {
    // Set when fetches were written, cleared once the search index has
    // nothing left to merge (see `Store::merge_search_index_step`).
    let mut merge_owed = false;
    let mut next = rx.recv().ok();
    while let Some(job) = next.take() {
        match job {
            Job::Call(f) => f(store, committer),
            Job::Fetch(rec, done) => {
                let (mut recs, mut dones) = (vec![*rec], vec![done]);
                while recs.len() < GROUP_COMMIT_MAX {
                    match rx.try_recv() {
                        Ok(Job::Fetch(rec, done)) => {
                            recs.push(*rec);
                            dones.push(done);
                        }
                        Ok(other) => {
                            next = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                let results = committer.apply_all(store, &recs);
                merge_owed |= results.iter().any(|r| {
                    r.as_ref()
                        .is_ok_and(|s| s.items_new > 0 || s.items_changed > 0)
                });
                for (done, result) in dones.into_iter().zip(results) {
                    let _ = done.send(result);
                }
                store.restart_wal_if_large();
            }
        }
        if next.is_none() {
            next = next_job_merging_while_idle(store, rx, &mut merge_owed);
        }
    }
}

/// How long the writer waits with nothing to do before merging the search
/// index: the end of a cycle, not a pause between two fetches.
const IDLE_BEFORE_MERGE: Duration = Duration::from_secs(1);
/// Leaf pages per merge step: about 15 ms of work, so a fetch that arrives
/// meanwhile waits no longer than that.
const MERGE_STEP_PAGES: u32 = 200;

/// The writer's next job. While merging is owed and no job comes for
/// `IDLE_BEFORE_MERGE`, merge the search index a step at a time, looking
/// for a job between steps. None when every sender is gone.
fn next_job_merging_while_idle(
    store: &mut Store,
    rx: &std::sync::mpsc::Receiver<Job>,
    merge_owed: &mut bool,
) -> Option<Job> {
    use std::sync::mpsc::RecvTimeoutError;
    if !*merge_owed {
        return rx.recv().ok();
    }
    match rx.recv_timeout(IDLE_BEFORE_MERGE) {
        Ok(job) => return Some(job),
        Err(RecvTimeoutError::Disconnected) => return None,
        Err(RecvTimeoutError::Timeout) => {}
    }
    loop {
        match store.merge_search_index_step(MERGE_STEP_PAGES) {
            Ok(true) => {}
            Ok(false) => {
                *merge_owed = false;
                break;
            }
            Err(e) => {
                // The index stays usable unmerged; FTS5 merges at commits.
                tracing::warn!(error = %e, "merging the search index failed");
                *merge_owed = false;
                break;
            }
        }
        match rx.try_recv() {
            Ok(job) => return Some(job),
            Err(std::sync::mpsc::TryRecvError::Disconnected) => return None,
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
        }
    }
    tracing::debug!("search index merged while idle");
    rx.recv().ok()
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
