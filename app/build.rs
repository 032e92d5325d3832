//! Generates the `i18n` module from the text catalogue (`locales/<language>/<area>.json`):
//! `Locale`, `use_i18n`, `t!`, `td_string!` … with compile-time checked keys and placeholders.
//! Swedish is the default and the reference; English must have the same keys (tested in
//! `tests/catalogue.rs`).

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

/// The catalogue's areas: one JSON file per area and language.
const AREAS: [&str; 13] = [
    "common",
    "auth",
    "home",
    "cases",
    "plan",
    "casework",
    "council",
    "referrals",
    "situation",
    "admin",
    "audit",
    "outcomes",
    "labels",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR not set")?).join("i18n");
    // Interpolated texts as strings too (`td_string!` with values), for attributes and titles.
    let options = ParseOptions::default().interpolate_display(true);
    let cfg = Config::new("sv")?
        .add_locale("en")?
        .add_namespaces(AREAS)?
        .parse_options(options);
    let infos = TranslationsInfos::parse(cfg)?;
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    infos.generate_i18n_module(out)?;
    Ok(())
}
