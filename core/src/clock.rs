//! Time as the core sees it. Injected so tests can move the clock instead of sleeping.

use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct Clock {
    offset: Arc<Mutex<Duration>>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.offset.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Today's date in Sweden: what due dates and reminders are measured against.
    pub fn today(&self) -> chrono::NaiveDate {
        domain::time::swedish_date(self.now())
    }

    /// Sets this clock to `t` (demo history is written "in the past"; tests of dates).
    pub fn travel_to(&self, t: DateTime<Utc>) {
        let mut o = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        *o = t - Utc::now();
    }

    /// Back to the wall clock.
    pub fn reset(&self) {
        let mut o = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        *o = Duration::zero();
    }

    /// Moves this clock forward (tests: session expiry, lockout, reminders).
    pub fn advance(&self, by: Duration) {
        let mut o = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        *o += by;
    }
}
