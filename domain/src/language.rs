//! The interface's languages. Swedish is the default; English is chosen per person, remembered
//! in a cookie the server sets (`POST /api/sprak`, a plain form that works without JavaScript)
//! and, for a signed-in person, in their account, so it follows them to another computer.

use serde::{Deserialize, Serialize};

/// The cookie that carries the chosen language. Not `HttpOnly`: it holds nothing secret.
pub const COOKIE: &str = "utvag_lang";

/// How long the choice is remembered in the browser (a year, in seconds).
pub const COOKIE_MAX_AGE: u64 = 365 * 24 * 3600;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    #[default]
    #[serde(rename = "sv")]
    Swedish,
    #[serde(rename = "en")]
    English,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Swedish, Language::English];

    /// The BCP 47 code, as in `<html lang>` and the catalogue's folder names.
    pub fn code(self) -> &'static str {
        match self {
            Language::Swedish => "sv",
            Language::English => "en",
        }
    }

    /// The code read back; anything else is `None` (never a guess).
    pub fn from_code(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language's own name for itself, as a language switch shows it (the same in every
    /// interface language, so a person who cannot read the current one still finds theirs).
    pub fn endonym(self) -> &'static str {
        match self {
            Language::Swedish => "Svenska",
            Language::English => "English",
        }
    }

    /// The language named in a `Cookie` request header, if any.
    pub fn from_cookie_header(header: &str) -> Option<Language> {
        header
            .split(';')
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == COOKIE)
            .and_then(|(_, v)| Language::from_code(v.trim()))
    }

    /// The `Set-Cookie` value that remembers this language for the whole site.
    pub fn set_cookie(self, secure: bool) -> String {
        format!(
            "{COOKIE}={}; Path=/; Max-Age={COOKIE_MAX_AGE}; SameSite=Lax{}",
            self.code(),
            if secure { "; Secure" } else { "" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for l in Language::ALL {
            assert_eq!(Language::from_code(l.code()), Some(l));
        }
        assert_eq!(Language::from_code("de"), None);
        assert_eq!(Language::from_code("EN"), None);
        assert_eq!(Language::from_code(""), None);
    }

    #[test]
    fn the_cookie_header_is_read_by_exact_name() {
        assert_eq!(
            Language::from_cookie_header("utvag_session=abc; utvag_lang=en"),
            Some(Language::English)
        );
        assert_eq!(Language::from_cookie_header("x_utvag_lang=en"), None);
        assert_eq!(Language::from_cookie_header("utvag_lang=fr"), None);
        assert_eq!(Language::from_cookie_header(""), None);
    }

    #[test]
    fn the_cookie_is_for_the_whole_site_and_secure_on_https() {
        let c = Language::English.set_cookie(true);
        assert!(c.starts_with("utvag_lang=en; Path=/; Max-Age=31536000; SameSite=Lax"));
        assert!(c.ends_with("; Secure"));
        assert!(!Language::Swedish.set_cookie(false).contains("Secure"));
    }
}
