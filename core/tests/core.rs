//! The trusted core through its public API: the audit trail that every read and write of a
//! participant leaves, the chain under concurrent writers on two app instances, and key rotation
//! while reads go on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use domain::{AppError, CaseStatus, Category, ParticipantForm, SspfLevel};
use utvag_core::audit::review::{self, ReviewRow};
use utvag_core::auth::{self, Authed};
use utvag_core::config::{CoreSettings, KeySource};
use utvag_core::participants::{self, ListFilter, ValidParticipant};
use utvag_core::{audit, breakglass, consent, demo, ops, AppState};

/// The demo data written afresh under `settings` (keys from a file: a copy of the shared
/// template store would carry the template's keys).
async fn demo_state(settings: CoreSettings) -> AppState {
    let state = AppState::init(settings).await.expect("app state");
    demo::load(&state).await.expect("demo data");
    state
}

async fn token(state: &AppState, username: &str) -> String {
    // Password and the demo user's second factor, as the sign-in page does.
    demo::sign_in(state, username).await.expect("sign-in")
}

async fn sign_in(state: &AppState, username: &str) -> Authed {
    let t = token(state, username).await;
    auth::authenticate(state, Some(&t)).await.expect("session")
}

/// The case and participant ids of demo person `i`, by the owner's personnummer search.
async fn case_of(owner: &Authed, i: usize) -> (String, String) {
    let rows = participants::search(owner, &demo::demo_people()[i].personnummer)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    (rows[0].case_id.clone(), rows[0].participant_id.clone())
}

fn new_person(first: &str, today: chrono::NaiveDate) -> ValidParticipant {
    let f = ParticipantForm {
        first_name: first.into(),
        last_name: "Testsson".into(),
        birth_year: "2005".into(),
        gender: "other".into(),
        municipality: "Göteborg".into(),
        protection: "none".into(),
        ..Default::default()
    };
    ValidParticipant::parse(&f, today).unwrap()
}

async fn verified_head(state: &AppState) -> i64 {
    let v = audit::verify(state).await.unwrap();
    assert!(v.ok(), "{v:?}");
    v.head_seq
}

/// Follows the audit chain from one step to the next through the log reviewer's own question.
struct Trail<'a> {
    state: &'a AppState,
    reviewer: Authed,
    head: i64,
}

impl<'a> Trail<'a> {
    async fn new(state: &'a AppState) -> Trail<'a> {
        let reviewer = sign_in(state, "granskare").await;
        Trail {
            state,
            reviewer,
            head: verified_head(state).await,
        }
    }

    /// Exactly one entry since the last step, by `username`, with `action`, naming `participant`.
    async fn one(&mut self, username: &str, action: &str, participant: &str) -> ReviewRow {
        let now = verified_head(self.state).await;
        assert_eq!(
            now - self.head,
            1,
            "{action} left {} entries",
            now - self.head
        );
        let rows = review::reads_by_user(&self.reviewer, username)
            .await
            .unwrap();
        let last = rows
            .first()
            .unwrap_or_else(|| panic!("no entry by {username}"))
            .clone();
        assert_eq!(
            last.row.seq, now,
            "{action}: the newest entry is not {username}'s"
        );
        assert_eq!(last.row.action, action);
        assert!(
            last.row.participants.iter().any(|p| p == participant),
            "{action} does not name the participant: {:?}",
            last.row
        );
        // The reviewer's question is itself one entry.
        self.head = verified_head(self.state).await;
        assert_eq!(self.head, now + 1);
        last
    }

    /// No entry since the last step.
    async fn none(&mut self, what: &str) {
        let now = verified_head(self.state).await;
        assert_eq!(now, self.head, "{what} left an entry");
    }
}

#[tokio::test]
async fn every_read_and_write_of_a_participant_leaves_exactly_one_audit_entry() {
    let state = demo::fresh(CoreSettings::for_tests()).await;
    let cw = sign_in(&state, "handlaggare").await;
    let malmo = sign_in(&state, "handlaggare.malmo").await;
    let partner = sign_in(&state, "passus").await;
    let colleague = sign_in(&state, "handlaggare2").await;
    let today = cw.state_today();
    // Demo person 12: Göteborg, case in assessment, Passus mentor with consent, police contact.
    let p = &demo::demo_people()[12];
    let (case_id, pid) = case_of(&cw, 12).await;
    let mut t = Trail::new(&state).await;

    let view = participants::view(&cw, &case_id).await.unwrap();
    let e = t.one("handlaggare", "case.read", &pid).await;
    assert_eq!(e.row.decision, "allow");
    assert_eq!(e.row.categories.len(), Category::ALL.len());

    participants::view(&partner, &case_id).await.unwrap();
    let e = t.one("passus", "case.read", &pid).await;
    assert_eq!(e.row.decision, "partial");
    assert!(
        e.row.denied.contains(&"identity".to_string()),
        "{:?}",
        e.row
    );

    assert_eq!(
        participants::view(&malmo, &case_id).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        t.one("handlaggare.malmo", "case.read", &pid)
            .await
            .row
            .decision,
        "deny"
    );

    participants::list(&cw, ListFilter::default())
        .await
        .unwrap();
    t.one("handlaggare", "case.list", &pid).await;

    participants::search(&cw, &p.personnummer).await.unwrap();
    t.one("handlaggare", "participant.search", &pid).await;

    let form = ParticipantForm {
        first_name: p.first_name.clone(),
        last_name: p.last_name.clone(),
        personnummer: p.personnummer.clone(),
        phone: p.phone.clone(),
        email: p.email.clone(),
        address: "Ny adress 4".into(),
        background: "Flyttade i veckan.".into(),
        birth_year: String::new(),
        gender: "male".into(),
        municipality: "Göteborg".into(),
        protection: p.protection.as_str().into(),
    };
    participants::update(
        &cw,
        &case_id,
        view.participant_version,
        ValidParticipant::parse(&form, today).unwrap(),
    )
    .await
    .unwrap();
    t.one("handlaggare", "participant.update", &pid).await;

    let stale = participants::update(
        &cw,
        &case_id,
        view.participant_version,
        ValidParticipant::parse(&form, today).unwrap(),
    )
    .await;
    assert!(matches!(stale, Err(AppError::Conflict { .. })), "{stale:?}");
    t.none("a refused stale edit").await;

    let edit = ValidParticipant::parse(&form, today).unwrap();
    assert_eq!(
        participants::update(&malmo, &case_id, view.participant_version + 1, edit)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        t.one("handlaggare.malmo", "participant.update", &pid)
            .await
            .row
            .decision,
        "deny"
    );

    participants::transition(&cw, &case_id, view.version, CaseStatus::Active)
        .await
        .unwrap();
    t.one("handlaggare", "case.status", &pid).await;

    participants::add_member(&cw, &case_id, "programledare", "program_lead")
        .await
        .unwrap();
    t.one("handlaggare", "case.team_add", &pid).await;

    participants::remove_member(&cw, &case_id, "demo_programledare")
        .await
        .unwrap();
    t.one("handlaggare", "case.team_remove", &pid).await;

    let n = consent::NewConsent::parse(
        demo::ORG_MALMO,
        &["identity".to_string()],
        "samtycke",
        "",
        "",
        "",
        today,
    )
    .unwrap();
    let consent_id = consent::add(&cw, &case_id, n).await.unwrap();
    t.one("handlaggare", "consent.add", &pid).await;

    let ledger = consent::list(&cw, &case_id).await.unwrap();
    assert!(ledger.iter().any(|c| c.id == consent_id));
    t.one("handlaggare", "consent.list", &pid).await;

    consent::revoke(&cw, &case_id, &consent_id).await.unwrap();
    t.one("handlaggare", "consent.revoke", &pid).await;

    // Another municipality cannot lift Göteborg's secrecy: refused, one entry, as for no case.
    assert_eq!(
        breakglass::request(
            &malmo,
            &case_id,
            "Personen har sökt skydd hos oss i Malmö i natt.",
        )
        .await
        .unwrap_err(),
        AppError::NotFound
    );
    t.one("handlaggare.malmo", "break_glass.grant", &pid).await;
    // A colleague of the owning unit off the team can, in an emergency.
    breakglass::request(
        &colleague,
        &case_id,
        "Personen har sökt skydd hos jouren i natt, behöver kontaktuppgifter.",
    )
    .await
    .unwrap();
    t.one("handlaggare2", "break_glass.grant", &pid).await;

    participants::view(&colleague, &case_id).await.unwrap();
    let e = t.one("handlaggare2", "case.read", &pid).await;
    assert!(
        e.row
            .basis
            .as_deref()
            .is_some_and(|b| b.starts_with("break_glass:")),
        "{:?}",
        e.row
    );

    let new_case = participants::register(
        &cw,
        new_person("Registrerad", today),
        SspfLevel::Individual,
        "Skola",
    )
    .await
    .unwrap();
    let new_pid = participants::view(&cw, &new_case)
        .await
        .unwrap()
        .participant_id;
    // register + the view just made.
    let now = verified_head(&state).await;
    assert_eq!(now, t.head + 2);
    let rows = review::reads_of_participant(&t.reviewer, &new_pid)
        .await
        .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.row.action.as_str()).collect();
    assert_eq!(actions, ["case.read", "participant.register"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_writers_on_two_instances_keep_one_unbroken_chain() {
    let one = demo::fresh(CoreSettings::for_tests()).await;
    let two = one.second_instance().unwrap();
    let t = token(&one, "handlaggare").await;
    let on_one = auth::authenticate(&one, Some(&t)).await.unwrap();
    let on_two = auth::authenticate(&two, Some(&t)).await.unwrap();
    let (case_id, _) = case_of(&on_one, 1).await;
    let cases_before = participants::list(&on_one, ListFilter::default())
        .await
        .unwrap()
        .len();
    let before = audit::verify(&one).await.unwrap();
    assert!(before.ok(), "{before:?}");

    let today = on_one.state_today();
    let mut tasks = Vec::new();
    for i in 0..100 {
        // Both instances both write (register) and read (view).
        let a = if i % 2 == 0 {
            on_one.clone()
        } else {
            on_two.clone()
        };
        let case_id = case_id.clone();
        tasks.push(tokio::spawn(async move {
            if i % 4 < 2 {
                participants::register(
                    &a,
                    new_person(&format!("Samtidig{i}"), today),
                    SspfLevel::Individual,
                    "",
                )
                .await
                .map(|_| ())
            } else {
                participants::view(&a, &case_id).await.map(|_| ())
            }
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }

    for instance in [&one, &two] {
        let after = audit::verify(instance).await.unwrap();
        assert!(after.ok(), "{after:?}");
        assert_eq!(after.head_seq, before.head_seq + 100);
        assert_eq!(after.entries, before.entries + 100);
    }
    let cases_after = participants::list(&on_two, ListFilter::default())
        .await
        .unwrap()
        .len();
    assert_eq!(cases_after, cases_before + 50);
}

/// A directory under the system's temp dir, removed when dropped.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rotating_the_key_file_while_reads_go_on_fails_no_read() {
    let dir = TempDir(
        std::env::temp_dir().join(format!("utvag-rotate-{}", uuid::Uuid::new_v4().simple())),
    );
    let mut settings = CoreSettings::for_tests();
    settings.keys = KeySource::File {
        path: dir.0.join("keys").join("utvag.key"),
        create_if_missing: true,
    };
    let state = demo_state(settings).await;
    let t = token(&state, "handlaggare").await;
    let cw = auth::authenticate(&state, Some(&t)).await.unwrap();
    // The unit's list also holds colleagues' cases this worker may not open: read the others.
    let mut open = Vec::new();
    for r in participants::list(&cw, ListFilter::default())
        .await
        .unwrap()
    {
        if participants::view(&cw, &r.case_id).await.is_ok() {
            open.push(r.case_id);
        }
    }
    assert!(open.len() >= 10, "{}", open.len());
    let cases: Arc<Vec<String>> = Arc::new(open);
    // Another process that read the key file before the rotation and has no DEK cached.
    let stale = state.second_instance().unwrap();
    let stale_cw = auth::authenticate(&stale, Some(&t)).await.unwrap();

    const READERS: usize = 4;
    let stop = Arc::new(AtomicBool::new(false));
    let reading = Arc::new(tokio::sync::Barrier::new(READERS + 1));
    let mut readers = Vec::new();
    for r in 0..READERS {
        let (state, t, cases, stop, reading) = (
            state.clone(),
            t.clone(),
            cases.clone(),
            stop.clone(),
            reading.clone(),
        );
        let warm = cw.clone();
        readers.push(tokio::spawn(async move {
            let mut reads = 0usize;
            let mut after_stop = 0;
            let mut failures = Vec::new();
            while after_stop < 3 {
                if stop.load(Ordering::SeqCst) {
                    after_stop += 1;
                }
                let case_id = &cases[(reads * READERS + r) % cases.len()];
                let result = if r % 2 == 0 {
                    // This instance's DEKs are cached.
                    participants::view(&warm, case_id).await.map(|_| ())
                } else {
                    // A fresh instance each time: every read unwraps its DEK from the store.
                    match state.second_instance() {
                        Ok(fresh) => match auth::authenticate(&fresh, Some(&t)).await {
                            Ok(a) => participants::view(&a, case_id).await.map(|_| ()),
                            Err(e) => Err(e),
                        },
                        Err(e) => {
                            failures.push(format!("second instance: {e}"));
                            continue;
                        }
                    }
                };
                if let Err(e) = result {
                    failures.push(format!("{case_id}: {e:?}"));
                }
                reads += 1;
                if reads == 1 {
                    reading.wait().await;
                }
            }
            (reads, failures)
        }));
    }
    reading.wait().await;
    let (version, rewrapped) = ops::rotate_keys(&state, &utvag_core::progress::Quiet)
        .await
        .unwrap();
    stop.store(true, Ordering::SeqCst);
    for reader in readers {
        let (reads, failures) = reader.await.unwrap();
        assert!(failures.is_empty(), "{failures:?}");
        assert!(reads >= 4, "{reads}");
    }
    assert_eq!(version, 2);
    // Every data key: the demo people with cases, those known only from a referral, and the
    // SSPF groups' own keys.
    assert!(rewrapped >= demo::DEMO_PARTICIPANTS, "{rewrapped}");

    let (versions, current, per_version) = ops::key_status(&state).await.unwrap();
    assert_eq!(versions, vec![1, 2]);
    assert_eq!(current, 2);
    assert_eq!(per_version, vec![(2, rewrapped as i64)]);

    // The instance that loaded the old key file picks up the new version when it meets it.
    for case_id in cases.iter() {
        participants::view(&stale_cw, case_id).await.unwrap();
    }
    assert_eq!(ops::key_status(&stale).await.unwrap().1, 2);
    // The demo group's own key was rewrapped with the rest: its label still opens, also on the
    // instance that started with the old key file.
    let g = utvag_core::group::view(&stale_cw, utvag_core::demo_groups::DEMO_GROUP)
        .await
        .unwrap();
    assert_eq!(g.group.name, utvag_core::demo_groups::DEMO_GROUP_NAME);
    assert!(audit::verify(&state).await.unwrap().ok());
}
