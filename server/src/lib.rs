//! The `utvag` server: configuration, telemetry and the axum router around the app.
//!
//! `main.rs` only parses the command line and calls into here; the black-box tests in
//! `server/tests/` start the same router on a random port.
// The router's page types (the app's nested views) are laid out here, deeper than the
// compiler's default limit; the app crate sets the same limit for itself.
#![recursion_limit = "512"]

pub mod config;
pub mod http;
pub mod progress;
pub mod site;
pub mod telemetry;

use std::net::SocketAddr;
use std::path::Path;

use leptos::prelude::LeptosOptions;
use tokio::net::TcpListener;
use utvag_core::AppState;

pub use http::router;

/// Requests one instance handles at once unless `UTVAG_MAX_IN_FLIGHT` says otherwise: well
/// above what a municipal program's staff send, well below what piles up into timeouts.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 256;

/// Options leptos needs to render pages and find the built site.
pub fn leptos_options(site_root: &Path, addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("utvag")
        .site_root(site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

/// A running server, for tests and for `main`.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    pub handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Binds `addr` and serves until `shutdown` resolves, finishing in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    site_root: &Path,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<Running> {
    serve_limited(listener, state, site_root, shutdown, DEFAULT_MAX_IN_FLIGHT).await
}

/// [`serve`] handling at most `max_in_flight` requests at once; more get 503 at once.
pub async fn serve_limited(
    listener: TcpListener,
    state: AppState,
    site_root: &Path,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    max_in_flight: usize,
) -> std::io::Result<Running> {
    let addr = listener.local_addr()?;
    telemetry::metrics();
    let options = leptos_options(site_root, addr);
    let app = router(state.clone(), options, max_in_flight);
    let handle = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    });
    Ok(Running {
        addr,
        state,
        handle,
    })
}

/// Serves `/metrics` alone on its own listener (`--metrics-addr`) until `shutdown` resolves.
/// Kept apart from the public listener so that it can be bound to a private interface.
pub async fn serve_metrics(
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<std::io::Result<()>>)> {
    let addr = listener.local_addr()?;
    telemetry::metrics();
    let handle = tokio::spawn(async move {
        axum::serve(listener, http::metrics_router())
            .with_graceful_shutdown(shutdown)
            .await
    });
    Ok((addr, handle))
}
