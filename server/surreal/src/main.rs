//! SurrealDB's server (`surreal start …`), at the same version as the SDK the app links, so the
//! tests run against the real server over `ws://` and `wss://` with the engine compiled once.

fn main() -> std::process::ExitCode {
    surrealdb_server::init(surrealdb_server::core::CommunityComposer())
}
