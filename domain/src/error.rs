//! The one error type every server function returns.
//!
//! The client sees a variant and a Swedish message, never a query, a stack trace or a key.
//! `Internal` is deliberately opaque: the detail goes to the server log only.
//!
//! A refused value may also carry a [`Problem`]: what is wrong, as a code. The pages name it in
//! their own language (the Swedish message, which names the field, stays the reference text and
//! is what logs and the command line show).

use serde::{Deserialize, Serialize};
#[cfg(feature = "server-fn")]
use server_fn::codec::JsonEncoding;
#[cfg(feature = "server-fn")]
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Du behöver logga in igen.")]
    Unauthenticated,
    #[error("Du har inte behörighet till det här.")]
    Forbidden,
    #[error("Det du söker finns inte, eller så saknar du behörighet.")]
    NotFound,
    #[error("{message}")]
    Invalid {
        field: String,
        message: String,
        /// What is wrong, as a code the pages name in their language; `None` for a message
        /// only the server words.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        problem: Option<Problem>,
    },
    #[error("{message}")]
    Conflict { message: String },
    #[error("För många försök. Vänta en stund och försök igen.")]
    TooManyRequests,
    #[error("Något gick fel hos oss. Försök igen om en stund.")]
    Internal,
    /// The database did not answer in time (or the server is at its limit). What was being
    /// saved was rolled back, unless the answer was lost after it was saved: the message asks
    /// the user to look before trying again.
    #[error("Systemet svarar inte just nu. Kontrollera om ändringen sparades och försök igen om en stund.")]
    Unavailable,
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.to_string(),
            message: message.into(),
            problem: None,
        }
    }

    /// A refused value whose problem has a code: `message` is its Swedish wording (naming the
    /// field where it helps), the pages may name `problem` in another language.
    pub fn problem(field: &str, problem: Problem, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.to_string(),
            message: message.into(),
            problem: Some(problem),
        }
    }

    /// Nothing more can be recorded about a person whose information has been disposed of
    /// (gallrad): their data key is gone.
    pub fn shredded() -> Self {
        AppError::problem("", Problem::Shredded, "Personens uppgifter är gallrade.")
    }

    /// The coded problem of a refused value, if it has one.
    pub fn problem_code(&self) -> Option<&Problem> {
        match self {
            AppError::Invalid { problem, .. } => problem.as_ref(),
            _ => None,
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        AppError::Conflict {
            message: message.into(),
        }
    }

    /// The HTTP status a server function answers with for this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Invalid { .. } => 422,
            AppError::Conflict { .. } => 409,
            AppError::TooManyRequests => 429,
            AppError::Internal => 500,
            AppError::Unavailable => 503,
        }
    }

    /// The form field this error belongs to, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// What is wrong with a refused value, for the messages many forms share: the rules of
/// `domain::input`, a choice from a list, an unknown value, disposed-of information, a request
/// the server could not read. Each has a text in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// A required field was left empty.
    Required,
    /// Longer than `max` characters.
    TooLong { max: usize },
    /// Holds control characters.
    BadCharacters,
    /// Not a date ÅÅÅÅ-MM-DD between 1900 and 2100.
    DateFormat,
    /// Not a month ÅÅÅÅ-MM between 1900 and 2100.
    MonthFormat,
    /// A required date was left empty.
    DateRequired,
    /// A plan or register date more than ten years from today.
    DateTooFar,
    /// Not a time ÅÅÅÅ-MM-DD TT:MM.
    TimeFormat,
    /// A time the Swedish clock skips in spring.
    TimeSkipped,
    /// The request's fields could not be read.
    FormUnreadable,
    /// The server could not be reached.
    ServerUnreachable,
    /// No choice made among the values a list offers.
    Choose,
    /// A value no list offers, or an id of nothing known (a changed or old page).
    Unknown,
    /// The person's information has been disposed of: nothing more is recorded about them.
    Shredded,
    /// A period or a measure whose end lies before its start.
    EndBeforeStart,
    /// A date of something done (a contact, an assessment, a rating) that lies in the future.
    InFuture,
    /// The next date (review, assessment) is not after this one.
    NextNotAfter,
    /// A date more than a year from today (back or ahead).
    NotWithinAYear,
    /// A period longer than `years` years.
    PeriodMaxYears { years: u32 },
    /// A period longer than `days` days.
    PeriodMaxDays { days: u32 },
    /// A quarter that has not begun.
    PeriodNotBegun,
    /// Text shorter than `min` or longer than `max` characters.
    Length { min: usize, max: usize },
    /// Not a whole number from `min` to `max`.
    Range { min: i64, max: i64 },
    /// Already done, decided or ended (a stale page).
    AlreadyDone,
    /// Not a valid Swedish personal identity number.
    Personnummer,
}

#[cfg(feature = "server-fn")]
impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Malformed or missing arguments are the caller's fault: say so without echoing input.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => AppError::problem(
                "",
                Problem::FormUnreadable,
                "Formuläret kunde inte läsas. Kontrollera fälten och försök igen.",
            ),
            ServerFnErrorErr::Request(_) => AppError::problem(
                "",
                Problem::ServerUnreachable,
                "Kunde inte nå servern. Kontrollera anslutningen och försök igen.",
            ),
            _ => AppError::Internal,
        }
    }
}
