//! Ordered parallel maps over scoped threads (no thread-pool crate needed for
//! independent, coarse-grained work such as trees: each has its own files, model
//! and findings).

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard};

/// How many threads work on `items` items: one a core, never more than items.
pub fn threads(items: usize) -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(items)
}

/// Map over items on every core, keeping the input order, so output stays
/// deterministic. Every result is held until the last is done: for results that
/// are large, or many, use [`stream`].
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let mut all = Vec::with_capacity(items.len());
    stream(items, usize::MAX, f, |r| {
        all.push(r);
        true
    });
    all
}

struct State<R> {
    /// The next item no worker has taken.
    next: usize,
    /// The next result to hand over.
    handed: usize,
    /// Results done but not handed over yet, by item.
    done: BTreeMap<usize, R>,
    /// Stop taking items: the consumer has had enough, or a worker panicked.
    stop: bool,
    panicked: bool,
}

/// Map over `items` on every core and hand each result to `sink` on the calling
/// thread, in the items' order, as soon as it and every result before it are done.
/// A worker takes an item only while fewer than `window` (at least one a thread)
/// results wait to be handed over, so at most `window` results and one item a
/// thread are in memory at once, however many items there are: a slow item holds
/// the others back instead of letting results pile up behind it.
///
/// When `sink` returns false no further item is started, and `stream` returns
/// false once the items in progress are done. A panic in a worker stops the
/// others and is raised again here.
pub fn stream<T: Sync, R: Send>(
    items: &[T],
    window: usize,
    work: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(R) -> bool,
) -> bool {
    let threads = threads(items.len());
    if threads <= 1 {
        return items.iter().all(|item| sink(work(item)));
    }
    let window = window.max(threads);
    let state = Mutex::new(State {
        next: 0,
        handed: 0,
        done: BTreeMap::new(),
        stop: false,
        panicked: false,
    });
    // Workers wait on `room` for the window to move; the consumer on `ready`.
    let room = Condvar::new();
    let ready = Condvar::new();
    let lock = || state.lock().unwrap_or_else(|e| e.into_inner());
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    // Wakes the consumer if this worker unwinds, so it does not wait
                    // for a result that will never come.
                    struct OnPanic<'a, R>(&'a Mutex<State<R>>, &'a Condvar, &'a Condvar);
                    impl<R> Drop for OnPanic<'_, R> {
                        fn drop(&mut self) {
                            if std::thread::panicking() {
                                let mut st = self.0.lock().unwrap_or_else(|e| e.into_inner());
                                st.panicked = true;
                                st.stop = true;
                                self.1.notify_all();
                                self.2.notify_all();
                            }
                        }
                    }
                    let _guard = OnPanic(&state, &ready, &room);
                    let mut st = lock();
                    loop {
                        if st.stop || st.next >= items.len() {
                            break;
                        }
                        if st.next >= st.handed.saturating_add(window) {
                            st = wait(&room, st);
                            continue;
                        }
                        let i = st.next;
                        st.next += 1;
                        drop(st);
                        let r = work(&items[i]);
                        st = lock();
                        st.done.insert(i, r);
                        if i == st.handed {
                            ready.notify_one();
                        }
                    }
                })
            })
            .collect();
        let mut completed = true;
        let mut st = lock();
        while st.handed < items.len() {
            let handed = st.handed;
            let Some(r) = st.done.remove(&handed) else {
                if st.panicked {
                    completed = false;
                    break;
                }
                st = wait(&ready, st);
                continue;
            };
            st.handed += 1;
            room.notify_all();
            drop(st);
            let more = sink(r);
            st = lock();
            if !more {
                completed = false;
                break;
            }
        }
        st.stop = true;
        room.notify_all();
        drop(st);
        // A worker's panic is raised again as it was (its message names the tree).
        for w in workers {
            if let Err(panic) = w.join() {
                std::panic::resume_unwind(panic);
            }
        }
        completed
    })
}

fn wait<'a, S>(cv: &Condvar, guard: MutexGuard<'a, S>) -> MutexGuard<'a, S> {
    cv.wait(guard).unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn keeps_order() {
        let v: Vec<usize> = (0..1000).collect();
        assert_eq!(
            super::map(&v, |x| x * 2),
            v.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
        assert!(super::map(&[] as &[u8], |x| *x).is_empty());
    }

    /// Results reach the sink in order however long each item takes, and no more
    /// than the window (or one a thread) are ever done and waiting.
    #[test]
    fn streams_in_order_within_the_window() {
        let v: Vec<u64> = (0..200).collect();
        let waiting = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let mut seen = Vec::new();
        let threads = super::threads(v.len());
        let done = super::stream(
            &v,
            3,
            |x| {
                // Every seventh item is slow: the others must wait for it.
                if x % 7 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
                let n = waiting.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(n, Ordering::SeqCst);
                *x
            },
            |x| {
                waiting.fetch_sub(1, Ordering::SeqCst);
                seen.push(x);
                true
            },
        );
        assert!(done);
        assert_eq!(seen, v);
        assert!(
            most.load(Ordering::SeqCst) <= 3.max(threads) + threads,
            "{} results waited at once",
            most.load(Ordering::SeqCst)
        );
    }

    /// A sink that stops: nothing after it is handed over, and few items started.
    #[test]
    fn a_sink_can_stop_the_run() {
        let v: Vec<usize> = (0..10_000).collect();
        let started = AtomicUsize::new(0);
        let mut seen = 0;
        let done = super::stream(
            &v,
            4,
            |x| {
                started.fetch_add(1, Ordering::SeqCst);
                *x
            },
            |x| {
                seen += 1;
                x < 10
            },
        );
        assert!(!done);
        assert_eq!(seen, 11);
        assert!(started.load(Ordering::SeqCst) < 100);
    }

    #[test]
    #[should_panic(expected = "item 50")]
    fn a_panicking_worker_stops_the_run() {
        let v: Vec<usize> = (0..1000).collect();
        super::stream(
            &v,
            8,
            |x| {
                assert!(*x != 50, "item 50");
                *x
            },
            |_| true,
        );
    }
}
