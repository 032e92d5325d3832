use super::*;
use crate::demo::demo_people;
use crate::participants;
use crate::testing::{as_user, setup, shared_case};
use domain::situation::{ContributionInput, PictureInput};
use domain::AreaInput;

async fn rows(state: &crate::AppState, table: &str) -> u64 {
    let v = state
        .db()
        .q(format!("SELECT count() AS n FROM {table} GROUP ALL"))
        .run()
        .await
        .unwrap()
        .value(0);
    v[0]["n"].as_u64().unwrap_or(0)
}

async fn last_entry(state: &crate::AppState) -> (String, String, Option<String>) {
    let v = state
        .db()
        .q("SELECT action, decision, reason FROM audit ORDER BY seq DESC LIMIT 1")
        .run()
        .await
        .unwrap()
        .value(0);
    (
        v[0]["action"].as_str().unwrap().to_string(),
        v[0]["decision"].as_str().unwrap().to_string(),
        v[0]["reason"].as_str().map(str::to_string),
    )
}

fn obs(area: &str, period: Period, category: &str, level: &str, text: &str) -> ContributionInput {
    ContributionInput::parse(area, &period.code(), category, level, "", "", "", text).unwrap()
}

#[tokio::test]
async fn an_observation_naming_or_numbering_a_person_is_refused_and_nothing_is_saved() {
    let state = setup().await;
    let school = as_user(&state, "skola").await;
    let now = current_period(&school);
    let person = &demo_people()[0];
    let cases = [
        (
            "text",
            format!("Pojken med personnummer {} syns ofta", person.personnummer),
            "personnummer",
        ),
        (
            "text",
            "Född 0501011234, bor nära skolan".to_string(),
            "personnummer",
        ),
        ("text", format!("Ring honom på {}", person.phone), "phone"),
        ("text", "Nås på +46 70 174 06 12".to_string(), "phone"),
        (
            "text",
            format!(
                "{} {} rekryterar yngre elever",
                person.first_name, person.last_name
            ),
            "name",
        ),
        (
            "place",
            format!("Hemma hos {}, {}", person.last_name, person.first_name),
            "name",
        ),
    ];
    for (field, text, kind) in cases {
        let before = rows(&state, "situation_contribution").await;
        let (place, body) = if field == "place" {
            (text.as_str(), "Oro på kvällar")
        } else {
            ("", text.as_str())
        };
        let input = ContributionInput::parse(
            "angered",
            &now.code(),
            "places",
            "high",
            place,
            "evening",
            "",
            body,
        )
        .unwrap();
        let err = contribute(&school, input).await.unwrap_err();
        assert_eq!(err.field(), Some(field), "{text}");
        assert!(
            err.to_string()
                .contains(if kind == "name" { "namn" } else { "nummer" }),
            "{err}"
        );
        assert_eq!(
            rows(&state, "situation_contribution").await,
            before,
            "nothing saved: {text}"
        );
        let (action, decision, reason) = last_entry(&state).await;
        assert_eq!(
            (action.as_str(), decision.as_str()),
            ("situation.contribute", "deny")
        );
        assert_eq!(reason, Some(format!("personal_data:{field}:{kind}")));
    }

    // The coordinator's picture is held to the same rule.
    let lead = as_user(&state, "programledare").await;
    let before = rows(&state, "situation_picture").await;
    let bad = PictureInput::parse(
        "angered",
        &now.code(),
        "Bilden",
        &format!("Stötta {} {}", person.first_name, person.last_name),
        "",
        "draft",
    )
    .unwrap();
    let err = save_picture(&lead, bad).await.unwrap_err();
    assert_eq!(err.field(), Some("priorities"));
    assert_eq!(rows(&state, "situation_picture").await, before);
}

#[tokio::test]
async fn an_ordinary_observation_is_saved_and_seen_by_its_own_organisation_only() {
    let state = setup().await;
    let school = as_user(&state, "skola").await;
    let leisure = as_user(&state, "fritid").await;
    let now = current_period(&school);
    let before = rows(&state, "situation_contribution").await;
    let input = ContributionInput::parse(
        "angered",
        &now.code(),
        "places",
        "high",
        "Torget vid Angereds centrum",
        "evening",
        "weekend",
        "Äldre ungdomar samlas 2026-11-20 kl. 21-23 och 12 elever har berättat om erbjudanden om pengar.",
    )
    .unwrap();
    let saved = contribute(&school, input).await.unwrap();
    assert_eq!(rows(&state, "situation_contribution").await, before + 1);
    let (action, decision, _) = last_entry(&state).await;
    assert_eq!(
        (action.as_str(), decision.as_str()),
        ("situation.contribute", "allow")
    );

    let mine = view(&school, "angered", &now.code()).await.unwrap();
    assert!(mine.contributions.iter().any(|c| c.id == saved.id));
    assert!(mine
        .contributions
        .iter()
        .all(|c| c.org_id == school.org_id()));
    let theirs = view(&leisure, "angered", &now.code()).await.unwrap();
    assert!(theirs.contributions.iter().all(|c| c.id != saved.id));
    let lead = as_user(&state, "programledare").await;
    let all = view(&lead, "angered", &now.code()).await.unwrap();
    assert!(all.contributions.iter().any(|c| c.id == saved.id));
    assert!(all.may_coordinate);

    // An area outside the user's municipalities is not found, after a deny entry.
    let err = view(&school, "rosengard", &now.code()).await.unwrap_err();
    assert!(matches!(err, AppError::NotFound));
    assert_eq!(last_entry(&state).await.1, "deny");
    let future = Period {
        year: now.year + 1,
        quarter: now.quarter,
    };
    let err = contribute(&school, obs("angered", future, "incidents", "low", "Inget"))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("period"));
}

#[tokio::test]
async fn contributors_cannot_merge_and_the_attempt_leaves_a_deny_entry() {
    let state = setup().await;
    let now = current_period(&as_user(&state, "skola").await);
    for user in ["skola", "fritid", "passus", "polis", "handlaggare"] {
        let a = as_user(&state, user).await;
        let before = rows(&state, "situation_picture").await;
        let (seq, _) = audit::head(&state).await.unwrap();
        let input =
            PictureInput::parse("angered", &now.code(), "Bilden", "", "", "agreed").unwrap();
        assert!(matches!(
            save_picture(&a, input).await,
            Err(AppError::Forbidden)
        ));
        assert_eq!(rows(&state, "situation_picture").await, before);
        assert_eq!(audit::head(&state).await.unwrap().0, seq + 1, "{user}");
        let (action, decision, reason) = last_entry(&state).await;
        assert_eq!(action, "situation.picture.save");
        assert_eq!(decision, "deny");
        assert_eq!(reason.as_deref(), Some("capability:CoordinateSituation"));
    }
}

#[tokio::test]
async fn the_comparison_with_earlier_periods_equals_the_contributed_counts() {
    let state = setup().await;
    let admin = as_user(&state, "admin").await;
    let area = crate::area::create(
        &admin,
        AreaInput::parse("Göteborg", "Bergsjön", "district").unwrap(),
    )
    .await
    .unwrap();
    let school = as_user(&state, "skola").await;
    let police = as_user(&state, "polis").await;
    let now = current_period(&school);
    let prev = now.previous();
    let plan: &[(&Authed, Period, &str, &str, usize)] = &[
        (&school, now, "places", "high", 3),
        (&police, now, "places", "high", 2),
        (&police, now, "incidents", "medium", 1),
        (&school, prev, "recruitment", "low", 2),
        (&police, prev, "places", "high", 1),
    ];
    for (who, period, c, l, n) in plan {
        for i in 0..*n {
            contribute(
                who,
                obs(&area.id, *period, c, l, &format!("Iakttagelse {i}")),
            )
            .await
            .unwrap();
        }
    }
    let lead = as_user(&state, "programledare").await;
    let v = view(&lead, &area.id, &now.code()).await.unwrap();
    assert_eq!(v.comparison.len(), PERIODS_SHOWN);
    assert_eq!(v.comparison[0].period, now);
    assert_eq!(v.comparison[1].period, prev);
    for pc in &v.comparison {
        for (c, l, n) in &pc.cells {
            let expected: usize = plan
                .iter()
                .filter(|(_, p, cc, ll, _)| {
                    *p == pc.period && *cc == c.as_str() && *ll == l.as_str()
                })
                .map(|x| x.4)
                .sum();
            assert_eq!(*n as usize, expected, "{} {c:?} {l:?}", pc.period.code());
        }
    }
    assert_eq!(v.comparison[0].total(ObservationCategory::Places), 5);
    assert_eq!(v.comparison[2].cells.iter().map(|x| x.2).sum::<u32>(), 0);
    // The overview counts the same observations: all for the coordinator, own for others.
    let o = overview(&lead).await.unwrap();
    let row = o.rows.iter().find(|r| r.area.id == area.id).unwrap();
    assert_eq!(row.cells[0].contributions, 6);
    assert_eq!(row.cells[1].contributions, 3);
    let o = overview(&school).await.unwrap();
    let row = o.rows.iter().find(|r| r.area.id == area.id).unwrap();
    assert_eq!(row.cells[0].contributions, 3);
    assert!(o.rows.iter().all(|r| r.area.municipality == "Göteborg"));
}

#[tokio::test]
async fn an_agreed_picture_is_shown_to_contributors_and_closes_the_period() {
    let state = setup().await;
    let lead = as_user(&state, "programledare").await;
    let school = as_user(&state, "skola").await;
    let now = current_period(&lead);
    // A quarter the demo data leaves empty.
    let p = now.recent(PERIODS_SHOWN)[PERIODS_SHOWN - 1];
    contribute(
        &school,
        obs(
            "hisingen_skola",
            p,
            "youth_voice",
            "medium",
            "Elever oroar sig för vägen hem.",
        ),
    )
    .await
    .unwrap();
    let draft = PictureInput::parse(
        "hisingen_skola",
        &p.code(),
        "Oro för skolvägen på kvällar.",
        "Trygg skolväg\nFler vuxna ute",
        "Fritid; Öppet hus fredagar; 2026-12-18",
        "draft",
    )
    .unwrap();
    let saved = save_picture(&lead, draft).await.unwrap();
    assert_eq!(saved.status, PictureStatus::Draft);
    assert_eq!(saved.priorities, ["Trygg skolväg", "Fler vuxna ute"]);
    let seen = view(&school, "hisingen_skola", &p.code()).await.unwrap();
    assert!(seen.picture.is_none() && seen.draft_pending);
    assert!(matches!(
        print(&school, &saved.id).await,
        Err(AppError::NotFound)
    ));
    assert!(print(&lead, &saved.id).await.is_ok());

    let agreed = PictureInput::parse(
        "hisingen_skola",
        &p.code(),
        "Oro för skolvägen på kvällar.",
        "Trygg skolväg",
        "",
        "agreed",
    )
    .unwrap();
    let saved = save_picture(&lead, agreed).await.unwrap();
    assert!(saved.agreed_at.is_some());
    let seen = view(&school, "hisingen_skola", &p.code()).await.unwrap();
    assert_eq!(
        seen.picture.as_ref().map(|p| p.status),
        Some(PictureStatus::Agreed)
    );
    assert!(!seen.open_for_contributions);
    let printed = print(&school, &saved.id).await.unwrap();
    assert_eq!(printed.contributors, ["Grundskoleförvaltningen Göteborg"]);
    assert_eq!(
        printed.comparison[0].get(ObservationCategory::YouthVoice, ConcernLevel::Medium),
        1
    );

    let before = rows(&state, "situation_contribution").await;
    let late = contribute(
        &school,
        obs("hisingen_skola", p, "incidents", "low", "Sent bidrag"),
    )
    .await
    .unwrap_err();
    assert!(matches!(late, AppError::Conflict { .. }), "{late:?}");
    assert_eq!(rows(&state, "situation_contribution").await, before);
}

#[tokio::test]
async fn a_school_user_sees_no_case_content() {
    let state = setup().await;
    let school = as_user(&state, "skola").await;
    let worker = as_user(&state, "handlaggare").await;
    let case = shared_case(&worker).await;
    assert!(matches!(
        participants::list(&school, participants::ListFilter::default()).await,
        Err(AppError::Forbidden)
    ));
    assert!(participants::view(&school, &case).await.is_err());
    assert!(
        participants::search(&school, &demo_people()[0].personnummer)
            .await
            .is_err()
    );
    // What the situation pages give a school user holds no one from the register.
    let now = current_period(&school);
    let mut shown = serde_json::to_string(&overview(&school).await.unwrap()).unwrap();
    for area in ["angered", "hisingen_skola"] {
        for p in now.recent(PERIODS_SHOWN) {
            let v = view(&school, area, &p.code()).await.unwrap();
            shown.push_str(&serde_json::to_string(&v).unwrap());
            if let Some(pic) = v.picture {
                let pr = print(&school, &pic.id).await.unwrap();
                shown.push_str(&serde_json::to_string(&pr).unwrap());
            }
        }
    }
    for p in demo_people() {
        for needle in [
            format!("{} {}", p.first_name, p.last_name),
            p.personnummer.clone(),
            p.phone.clone(),
        ] {
            assert!(!shown.contains(&needle), "{needle}");
        }
    }
    assert!(!shown.contains(&case));
}

#[tokio::test]
async fn the_demo_pictures_load_on_the_demo_identities() {
    let state = crate::AppState::init(crate::config::CoreSettings::for_tests())
        .await
        .unwrap();
    crate::demo::load_identities(&state).await.unwrap();
    crate::demo_situation::load(&state).await.unwrap();
    let v = state
        .db()
        .q("SELECT count() AS n FROM situation_picture GROUP ALL")
        .run()
        .await
        .unwrap()
        .value(0);
    assert_eq!(v[0]["n"].as_u64(), Some(6));
}
