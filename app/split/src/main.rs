//! Splits the browser build's wasm where the app marks pages lazy, before `wasm-bindgen`.
//!
//! Usage: `site-split <app.wasm> <pkg folder> <main module out.wasm>`
//!
//! Writes into the pkg folder: one `.wasm` per chunk, the loader that fetches them
//! (`__wasm_split.______________________.js`, the name leptos expects when file names are not
//! hashed) and `__wasm_split_manifest.json`, which maps each lazy function to the chunks it
//! needs: the server reads it (leptos' `HydrationScripts`) to preload a page's chunks with the
//! page. The main module is written to the third path, for `wasm-bindgen` to finish.

use std::path::Path;
use std::process::ExitCode;

/// The loader's file name, as leptos' `HydrationScripts` names it without hashed file names.
const LINK_NAME: &str = "./__wasm_split.______________________.js";
/// The module `wasm-bindgen` writes for the main wasm (`--out-name utvag`), which the chunks'
/// loader imports the main module's memory and table from.
const MAIN_MODULE: &str = "./utvag.js";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, pkg, main_out] = args.as_slice() else {
        eprintln!("usage: site-split <app.wasm> <pkg folder> <main module out.wasm>");
        return ExitCode::from(2);
    };
    match split(Path::new(input), Path::new(pkg), Path::new(main_out)) {
        Ok(chunks) => {
            println!("site-split: {chunks} chunks beside the main module");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("site-split: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn split(input: &Path, pkg: &Path, main_out: &Path) -> Result<usize, Box<dyn std::error::Error>> {
    let wasm = std::fs::read(input).map_err(|e| format!("{}: {e}", input.display()))?;
    std::fs::create_dir_all(pkg)?;
    if let Some(dir) = main_out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut opts = wasm_split_cli_support::Options::new(&wasm);
    opts.output_dir = pkg;
    opts.main_out_path = main_out;
    opts.link_name = LINK_NAME;
    opts.main_module = MAIN_MODULE;
    let out = wasm_split_cli_support::transform(opts).map_err(|e| format!("{e:#}"))?;
    std::fs::write(
        pkg.join("__wasm_split_manifest.json"),
        serde_json::to_string_pretty(&out.prefetch_map)?,
    )?;
    Ok(out.split_modules.len())
}
