//! Utväg — case tracking for municipal defector-support programs.
//!
//! Built twice: with `ssr` for the server (which adds the trusted core in [`server`]) and with
//! `hydrate` for the browser. Pages and server functions can only reach data through the core's
//! access-checked, audited repository.
#![recursion_limit = "512"]

pub mod api;
pub mod app;
pub mod components;
pub mod domain;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
