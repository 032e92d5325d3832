//! Utväg — case tracking for municipal defector-support programs: the pages, components and
//! server functions.
//!
//! Built twice: with `ssr` for the server, where server functions call the trusted core
//! (`utvag_core`), and with `hydrate` for the browser, which never links the core. Pages and
//! server functions can only reach data through the core's access-checked, audited repository.
#![recursion_limit = "512"]

pub mod api;
pub mod app;
pub mod components;
pub mod pages;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
