//! How a long job run from the command line (`keys rotate`, `gallring`, `backup`, `restore`,
//! `demo`) tells the person who started it how far it has come. The core counts; the binary
//! draws (a progress bar on a terminal, a line per stage in a log). Requests never report
//! progress: they pass [`Quiet`].

/// The receiver of a long job's progress.
pub trait Progress: Send + Sync {
    /// A new stage begins: what it does and, when known beforehand, how many steps it has.
    /// The stage before it is done.
    fn stage(&self, what: &str, total: Option<u64>);
    /// `n` more steps of the current stage are done.
    fn advance(&self, n: u64);
}

/// Reports nothing.
pub struct Quiet;

impl Progress for Quiet {
    fn stage(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
}

#[cfg(test)]
pub(crate) mod recorded {
    use super::Progress;
    use std::sync::Mutex;

    /// Progress kept for a test to read: each stage with its total and the steps reported.
    #[derive(Default)]
    pub struct Recorded(pub Mutex<Vec<(String, Option<u64>, u64)>>);

    impl Progress for Recorded {
        fn stage(&self, what: &str, total: Option<u64>) {
            self.0.lock().unwrap().push((what.to_string(), total, 0));
        }
        fn advance(&self, n: u64) {
            if let Some(last) = self.0.lock().unwrap().last_mut() {
                last.2 += n;
            }
        }
    }

    impl Recorded {
        pub fn stages(&self) -> Vec<(String, Option<u64>, u64)> {
            self.0.lock().unwrap().clone()
        }
    }
}
