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
        /// What is wrong, as a code the pages name in their language.
        problem: Problem,
    },
    #[error("{message}")]
    Conflict {
        message: String,
        /// What the change conflicts with, as a code the pages name in their language.
        problem: Problem,
    },
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
    /// A refused value: `message` is its Swedish wording (naming the field where it helps), the
    /// pages name `problem` in another language. Every refusal has a code, so no page has to
    /// show a message in a language it is not in.
    pub fn problem(field: &str, problem: Problem, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.to_string(),
            message: message.into(),
            problem,
        }
    }

    /// Nothing more can be recorded about a person whose information has been disposed of
    /// (gallrad): their data key is gone.
    pub fn shredded() -> Self {
        AppError::problem("", Problem::Shredded, "Personens uppgifter är gallrade.")
    }

    /// The coded problem of a refused value or a conflict.
    pub fn problem_code(&self) -> Option<&Problem> {
        match self {
            AppError::Invalid { problem, .. } | AppError::Conflict { problem, .. } => Some(problem),
            _ => None,
        }
    }

    /// A change that conflicts with what is saved or under way: `message` is its Swedish
    /// wording, the pages name `problem` in another language.
    pub fn conflict(problem: Problem, message: impl Into<String>) -> Self {
        AppError::Conflict {
            message: message.into(),
            problem,
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
    /// Not a phone number.
    Phone,
    /// Not an e-mail address.
    Email,
    /// Not a quarter ÅÅÅÅ-QN.
    QuarterFormat,
    /// More than `max` items in a list.
    TooMany { max: usize },
    /// Line `n` of an action list is not "who; what; by date".
    ActionFormat { n: usize },
    /// Line `n` of an action list has no by-date.
    ActionDate { n: usize },
    /// A life domain rated twice in one rating.
    RatedTwice,
    /// A rating with no life domain rated.
    RateOne,
    /// An entry or exit outside the project's period.
    OutsideProjectPeriod,
    /// A referral accepted before its review began.
    ReviewFirst,
    /// A case status that cannot follow the present one.
    StatusChange,
    /// A username outside 3–64 of a–z, digits, dot, hyphen, underscore.
    Username,
    /// A password shorter than 12 characters.
    PasswordShort,
    /// A name (organisation, project) another already has.
    NameTaken,
    /// A username another account already has.
    UsernameTaken,
    /// The administrator who asked for a disposal cannot also confirm it.
    FourEyes,
    /// A closed case cannot be handed over.
    CaseClosed,
    /// Key rotation and retirement need a key file, not a key in the environment.
    KeyFileNeeded,
    /// Old key versions cannot be retired yet.
    RetireNotYet,
    /// The key file could not be read or written.
    KeyFile,
    /// A denied protective measure cannot be ended.
    MeasureDenied,
    /// A wrong username or password, or an account locked for a while (never which).
    SignInFailed,
    /// A wrong or reused one-time code.
    CodeFailed,
    /// Two-step verification must be set up from the sign-in page first.
    EnrolFirst,
    /// An administrator cannot deactivate their own organisation.
    OwnOrg,
    /// An administrator cannot deactivate their own account or drop their own admin role.
    OwnAccount,
    /// A situation picture's text holds a personnummer.
    HoldsPersonnummer,
    /// A situation picture's text holds a phone number.
    HoldsPhone,
    /// A situation picture's text names a person.
    HoldsName,
    /// A birth year that does not match the personnummer.
    BirthYearMismatch,
    /// A home municipality the organisation does not serve.
    MunicipalityNotServed,
    /// A search that is neither a whole personnummer nor a phone number.
    SearchTerm,
    /// A protected person's home municipality is not changed in the clear field.
    ProtectedMunicipality,
    /// No active account by that username that can join a case.
    NoSuchColleague,
    /// The responsible case worker cannot be removed from the team.
    ResponsibleStays,
    /// A legal provision that is not given as one.
    Provision,
    /// The own organisation needs no consent.
    ConsentOwnOrg,
    /// A register extract needs every piece of information, and the reader may not read all.
    ExtractIncomplete,
    /// Register extracts are made by the case's workers or the owning organisation's lead.
    ExtractRole,
    /// A council decision needs at least one intervention.
    InterventionRequired,
    /// Only a referral can be declined at a council meeting.
    DeclineReferralOnly,
    /// A meeting already held takes no more items.
    MeetingHeld,
    /// Emergency access asked for by someone who already has access.
    HasAccess,
    /// Emergency access is only for staff of the organisation that owns the case.
    BreakGlassOwnOrg,
    /// Only social services keep SSPF groups.
    GroupSocialOnly,
    /// A case linked to a group over part of the same period already.
    LinkOverlap,
    /// A participant already enrolled in the project.
    AlreadyEnrolled,
    /// No social services in the system for that municipality.
    NoService,
    /// The person is already in a referral to the unit: accept it to open the case.
    PersonInReferral,
    /// The unit already has a person with that personnummer.
    PersonExists,
    /// The colleague is already on the case's team.
    AlreadyOnTeam,
    /// The person is already on the meeting's agenda.
    AlreadyOnAgenda,
    /// The database already holds data (demo data loads only into an empty one).
    NotEmpty,
    /// Someone else saved a change meanwhile: reload, compare and make the change again.
    Stale,
    /// A handover already answered or withdrawn.
    AlreadyAnswered,
    /// A handover is already waiting for an answer.
    HandoverPending,
    /// The case changed its owning unit meanwhile.
    OwnerChanged,
    /// The case can no longer be taken over.
    CannotTakeOver,
    /// The disposal job is running on another instance.
    RunningElsewhere,
    /// The situation picture for the period is already final.
    Finalised,
}

impl Problem {
    /// The code a database `THROW` names a problem by (`invalid:<field>:<code>:<message>`,
    /// `conflict:<code>:<message>`): the serde tag of a variant without values.
    pub fn from_code(code: &str) -> Option<Problem> {
        serde_json::from_value(serde_json::json!({ "kind": code })).ok()
    }
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
