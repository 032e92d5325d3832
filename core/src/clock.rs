//! Time as the core sees it. Injected so tests can move the clock instead of sleeping.

use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct Clock {
    offset: Arc<Mutex<Duration>>,
    /// Where [`Clock::reset`] goes back to: zero (the wall clock) unless [`Clock::start_at`]
    /// moved it.
    home: Arc<Mutex<Duration>>,
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

    /// Back to the wall clock, or to the time line [`Clock::start_at`] began.
    pub fn reset(&self) {
        let home = *self.home.lock().unwrap_or_else(|p| p.into_inner());
        let mut o = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        *o = home;
    }

    /// Runs this clock from `t` on, and makes that its time line to reset to (a test store
    /// copied from a template goes on from the moment the template was written, so that what
    /// the template wrote "today" is still today for the test).
    pub fn start_at(&self, t: DateTime<Utc>) {
        let home = t - Utc::now();
        *self.home.lock().unwrap_or_else(|p| p.into_inner()) = home;
        *self.offset.lock().unwrap_or_else(|p| p.into_inner()) = home;
    }

    /// Moves this clock forward (tests: session expiry, lockout, reminders).
    pub fn advance(&self, by: Duration) {
        let mut o = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        *o += by;
    }
}
