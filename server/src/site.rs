//! The site's files under addresses that name their build: `/build/<id>/pkg/<file>`, where
//! `<id>` is computed from the files themselves ([`build_id`]). A page names the files of the
//! build that rendered it, so a browser never mixes the main module of one build with the
//! chunks of another, and the files can be cached for good (`immutable`): a new build is a new
//! address. A build's directory kept under `<site root>/builds/` (any name) is served under its
//! own id too, so that during a rolling upgrade a tab opened from an instance of the previous
//! build still gets that build's chunks from an instance of the next (docs/deploy.md).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The builds one instance serves: its own and those kept beside it.
#[derive(Clone, Debug)]
pub struct Builds {
    /// The id of the instance's own build (its `pkg` directory).
    pub own: String,
    /// Every build served, by id: the own one's directory and each kept one's.
    pub dirs: BTreeMap<String, PathBuf>,
}

impl Builds {
    /// The builds of the site at `site_root`: its `pkg_dir` and every directory under
    /// `builds/`. A kept directory that cannot be read is left out (and said so in the log).
    pub fn of(site_root: &Path, pkg_dir: &str) -> Builds {
        let own_dir = site_root.join(pkg_dir);
        let own = build_id(&own_dir).unwrap_or_else(|e| {
            // Without a built site the pages still render (the tests of the server alone):
            // the id of no files, and every file of it not found.
            tracing::warn!("site files in {}: {e}", own_dir.display());
            id_of(ring::digest::Context::new(&ring::digest::SHA256))
        });
        let mut dirs = BTreeMap::new();
        if let Ok(kept) = std::fs::read_dir(site_root.join("builds")) {
            for dir in kept.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
                match build_id(&dir) {
                    Ok(id) => {
                        dirs.insert(id, dir);
                    }
                    Err(e) => tracing::warn!("kept build {}: {e}", dir.display()),
                }
            }
        }
        // The own build wins over a kept copy of itself.
        dirs.insert(own.clone(), own_dir);
        Builds { own, dirs }
    }

    /// The address prefix of the own build's files (`/build/<id>`), before leptos's `/pkg`.
    pub fn root(&self) -> String {
        format!("/build/{}", self.own)
    }
}

/// The id of the build whose files are in `dir`: the first 64 bits of SHA-256 over each file's
/// name and contents, in the order of their names, in hexadecimal. The compressed copies
/// (`.br`, `.gz`) are left out, as they follow from the files; times and places are not in it,
/// so the same build has the same id on every machine.
pub fn build_id(dir: &Path) -> std::io::Result<String> {
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        // As the files are served: a link to a file counts as the file.
        if !entry.path().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_string();
        if !(name.ends_with(".br") || name.ends_with(".gz")) {
            names.push(name);
        }
    }
    names.sort();
    // One file in memory at a time: a debug build's files are over 100 MB.
    let mut h = ring::digest::Context::new(&ring::digest::SHA256);
    for name in &names {
        let bytes = std::fs::read(dir.join(name))?;
        // Lengths first, so that no two different sets of files hash the same bytes.
        h.update(&(name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    Ok(id_of(h))
}

/// The id a finished hash gives: its first 64 bits in hexadecimal.
fn id_of(h: ring::digest::Context) -> String {
    h.finish().as_ref()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory of the test's own under the system's temporary directory, removed when
    /// dropped.
    struct Dir(PathBuf);

    impl std::ops::Deref for Dir {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn dir_with(files: &[(&str, &[u8])]) -> Dir {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("utvag-site-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        Dir(dir)
    }

    #[test]
    fn the_id_follows_the_files_contents_and_names_not_their_copies_or_times() {
        let a = dir_with(&[("utvag.js", b"js"), ("utvag_bg.wasm", b"wasm")]);
        let id = build_id(&a).unwrap();
        assert_eq!(id.len(), 16);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        // The same files elsewhere, written later, with compressed copies beside them.
        let b = dir_with(&[
            ("utvag_bg.wasm", b"wasm"),
            ("utvag.js", b"js"),
            ("utvag.js.br", b"compressed"),
        ]);
        assert_eq!(build_id(&b).unwrap(), id);
        // A file linked in, as it is served, counts as the file itself.
        let linked = dir_with(&[("utvag.js", b"js")]);
        std::os::unix::fs::symlink(a.join("utvag_bg.wasm"), linked.join("utvag_bg.wasm")).unwrap();
        assert_eq!(build_id(&linked).unwrap(), id);
        // One byte more, a file renamed, or bytes moved between two files: another build.
        for other in [
            dir_with(&[("utvag.js", b"js"), ("utvag_bg.wasm", b"wasm!")]),
            dir_with(&[("utvag.js", b"js"), ("chunk_1.wasm", b"wasm")]),
            dir_with(&[("utvag.js", b"jsw"), ("utvag_bg.wasm", b"asm")]),
        ] {
            assert_ne!(build_id(&other).unwrap(), id, "{}", other.display());
        }
    }
}
