//! `utvag`: command line and start-up only. See `utvag --help`.

use std::process::ExitCode;

use clap::Parser;
use server::config::{AuditCmd, Cli, Command, Config, IntegrityCmd, KeysCmd, UserCmd};
use server::progress::Bar;
use server::telemetry;
use utvag_core::audit::{self, checkpoint};
use utvag_core::config::KeySource;
#[cfg(feature = "demo")]
use utvag_core::progress::Progress;
#[cfg(feature = "demo")]
use utvag_core::{demo, demo_history};
use utvag_core::{ops, retention, AppState};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Needs neither store nor keys, so no configuration either.
    if let Some(Command::DemoCode { username }) = &cli.command {
        return match demo_code(username) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("utvag: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    let config = match cli.global.validate() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("utvag: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init_logging(&config.log);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Demo => load_demo(config).await,
        Command::DemoCode { username } => demo_code(&username),
        Command::User { cmd } => user(config, cmd).await,
        Command::Keys { cmd } => keys(config, cmd).await,
        Command::Audit {
            cmd: AuditCmd::Verify,
        } => audit_verify(config).await,
        Command::Backup { file } => backup(config, &file).await,
        Command::Restore { file, keys } => restore(config, &file, keys.as_deref()).await,
        Command::Integrity {
            cmd: IntegrityCmd::Check,
        } => integrity_check(config).await,
        Command::Gallring { apply, .. } => gallring(config, apply).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("utvag: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn open(config: &Config) -> anyhow::Result<AppState> {
    if let KeySource::File {
        path,
        create_if_missing: false,
    } = &config.core.keys
    {
        if !path.exists() {
            anyhow::bail!("UTVAG_KEY_FILE: {} does not exist", path.display());
        }
    }
    AppState::init(config.core.clone()).await
}

async fn serve(config: Config) -> anyhow::Result<()> {
    telemetry::metrics();
    let state = open(&config).await?;
    if state.demo_mode() {
        demo_if_empty(&state).await?;
    }
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| anyhow::anyhow!("UTVAG_ADDR: cannot listen on {}: {e}", config.addr))?;
    // Anchors the audit head outside the database whenever it moved in the last few minutes,
    // and the daily retention run (the database lease keeps it to one instance at a time).
    // Both hold the state, so both are stopped before the store is closed.
    let background = [
        tokio::spawn(checkpoint::periodic(state.clone())),
        tokio::spawn(retention::daily(
            state.clone(),
            config.core.retention,
            std::time::Duration::from_secs(600),
        )),
    ];
    // Metrics on their own listener only, so they can stay on a private interface.
    if let Some(maddr) = config.metrics_addr {
        let ml = tokio::net::TcpListener::bind(maddr)
            .await
            .map_err(|e| anyhow::anyhow!("UTVAG_METRICS_ADDR: cannot listen on {maddr}: {e}"))?;
        let (maddr, _metrics) = server::serve_metrics(ml, shutdown_signal()).await?;
        println!("Metrics at http://{maddr}/metrics");
    }
    let running = server::serve_limited(
        listener,
        state,
        &config.site_root,
        shutdown_signal(),
        config.max_in_flight,
    )
    .await?;
    println!("Utväg is listening on http://{}", running.addr);
    let state = running.state;
    running.handle.await??;
    tracing::info!("stopped accepting requests; closing the database");
    // The background tasks' copies of the state are the last handles on the store besides this
    // one. They are cancelled at their next await (each of their writes is one transaction, so a
    // cancelled retention run leaves whole writes only, and its lease runs out) and awaited, so
    // the store closes below while the runtime still runs, not as the runtime is torn down.
    for task in &background {
        task.abort();
    }
    for task in background {
        let _ = task.await;
    }
    drop(state);
    // The embedded store shuts down in a background task when its last handle is dropped; the
    // SDK offers nothing to await, so give it a moment before the runtime ends. Every commit is
    // already synced to disk, so this only tidies up files.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}

async fn gallring(config: Config, apply: bool) -> anyhow::Result<()> {
    let state = open(&config).await?;
    let bar = Bar::new();
    let r = retention::run_with(
        &state,
        config.core.retention,
        apply,
        &audit::Who::system(),
        &bar,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.finish();
    println!(
        "{} {} participants ({} cases) closed with no entry since before {}; {} audit entries older than {}.",
        if r.applied { "Removed:" } else { "Due (dry run, nothing changed):" },
        r.participants.len(),
        r.cases,
        r.case_cutoff.format("%Y-%m-%d"),
        r.audit_entries,
        r.audit_cutoff.format("%Y-%m-%d"),
    );
    Ok(())
}

/// A demo store made afresh starts a new checkpoint file; the old one (of the removed store) is
/// kept under another name. Outside demo mode a checkpoint file that the store does not reach is
/// exactly what `utvag audit verify` must report, so it is never moved.
#[cfg(feature = "demo")]
fn start_new_checkpoint_file(state: &AppState) {
    if let Some(old) = checkpoint::start_afresh(state) {
        tracing::warn!(moved_to = %old.display(), "demo store is new: the previous audit checkpoint file was moved aside");
    }
}

/// An empty store in demo mode gets the demo data.
#[cfg(feature = "demo")]
async fn demo_if_empty(state: &AppState) -> anyhow::Result<()> {
    if demo::is_empty(state).await? {
        tracing::info!("empty database in demo mode: loading demo data");
        start_new_checkpoint_file(state);
        let bar = Bar::new();
        bar.stage("writing the demo organisations, users and cases", None);
        demo::load(state).await?;
        let n = demo_history::load_with(state, state.clock().today(), &bar).await?;
        bar.finish();
        tracing::info!(participants = n, "demo history loaded");
        println!("{}", demo::sign_in_table());
    }
    Ok(())
}

#[cfg(feature = "demo")]
async fn load_demo(config: Config) -> anyhow::Result<()> {
    let state = open(&config).await?;
    if state.demo_mode() && demo::is_empty(&state).await? {
        start_new_checkpoint_file(&state);
    }
    let bar = Bar::new();
    bar.stage("writing the demo organisations, users and cases", None);
    demo::load(&state)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    demo_history::load_with(&state, state.clock().today(), &bar)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.finish();
    println!("{}", demo::sign_in_table());
    Ok(())
}

/// The current code of a demo user, from the public demo secret: no store, no keys.
#[cfg(feature = "demo")]
fn demo_code(username: &str) -> anyhow::Result<()> {
    if !demo::DEMO_USERS.iter().any(|(u, ..)| *u == username) {
        anyhow::bail!("{username} is not a demo user");
    }
    let now = chrono::Utc::now();
    let secret = utvag_core::totp::demo_secret(username);
    println!("{}", utvag_core::totp::code_at(&secret, now));
    Ok(())
}

// A production build (`--no-default-features`) carries no demo data at all.
#[cfg(not(feature = "demo"))]
const NO_DEMO: &str = "this build has no demo data (built without the `demo` feature)";

#[cfg(not(feature = "demo"))]
async fn demo_if_empty(_: &AppState) -> anyhow::Result<()> {
    anyhow::bail!("UTVAG_DEMO: {NO_DEMO}")
}

#[cfg(not(feature = "demo"))]
async fn load_demo(_: Config) -> anyhow::Result<()> {
    anyhow::bail!("{NO_DEMO}")
}

#[cfg(not(feature = "demo"))]
fn demo_code(_: &str) -> anyhow::Result<()> {
    anyhow::bail!("{NO_DEMO}")
}

async fn user(config: Config, cmd: UserCmd) -> anyhow::Result<()> {
    let UserCmd::Add {
        org,
        role,
        username,
        name,
        create_org,
        municipalities,
        password_env,
    } = cmd;
    let password = std::env::var(&password_env).map_err(|_| {
        anyhow::anyhow!("{password_env}: set the new user's password in this environment variable")
    })?;
    let state = open(&config).await?;
    if let Some(kind) = create_org {
        match ops::add_org(&state, &org, &kind, &municipalities).await {
            Ok(id) => println!("created organisation {org} ({id})"),
            Err(domain::AppError::Invalid { field, .. }) if field == "name" => {}
            Err(e) => anyhow::bail!("{e}"),
        }
    }
    let id = ops::add_user(
        &state,
        &org,
        &role,
        &username,
        name.as_deref().unwrap_or(&username),
        &password,
    )
    .await
    .map_err(|e| match e {
        domain::AppError::Invalid { field, message, .. } => anyhow::anyhow!("{field}: {message}"),
        other => anyhow::anyhow!("{other}"),
    })?;
    println!("created user {username} ({id})");
    Ok(())
}

async fn keys(config: Config, cmd: KeysCmd) -> anyhow::Result<()> {
    let state = open(&config).await?;
    match cmd {
        KeysCmd::Rotate => {
            let bar = Bar::new();
            let (version, n) = ops::rotate_keys(&state, &bar)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            bar.finish();
            println!("KEK version {version} is now current; {n} data keys rewrapped");
        }
        KeysCmd::Backup { file } => {
            let w = utvag_core::backup::backup_keys(&state, &file)
                .await
                .map_err(|e| anyhow::anyhow!("keys backup: {e}"))?;
            println!(
                "key backup written to {}: {} data keys, {} bytes",
                file.display(),
                w.manifest.tables.values().sum::<u64>(),
                w.file_bytes
            );
        }
        KeysCmd::Retire => {
            let bar = Bar::new();
            let (retired, n) = ops::retire_keys(&state, &bar)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            bar.finish();
            if retired.is_empty() {
                println!("no KEK version to retire ({n} data keys rewrapped)");
            } else {
                println!("KEK versions {retired:?} retired from the key file ({n} data keys rewrapped first)");
            }
        }
        KeysCmd::Status => {
            let (versions, current, usage) = ops::key_status(&state)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("KEK versions in the keyring: {versions:?} (current {current})");
            for (v, n) in usage {
                println!("  version {v}: {n} data keys");
            }
        }
    }
    Ok(())
}

async fn backup(config: Config, file: &std::path::Path) -> anyhow::Result<()> {
    let state = open(&config).await?;
    let started = std::time::Instant::now();
    let bar = Bar::new();
    let w = utvag_core::backup::backup_database(&state, file, &bar)
        .await
        .map_err(|e| anyhow::anyhow!("backup: {e}"))?;
    bar.finish();
    println!(
        "backup written to {} in {:.1} s: {} records in {} tables, {} bytes, sha256 {}",
        file.display(),
        started.elapsed().as_secs_f64(),
        w.manifest.tables.values().sum::<u64>(),
        w.manifest.tables.len(),
        w.file_bytes,
        w.manifest.content_sha256
    );
    Ok(())
}

async fn restore(
    config: Config,
    file: &std::path::Path,
    keys: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let bar = Bar::new();
    let r = utvag_core::backup::restore(config.core.clone(), file, keys, &bar)
        .await
        .map_err(|e| anyhow::anyhow!("restore refused: {e}"))?;
    bar.finish();
    println!(
        "restored the backup of {} in {:.1} s: {} records",
        r.database.created_at.to_rfc3339(),
        started.elapsed().as_secs_f64(),
        r.tables.values().sum::<u64>()
    );
    for (table, n) in &r.database.tables {
        let now = r.tables.get(table).copied().unwrap_or(0);
        if now != *n {
            println!("  {table}: {n} in the backup, {now} after the restore");
        }
    }
    match &r.keys {
        Some(k) => println!(
            "data keys restored from the key backup of {}: {}",
            k.created_at.to_rfc3339(),
            k.tables.values().sum::<u64>()
        ),
        None => println!("no key backup given: no participant's data can be read"),
    }
    match r.audit.broken_at {
        None => println!(
            "audit chain intact: {} entries, head {}",
            r.audit.entries, r.audit.head_seq
        ),
        Some(at) => println!(
            "audit chain: {} (at entry {at})",
            r.audit.problem.clone().unwrap_or_default()
        ),
    }
    match r.checkpoint_seq {
        Some(seq) => println!(
            "the checkpoint file had reached entry {seq}: {} entries after the backup are lost{}",
            r.gap,
            r.checkpoints_aside
                .as_ref()
                .map(|p| format!("; it is kept as {} and a new one begun", p.display()))
                .unwrap_or_default()
        ),
        None => println!("no checkpoint file to hold the restored chain to"),
    }
    Ok(())
}

async fn integrity_check(config: Config) -> anyhow::Result<()> {
    let state = open(&config).await?;
    let r = utvag_core::integrity::check(&state)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for d in &r.damaged {
        println!(
            "damaged: table {}, record {}, field {}",
            d.table, d.record, d.field
        );
    }
    let summary = format!(
        "{} sealed values opened, {} damaged; {} of shredded participants not checked",
        r.checked,
        r.damaged.len(),
        r.shredded
    );
    if r.damaged.is_empty() {
        println!("integrity intact: {summary}");
        Ok(())
    } else {
        anyhow::bail!("integrity check failed: {summary}")
    }
}

async fn audit_verify(config: Config) -> anyhow::Result<()> {
    let state = open(&config).await?;
    let v = ops::verify_audit(&state)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let anchor = v.anchor.clone().unwrap_or_default();
    match v.broken_at {
        None => {
            println!(
                "audit chain intact: {} entries, head {}; {anchor}",
                v.entries, v.head_seq
            );
            Ok(())
        }
        Some(at) => anyhow::bail!(
            "audit chain broken at entry {at}: {}\n{anchor}",
            v.problem.unwrap_or_default()
        ),
    }
}
