//! Demo situation pictures: two Göteborg areas (Angered, Norra Hisingens skolområde) over the
//! current quarter and the two before it, with observations from the school, leisure services,
//! the police, Passus and social services; agreed pictures for the two earlier quarters and a
//! draft for the current one.
//!
//! Written in one transaction as the system (one audit entry), not observation by observation
//! through the request path: every core test loads the demo data, and thirty audited writes
//! would slow each of them down. The texts describe places and patterns and name no one (a
//! test holds them to the same check as a contribution).

use chrono::{Duration, NaiveDate, NaiveTime};
use serde_json::json;

use super::audit::{self, Entry, Who};
use super::demo_cast::{ORG_GBG, ORG_LEISURE, ORG_PASSUS, ORG_POLICE, ORG_SCHOOL};
use super::situation::picture_id;
use super::state::AppState;
use domain::situation::Period;
use domain::AppError;

/// (org, author, category, level, place, time of day, days, text)
type Obs = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
);

/// Observations per area, for the quarter `n` quarters back (0 = current).
pub(crate) fn observations(area: &str, back: usize) -> Vec<Obs> {
    let s = (ORG_SCHOOL, "demo_skola");
    let f = (ORG_LEISURE, "demo_fritid");
    let p = (ORG_POLICE, "demo_polis");
    let n = (ORG_PASSUS, "demo_passus");
    let g = (ORG_GBG, "demo_handlaggare");
    let o = |w: (&'static str, &'static str), c, l, pl, t, d, x| (w.0, w.1, c, l, pl, t, d, x);
    match (area, back) {
        ("angered", 2) => vec![
            o(p, "incidents", "medium", Some("Angereds centrum"), Some("evening"), Some("weekend"), "Två rån mot unga vid spårvagnshållplatsen under kvartalet."),
            o(f, "places", "medium", Some("Fritidsgården vid torget"), Some("evening"), Some("weekdays"), "Äldre ungdomar utanför gården flera kvällar i veckan."),
            o(s, "youth_voice", "low", None, None, None, "Elever i årskurs 8 säger att de undviker gångtunneln på väg hem."),
        ],
        ("angered", 1) => vec![
            o(p, "incidents", "high", Some("Angereds centrum"), Some("night"), Some("weekend"), "Skottlossning i området; oro för att yngre dras in i konflikten."),
            o(f, "recruitment", "high", Some("Fritidsgården vid torget"), Some("evening"), Some("all_week"), "Yngre pojkar erbjuds pengar för att springa ärenden åt äldre."),
            o(s, "recruitment", "medium", None, Some("daytime"), Some("weekdays"), "Lärare ser nya dyra kläder och frånvaro bland några elever i årskurs 7."),
            o(n, "youth_voice", "high", None, None, None, "Unga som mentorerna möter berättar att det är lätt att få uppdrag via sociala medier."),
            o(g, "places", "medium", Some("Parkeringen bakom hälsocentralen"), Some("night"), Some("weekend"), "Uppehållsplats där unga samlas efter att fritidsgården stängt."),
        ],
        ("angered", 0) => vec![
            o(p, "incidents", "medium", Some("Angereds centrum"), Some("evening"), Some("weekend"), "Färre våldsbrott än förra kvartalet men fortsatt narkotikaförsäljning."),
            o(f, "places", "low", Some("Fritidsgården vid torget"), Some("evening"), Some("weekdays"), "Lugnare utanför gården sedan fredagsöppet infördes."),
            o(s, "youth_voice", "medium", None, None, None, "Elever berättar om erbjudanden om pengar i chattgrupper."),
        ],
        ("hisingen_skola", 2) => vec![
            o(s, "places", "medium", Some("Skolgården efter skoltid"), Some("evening"), Some("weekdays"), "Okända vuxna uppehåller sig vid skolgården efter skoltid."),
            o(f, "youth_voice", "low", None, None, None, "Unga efterfrågar fler aktiviteter på helgerna."),
        ],
        ("hisingen_skola", 1) => vec![
            o(s, "recruitment", "high", Some("Busshållplatsen vid skolan"), Some("daytime"), Some("weekdays"), "Elever i årskurs 6 har blivit tillfrågade att förvara saker åt äldre."),
            o(p, "incidents", "medium", Some("Köpcentret"), Some("evening"), Some("weekend"), "Stölder och hot mellan ungdomsgrupper vid köpcentret."),
            o(n, "youth_voice", "medium", None, None, None, "Föräldrar som Passus möter oroar sig för vad barnen gör på kvällarna."),
        ],
        ("hisingen_skola", 0) => vec![
            o(s, "places", "medium", Some("Skolgården efter skoltid"), Some("evening"), Some("weekdays"), "Fortsatt samling av äldre ungdomar vid skolgården."),
            o(g, "recruitment", "medium", None, None, None, "Fler orosanmälningar om unga som lockas med pengar än förra kvartalet."),
        ],
        _ => Vec::new(),
    }
}

/// (summary, priorities, actions as (who, what, days after the quarter's end))
type Picture = (
    &'static str,
    Vec<&'static str>,
    Vec<(&'static str, &'static str, i64)>,
);

/// The picture of an area for the quarter `back` quarters back (0 = current, a draft).
fn picture(area: &str, back: usize) -> Picture {
    match (area, back) {
        ("angered", 0) => (
            "Våldet har minskat sedan förra kvartalet men rekryteringen via sociala medier fortsätter.",
            vec!["Rekrytering via sociala medier", "Trygg väg hem från centrum"],
            vec![("Skolan", "Samtal i årskurs 7–9 om rekrytering på nätet", 30)],
        ),
        ("angered", 1) => (
            "Kvartalet präglades av skjutningen i centrum. Flera aktörer ser att yngre erbjuds pengar för uppdrag.",
            vec!["Förhindra att yngre dras in i konflikten", "Vuxennärvaro vid torget kvällstid", "Stöd till föräldrar"],
            vec![
                ("Kultur och fritid", "Fredagsöppet på fritidsgården vid torget", 30),
                ("Polisen", "Synlig närvaro vid torget helgkvällar", 45),
                ("Passus", "Föräldraträffar om tecken på rekrytering", 60),
            ],
        ),
        ("angered", _) => (
            "Rån mot unga vid hållplatsen och samlingar vid fritidsgården; elever undviker gångtunneln.",
            vec!["Trygg väg hem", "Belysning i gångtunneln"],
            vec![("Socialtjänsten", "Anmäla bristande belysning till trafikkontoret", 14)],
        ),
        ("hisingen_skola", 0) => (
            "Oron vid skolgården kvarstår.",
            vec!["Vuxennärvaro efter skoltid"],
            Vec::new(),
        ),
        ("hisingen_skola", 1) => (
            "Rekryteringsförsök mot elever i årskurs 6 vid busshållplatsen; oro bland föräldrar.",
            vec!["Skydda de yngsta eleverna", "Information till föräldrar"],
            vec![
                ("Skolan", "Rastvakter vid busshållplatsen", 21),
                ("Socialtjänsten", "Föräldramöte om rekrytering", 45),
            ],
        ),
        _ => (
            "Okända vuxna vid skolgården; unga saknar aktiviteter på helgerna.",
            vec!["Fler helgaktiviteter"],
            vec![("Kultur och fritid", "Öppen idrottshall lördagar", 30)],
        ),
    }
}

fn start_of(p: Period) -> NaiveDate {
    NaiveDate::from_ymd_opt(p.year, u32::from(p.quarter - 1) * 3 + 1, 1).unwrap_or_default()
}

/// Loads the demo situation pictures (after the demo organisations, users and areas).
pub async fn load(state: &AppState) -> Result<(), AppError> {
    let today = state.clock().today();
    let now = Period::of(today);
    let periods = now.recent(3);
    let mut contributions = Vec::new();
    let mut pictures = Vec::new();
    for area in ["angered", "hisingen_skola"] {
        for (back, period) in periods.iter().enumerate() {
            let start = start_of(*period);
            for (i, (org, author, category, level, place, tod, days, text)) in
                observations(area, back).into_iter().enumerate()
            {
                // Spread over the quarter, never after today.
                let day = (start + Duration::days(7 + 9 * i as i64)).min(today);
                contributions.push(json!({
                    "area": area, "period": period.code(), "org": org, "author": author,
                    "category": category, "level": level, "place": place, "time_of_day": tod,
                    "days": days, "text": text,
                    "created_at": day.and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default()).and_utc(),
                }));
            }
            let (summary, priorities, actions) = picture(area, back);
            let end = start + Duration::days(91);
            let agreed = back > 0;
            let at = end
                .min(today)
                .and_time(NaiveTime::from_hms_opt(14, 0, 0).unwrap_or_default())
                .and_utc();
            pictures.push(json!({
                "id": picture_id(area, *period),
                "area": area, "period": period.code(),
                "status": if agreed { "agreed" } else { "draft" },
                "summary": summary, "priorities": priorities,
                "actions": actions.iter().map(|(w, x, d)| json!({
                    "who": w, "what": x, "by": (end + Duration::days(*d)).format("%Y-%m-%d").to_string()
                })).collect::<Vec<_>>(),
                "updated_by": "demo_programledare", "updated_at": at,
                "agreed_by": if agreed { Some("demo_programledare") } else { None },
                "agreed_at": if agreed { Some(at) } else { None },
            }));
        }
    }
    let body = "
        FOR $c IN $contributions {
            CREATE situation_contribution CONTENT {
                area: $c.area, period: $c.period, org: $c.org, author: $c.author,
                category: $c.category, level: $c.level, place: $c.place, time_of_day: $c.time_of_day,
                days: $c.days, text: $c.text, created_at: <datetime>$c.created_at
            } RETURN NONE;
        };
        FOR $p IN $pictures {
            CREATE type::record('situation_picture', $p.id) CONTENT {
                area: $p.area, period: $p.period, status: $p.status, summary: $p.summary,
                priorities: $p.priorities, actions: $p.actions,
                updated_by: $p.updated_by, updated_at: <datetime>$p.updated_at,
                agreed_by: $p.agreed_by,
                agreed_at: IF $p.agreed_at = NONE THEN NONE ELSE <datetime>$p.agreed_at END
            } RETURN NONE;
        };";
    let mut e = Entry::new("demo.situation");
    e.reason = Some(format!(
        "situation_contribution:{} situation_picture:{}",
        contributions.len(),
        pictures.len()
    ));
    let vars = [
        ("contributions".to_string(), json!(contributions)),
        ("pictures".to_string(), json!(pictures)),
    ]
    .into_iter()
    .collect();
    audit::commit(state, &Who::system(), e, body, vars).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo_cast::demo_people;
    use crate::situation::guard::{names_in, names_of, pattern};

    #[test]
    fn the_demo_observations_and_pictures_name_and_number_no_one() {
        let people = demo_people();
        let names = names_of(
            people
                .iter()
                .map(|p| (p.first_name.as_str(), p.last_name.as_str())),
        );
        for area in ["angered", "hisingen_skola"] {
            for back in 0..3 {
                let (summary, priorities, actions) = picture(area, back);
                let mut texts: Vec<&str> = vec![summary];
                texts.extend(priorities);
                texts.extend(actions.iter().flat_map(|a| [a.0, a.1]));
                for o in observations(area, back) {
                    texts.push(o.7);
                    texts.extend(o.4);
                }
                for t in texts {
                    assert_eq!(pattern(t), None, "{t}");
                    assert!(!names_in(t, &names), "{t}");
                }
            }
        }
    }
}
