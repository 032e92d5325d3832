//! SurrealDB's server (`surreal start …`), at the same version as the SDK the app links, so the
//! tests run against the real server over `ws://` and `wss://` with the engine compiled once.
// An optimised build (`make bench`) computes the layout of the engine's deepest async functions
// past the default query depth.
#![recursion_limit = "256"]

fn main() -> std::process::ExitCode {
    surrealdb_server::init(surrealdb_server::core::CommunityComposer())
}
