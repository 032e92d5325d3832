//! The one error type every server function returns.
//!
//! The client sees a variant and a Swedish message, never a query, a stack trace or a key.
//! `Internal` is deliberately opaque: the detail goes to the server log only.

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
    Invalid { field: String, message: String },
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

#[cfg(feature = "server-fn")]
impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Malformed or missing arguments are the caller's fault: say so without echoing input.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => AppError::invalid(
                "",
                "Formuläret kunde inte läsas. Kontrollera fälten och försök igen.",
            ),
            ServerFnErrorErr::Request(_) => AppError::invalid(
                "",
                "Kunde inte nå servern. Kontrollera anslutningen och försök igen.",
            ),
            _ => AppError::Internal,
        }
    }
}
