//! Organisations, users, roles and the signed-in user's view of themselves.

use serde::{Deserialize, Serialize};

use super::{AppError, Problem};

/// What a user does in the program. One role per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    CaseWorker,
    ProgramLead,
    Partner,
    Police,
    /// Staff of a school or leisure service (fritid): refers young people and contributes to
    /// situation pictures; never reads case content.
    Contributor,
    Auditor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::CaseWorker,
        Role::ProgramLead,
        Role::Partner,
        Role::Police,
        Role::Contributor,
        Role::Auditor,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::CaseWorker => "case_worker",
            Role::ProgramLead => "program_lead",
            Role::Partner => "partner",
            Role::Police => "police",
            Role::Contributor => "contributor",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Result<Role, AppError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                AppError::problem(
                    "role",
                    crate::error::Problem::Choose,
                    "Välj en giltig roll.",
                )
            })
    }

    /// Swedish label for the UI.
    pub fn label(self) -> &'static str {
        match self {
            Role::CaseWorker => "Handläggare",
            Role::ProgramLead => "Programledare",
            Role::Partner => "Samverkanspartner",
            Role::Police => "Polis",
            Role::Contributor => "Skola eller fritid",
            Role::Auditor => "Loggranskare",
            Role::Admin => "Systemadministratör",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    SocialServices,
    Police,
    Ngo,
    School,
    /// Leisure and youth services (fritidsförvaltning, fritidsgårdar).
    Leisure,
    Other,
}

impl OrgKind {
    pub const ALL: [OrgKind; 6] = [
        OrgKind::SocialServices,
        OrgKind::Police,
        OrgKind::Ngo,
        OrgKind::School,
        OrgKind::Leisure,
        OrgKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::SocialServices => "social_services",
            OrgKind::Police => "police",
            OrgKind::Ngo => "ngo",
            OrgKind::School => "school",
            OrgKind::Leisure => "leisure",
            OrgKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<OrgKind, AppError> {
        OrgKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                AppError::problem(
                    "kind",
                    crate::error::Problem::Choose,
                    "Välj en giltig typ av organisation.",
                )
            })
    }

    pub fn label(self) -> &'static str {
        match self {
            OrgKind::SocialServices => "Socialtjänst",
            OrgKind::Police => "Polis",
            OrgKind::Ngo => "Idéburen organisation",
            OrgKind::School => "Skola",
            OrgKind::Leisure => "Fritid",
            OrgKind::Other => "Annan",
        }
    }
}

fn trimmed_len(
    field: &str,
    label: &str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<String, AppError> {
    let v = value.trim();
    let n = v.chars().count();
    if n < min {
        return Err(AppError::problem(
            field,
            Problem::Required,
            format!("{label} måste fyllas i."),
        ));
    }
    if n > max {
        return Err(AppError::problem(
            field,
            Problem::TooLong { max },
            format!("{label} får vara högst {max} tecken."),
        ));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(AppError::problem(
            field,
            Problem::BadCharacters,
            format!("{label} innehåller otillåtna tecken."),
        ));
    }
    Ok(v.to_string())
}

/// A sign-in name: lower-case letters, digits, `.`, `-`, `_`; 3–64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Username, AppError> {
        let v = s.trim().to_lowercase();
        let ok_chars = v
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
        if !(3..=64).contains(&v.len()) || !ok_chars {
            return Err(AppError::problem(
                "username",
                Problem::Username,
                "Användarnamnet ska vara 3–64 tecken: a–z, siffror, punkt, bindestreck eller understreck.",
            ));
        }
        Ok(Username(v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's or organisation's display name, 1–120 characters without control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(field: &str, s: &str) -> Result<DisplayName, AppError> {
        trimmed_len(field, "Namnet", s, 1, 120).map(DisplayName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: at least 12 characters (a passphrase is encouraged), at most 256.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(s: &str) -> Result<NewPassword, AppError> {
        let n = s.chars().count();
        if n < 12 {
            return Err(AppError::problem(
                "password",
                Problem::PasswordShort,
                "Lösenordet måste vara minst 12 tecken. Använd gärna en fras.",
            ));
        }
        if n > 256 {
            return Err(AppError::problem(
                "password",
                Problem::TooLong { max: 256 },
                "Lösenordet får vara högst 256 tecken.",
            ));
        }
        Ok(NewPassword(s.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(••••)")
    }
}

/// Municipalities an organisation serves: 1–20 names, each 2–60 characters.
pub fn parse_municipalities(s: &str) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split([',', '\n']) {
        let p = part.trim();
        if p.is_empty() {
            continue;
        }
        let name = trimmed_len("municipalities", "Kommunnamnet", p, 2, 60)?;
        if !out.iter().any(|m| m.eq_ignore_ascii_case(&name)) {
            out.push(name);
        }
    }
    if out.is_empty() {
        return Err(AppError::problem(
            "municipalities",
            Problem::Required,
            "Ange minst en kommun som organisationen arbetar för.",
        ));
    }
    if out.len() > 20 {
        return Err(AppError::problem(
            "municipalities",
            Problem::TooMany { max: 20 },
            "Högst 20 kommuner.",
        ));
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgDto {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    pub municipalities: Vec<String>,
    pub active: bool,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserDto {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub org_id: String,
    pub org_name: String,
    pub role: Role,
    pub active: bool,
    pub locked_until: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i64,
}

/// The signed-in user as the UI sees them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_id: String,
    pub org_name: String,
    pub org_kind: OrgKind,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_is_normalised_and_validated() {
        assert_eq!(
            Username::parse(" Handlaggare.Malmo ").unwrap().as_str(),
            "handlaggare.malmo"
        );
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("a b c").is_err());
        assert!(Username::parse("åsa").is_err());
    }

    #[test]
    fn short_password_is_refused_with_a_field() {
        let e = NewPassword::parse("kort").unwrap_err();
        assert_eq!(e.field(), Some("password"));
    }

    #[test]
    fn municipalities_are_split_and_deduplicated() {
        assert_eq!(
            parse_municipalities("Göteborg, Mölndal,göteborg").unwrap(),
            vec!["Göteborg", "Mölndal"]
        );
        assert!(parse_municipalities(" , ").is_err());
    }

    #[test]
    fn every_role_round_trips_through_its_name() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()).unwrap(), r);
        }
    }
}
