//! Referrals as a browser without JavaScript sends them, read as raw HTTP: the form posts
//! plainly, success goes to a receipt that shows the number and nothing of the person, and the
//! sender is answered alike whether the person was known or not.

use reqwest::StatusCode;

use super::location_of;
use crate::common::spawn_app;
use crate::common::{page, signed_in};
use utvag_core::demo::demo_people;

/// A fictional personnummer nobody in the demo data has.
fn unknown_pnr() -> String {
    domain::person::fictional_personnummer(777)
        .as_str()
        .to_string()
}

fn fields<'a>(pnr: &'a str, first: &'a str, description: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("form[personnummer]", pnr),
        ("form[first_name]", first),
        ("form[last_name]", "Formsson"),
        ("form[municipality]", "Göteborg"),
        ("form[reasons][0]", "recruitment"),
        ("form[reasons][1]", "threats"),
        ("form[urgency]", "urgent"),
        ("form[kind]", "police"),
        ("form[description]", description),
    ]
}

/// The referral number in a receipt address, and the address with the number blanked.
fn receipt_of(to: &str) -> (String, String) {
    let number = to.rsplit('/').next().unwrap_or_default().to_string();
    (number.clone(), to.replace(&number, "NUMMER"))
}

#[tokio::test]
async fn the_police_send_a_referral_without_javascript_and_get_only_a_number_back() {
    let app = spawn_app().await;
    let c = signed_in(&app, "polis").await;
    let form = page(&app, &c, "/remisser/ny").await;
    assert_eq!(form.status(), StatusCode::OK);
    let body = form.text().await.unwrap();
    assert!(body.contains("action=\"/api/referrals/submit\""), "{body}");
    assert!(body.contains("method=\"post\""));

    let known = &demo_people()[1];
    let mut receipts = Vec::new();
    for (pnr, first) in [(known.personnummer.clone(), "Kim"), (unknown_pnr(), "Kim")] {
        let resp = c
            .post(app.url("/api/referrals/submit"))
            .header("accept", "text/html")
            .header("referer", app.url("/remisser/ny"))
            .form(&fields(&pnr, first, "Ses med äldre i nätverket Qx9."))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_redirection(), "{}", resp.status());
        let to = location_of(&resp);
        let to = to.strip_prefix(&app.base).unwrap_or(&to).to_string();
        assert!(to.starts_with("/remisser/skickad/R-"), "{to}");
        let raw = resp.text().await.unwrap();
        let shown = page(&app, &c, &to).await;
        assert_eq!(shown.status(), StatusCode::OK);
        let receipt = shown.text().await.unwrap();
        let (number, blank) = receipt_of(&to);
        assert!(receipt.contains(&number), "{receipt}");
        for secret in [
            pnr.as_str(),
            &pnr[2..],
            "Formsson",
            "Qx9",
            known.first_name.as_str(),
            known.last_name.as_str(),
            "under_review",
        ] {
            assert!(!raw.contains(secret), "{secret} in the redirect body");
            assert!(!receipt.contains(secret), "{secret} in the receipt");
        }
        receipts.push(blank);
    }
    // The same answer for a known and an unknown person.
    assert_eq!(receipts[0], receipts[1]);
    // The sent list on the form page: numbers and dates, no person.
    let list = page(&app, &c, "/remisser/ny").await.text().await.unwrap();
    for secret in ["Formsson", "Qx9", known.last_name.as_str()] {
        assert!(!list.contains(secret), "{secret} on the form page");
    }
    // The queue is not the police's to see.
    let queue = c
        .post(app.url("/api/referrals/queue"))
        .form(&[("decided", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(queue.status(), StatusCode::FORBIDDEN);
    assert!(!queue.text().await.unwrap().contains("Formsson"));
}

#[tokio::test]
async fn a_failed_plain_referral_comes_back_with_only_what_was_typed() {
    let app = spawn_app().await;
    let c = signed_in(&app, "polis").await;
    let known = &demo_people()[1];
    // A known personnummer with a made-up name and no description: refused.
    let refused = || {
        c.post(app.url("/api/referrals/submit"))
            .header("accept", "text/html")
            .header("referer", app.url("/remisser/ny"))
            .form(&fields(&known.personnummer, "Typadnamn", ""))
            .send()
    };
    let resp = refused().await.unwrap();
    assert!(resp.status().is_redirection(), "{}", resp.status());
    let to = location_of(&resp);
    assert!(
        !to.contains("Typadnamn") && !to.contains(&known.personnummer),
        "{to}"
    );
    assert!(to.contains("__flash="), "{to}");
    let to = to.strip_prefix(&app.base).unwrap_or(&to).to_string();
    let body = page(&app, &c, &to).await.text().await.unwrap();
    assert!(
        body.contains("Beskrivningen av oron måste fyllas i."),
        "{body}"
    );
    assert!(
        body.contains("Typadnamn"),
        "the typed name is back in the form"
    );
    // Nothing of the registered person beyond what was typed.
    for secret in [
        known.first_name.as_str(),
        known.last_name.as_str(),
        known.address.as_str(),
        known.email.as_str(),
    ] {
        assert!(!body.contains(secret), "{secret} in the page");
    }

    // In English the same refusal is named in English, beside the same field, and what was
    // typed is kept just as well.
    c.post(app.url("/api/sprak"))
        .header("referer", app.url("/remisser/ny"))
        .form(&[("sprak", "en")])
        .send()
        .await
        .unwrap();
    let resp = refused().await.unwrap();
    let to = location_of(&resp);
    let to = to.strip_prefix(&app.base).unwrap_or(&to).to_string();
    let body = page(&app, &c, &to).await.text().await.unwrap();
    assert!(body.contains("<html lang=\"en\""), "{body}");
    assert!(body.contains("This field must be filled in."), "{body}");
    assert!(!body.contains("måste fyllas i"), "{body}");
    assert!(
        body.contains("Typadnamn"),
        "the typed name is back in the form"
    );
}
