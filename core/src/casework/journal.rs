//! The journal: the contact log (each organisation logs its own contacts) and notes (edited in
//! place for a short while, afterwards as a new version that keeps the old text).

use chrono::{DateTime, Duration, Utc};
use domain::Problem;
use serde::Deserialize;

use super::read::Case;
use crate::auth::Authed;
use crate::db::new_id;
use crate::gate::check_id;
use crate::vault;
use domain::casework::*;
use domain::event::EventLine;
use domain::input::{swedish_time, text};
use domain::{AppError, Category, MAX_TEXT};

/// How long the author may still edit a note in place; after that an edit is a new version.
pub const NOTE_EDIT_WINDOW_MINUTES: i64 = 15;

/// Logs a contact for the writer's own organisation. `at` is what a Swedish clock showed,
/// `ÅÅÅÅ-MM-DDTHH:MM` (a `datetime-local` field), or empty for now; the duration is in minutes.
pub async fn add_contact(
    a: &Authed,
    case_id: &str,
    at: &str,
    kind: ContactKind,
    minutes: &str,
    summary: &str,
) -> Result<String, AppError> {
    let c = Case::open(a, case_id, "contact.add", &[Category::Contacts]).await?;
    c.require(c.may(Category::Contacts)).await?;
    let at = match at.trim() {
        "" => c.now,
        s => swedish_time("at", s)?,
    };
    if at > c.now + Duration::minutes(5) {
        return Err(AppError::problem(
            "at",
            domain::error::Problem::InFuture,
            "En kontakt kan inte loggas i förväg.",
        ));
    }
    if c.now - at > Duration::days(365) {
        return Err(AppError::problem(
            "at",
            domain::error::Problem::NotWithinAYear,
            "Kontakten ligger mer än ett år bakåt i tiden.",
        ));
    }
    let minutes: i64 = match minutes.trim() {
        "" => 0,
        s => s
            .parse()
            .ok()
            .filter(|m| (0..=24 * 60).contains(m))
            .ok_or_else(|| {
                AppError::problem(
                    "minutes",
                    domain::error::Problem::Range { min: 0, max: 1440 },
                    "Ange längd i minuter (0–1440).",
                )
            })?,
    };
    let summary = text("summary", "Sammanfattningen", summary, true, MAX_TEXT)?;
    let w = c
        .write(EventKind::Contact, at, "contact", &new_id())
        .await?
        .seal("summary", &summary)?
        .var("at", at)
        .var("kind", kind.as_str())
        .var("minutes", minutes);
    let body = "CREATE type::record('contact', $id) CONTENT { case: $cid, participant: $pid, at: <datetime>$at, org: $org,
        kind: $kind, minutes: $minutes, summary: $summary, author: $user, created_at: <datetime>$now } RETURN NONE;
        fn::contact_count($cid, $org, (SELECT VALUE municipality FROM ONLY type::record('case', $cid)), <datetime>$at);";
    let minutes = u32::try_from(minutes).unwrap_or(0);
    c.commit(w, body, EventLine::Contact { kind, minutes }, &summary)
        .await
}

pub async fn add_note(a: &Authed, case_id: &str, body_text: &str) -> Result<String, AppError> {
    let c = Case::open(a, case_id, "note.add", &[Category::Notes]).await?;
    c.require(c.may(Category::Notes)).await?;
    let t = text("text", "Anteckningen", body_text, true, MAX_TEXT)?;
    let w = c
        .write(EventKind::Note, c.now, "note", &new_id())
        .await?
        .seal("text", &t)?;
    let body = "CREATE type::record('note', $id) CONTENT { case: $cid, participant: $pid, text: $text, author: $user, org: $org,
        created_at: <datetime>$now, updated_at: <datetime>$now, version: 1, history: [], corrected: false } RETURN NONE;";
    c.commit(w, body, None, &t).await
}

/// Edits a note: in place within the edit window, afterwards as a new version with the old text
/// kept and the note marked as corrected. Only the author may edit.
pub async fn edit_note(
    a: &Authed,
    case_id: &str,
    note_id: &str,
    version: i64,
    body_text: &str,
) -> Result<(), AppError> {
    check_id(note_id)?;
    let c = Case::open(a, case_id, "note.edit", &[Category::Notes]).await?;
    #[derive(Deserialize)]
    struct N {
        case: String,
        author: String,
        text: String,
        created_at: DateTime<Utc>,
        version: i64,
    }
    let n: Option<N> = a
        .state()
        .db()
        .q("SELECT * FROM ONLY type::record('note', $id)")
        .bind("id", note_id)
        .run()
        .await?
        .first(0)?;
    let n = n
        .filter(|n| n.case == c.case.id)
        .ok_or(AppError::NotFound)?;
    c.require(n.author == a.user_id() && c.may(Category::Notes))
        .await?;
    if n.version != version {
        return Err(AppError::conflict(
            Problem::Stale,
            "Anteckningen har ändrats sedan du öppnade den. Ladda om och gör om ändringen.",
        ));
    }
    let t = text("text", "Anteckningen", body_text, true, MAX_TEXT)?;
    let in_window = c.now - n.created_at <= Duration::minutes(NOTE_EDIT_WINDOW_MINUTES);
    let w = c
        .write(EventKind::Note, c.now, "note", note_id)
        .await?
        .seal("text", &t)?;
    // The old text keeps its own AAD: a history entry is sealed for its position (version).
    let old_plain = vault::open(w.key(), "note", note_id, "text", &n.text)?.expose();
    let history = format!("history.{}", n.version);
    let old = vault::seal(w.key(), "note", note_id, &history, &old_plain)?;
    let w = w.var("v", version).var("old", old).var("window", in_window);
    let body = "
        IF (SELECT VALUE version FROM ONLY type::record('note', $id)) != $v { THROW 'conflict:stale:Anteckningen har ändrats sedan du öppnade den. Ladda om och gör om ändringen.' };
        IF $window {
            UPDATE type::record('note', $id) SET text = $text, version = $v + 1, updated_at = <datetime>$now RETURN NONE;
        } ELSE {
            UPDATE type::record('note', $id) SET history += { version: $v, text: $old, replaced_at: <datetime>$now },
                text = $text, version = $v + 1, corrected = true, updated_at = <datetime>$now RETURN NONE;
            UPDATE event SET corrected = true WHERE source = 'note:' + $id RETURN NONE;
        };";
    let line = (!in_window).then_some(EventLine::NoteCorrected);
    c.commit(w, body, line, &t).await.map(drop)
}

pub async fn notes(a: &Authed, case_id: &str) -> Result<Vec<NoteDto>, AppError> {
    let (c, tab) = Case::open_tab(
        a,
        case_id,
        "notes.read",
        &[Category::Notes],
        &[
            "SELECT *, record::id(id) AS id, (SELECT VALUE display_name FROM ONLY type::record('user', $parent.author)) AS author_name
            FROM note WHERE case = $c ORDER BY created_at DESC LIMIT 200",
        ],
    )
    .await?;
    c.require(c.may(Category::Notes)).await?;
    #[derive(Deserialize)]
    struct N {
        id: String,
        author: String,
        author_name: Option<String>,
        text: String,
        created_at: DateTime<Utc>,
        version: i64,
        corrected: bool,
    }
    let mut r = c.read(tab, true).await?;
    let out = r
        .all::<N>(0)?
        .into_iter()
        .map(|n| {
            Ok(NoteDto {
                can_edit: n.author == a.user_id(),
                text: r.text("note", &n.id, "text", Some(&n.text))?,
                id: n.id,
                author: n.author_name.unwrap_or(n.author),
                at: n.created_at,
                version: n.version,
                corrected: n.corrected,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    c.audit_read(&[Category::Notes]).await?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::{safety, timeline, TimelineFilter};
    use crate::testing::{as_user, setup, shared_case};

    #[tokio::test]
    async fn police_see_safety_but_not_notes_or_health_without_a_basis() {
        let state = setup().await;
        let (w, police) = (
            as_user(&state, "handlaggare").await,
            as_user(&state, "polis").await,
        );
        let case = shared_case(&w).await;
        add_note(
            &w,
            &case,
            "Mår dåligt, har kontakt med vårdcentralen om sömnen.",
        )
        .await
        .unwrap();
        assert!(safety(&police, &case).await.is_ok());
        assert_eq!(
            notes(&police, &case).await.unwrap_err(),
            AppError::Forbidden
        );
        let page = timeline(&police, &case, "", TimelineFilter::default(), 200)
            .await
            .unwrap();
        assert!(page
            .events
            .iter()
            .filter(|e| e.category == Category::Notes)
            .all(|e| e.text.is_none()));
        assert!(!serde_json::to_string(&page)
            .unwrap()
            .contains("vårdcentralen"));
        assert_eq!(
            add_note(&police, &case, "x").await.unwrap_err(),
            AppError::Forbidden
        );
    }

    #[tokio::test]
    async fn a_note_is_edited_in_place_within_the_window_and_versioned_after() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        let id = add_note(&w, &case, "Första versionen").await.unwrap();
        edit_note(&w, &case, &id, 1, "Rättat stavfel")
            .await
            .unwrap();
        let n = notes(&w, &case)
            .await
            .unwrap()
            .into_iter()
            .find(|n| n.id == id)
            .unwrap();
        assert!(!n.corrected);
        state
            .clock()
            .advance(Duration::minutes(NOTE_EDIT_WINDOW_MINUTES + 1));
        let w = as_user(&state, "handlaggare").await;
        edit_note(&w, &case, &id, 2, "Ny uppgift efter samtal")
            .await
            .unwrap();
        let n = notes(&w, &case)
            .await
            .unwrap()
            .into_iter()
            .find(|n| n.id == id)
            .unwrap();
        assert!(n.corrected);
        assert_eq!(n.text, "Ny uppgift efter samtal");
        let hist = state
            .db()
            .q("SELECT VALUE history FROM ONLY type::record('note', $id)")
            .bind("id", &id)
            .run()
            .await
            .unwrap()
            .value(0);
        assert_eq!(
            hist.as_array().map(Vec::len),
            Some(1),
            "the old text stays: {hist}"
        );
        assert_eq!(
            edit_note(&w, &case, &id, 2, "stale").await.unwrap_err(),
            AppError::conflict(
                Problem::Stale,
                "Anteckningen har ändrats sedan du öppnade den. Ladda om och gör om ändringen."
            )
        );
    }

    #[tokio::test]
    async fn a_contact_time_is_read_on_a_swedish_clock() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        // An hour ago, to the minute, as the clock on the wall showed it.
        let then = state.clock().now() - Duration::hours(1);
        let then = then
            - Duration::seconds(then.timestamp() % 60)
            - Duration::nanoseconds(i64::from(then.timestamp_subsec_nanos()));
        let local = domain::time::swedish_local(then)
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let id = add_contact(&w, &case, &local, ContactKind::Phone, "10", "Samtal")
            .await
            .unwrap();
        let at: Option<DateTime<Utc>> = state
            .db()
            .q("SELECT VALUE at FROM ONLY type::record('contact', $id)")
            .bind("id", &id)
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap();
        assert_eq!(at, Some(then));
        let e = add_contact(&w, &case, "i går", ContactKind::Phone, "", "Samtal")
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("at"));
    }
}
