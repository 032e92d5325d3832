//! The interface's text lives in the catalogue (`app/locales/<language>/<area>.json`), not in
//! components:
//! - English has exactly the keys of Swedish (the reference), with the same placeholders, and
//!   plural keys in the forms each language needs;
//! - no source file of the pages, components or server functions holds a text a person reads.
//!
//! Reads files only: it does not link the app.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every leaf of a catalogue file as `key.sub.leaf` → text.
fn leaves(prefix: &str, v: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(&key, v, out);
            }
        }
        serde_json::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => panic!("{prefix}: only texts and groups belong in the catalogue, not {other}"),
    }
}

fn catalogue(language: &str) -> BTreeMap<String, String> {
    let dir = root().join("locales").join(language);
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let ns = path.file_stem().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        leaves(&ns, &v, &mut out);
    }
    out
}

/// A key without its plural suffix (`items_one` → `items`), and the suffix.
fn plural_base(key: &str) -> (&str, Option<&str>) {
    for form in ["_zero", "_one", "_two", "_few", "_many", "_other"] {
        if let Some(base) = key.strip_suffix(form) {
            return (base, Some(&form[1..]));
        }
    }
    (key, None)
}

/// The `{{ name }}` placeholders and `<tag>` components of a text.
fn slots(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        let Some(j) = rest[i..].find("}}") else { break };
        out.insert(rest[i + 2..i + j].trim().to_string());
        rest = &rest[i + j + 2..];
    }
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        let Some(j) = rest[i..].find('>') else { break };
        let tag = rest[i + 1..i + j]
            .trim_start_matches('/')
            .trim_end_matches('/')
            .trim();
        out.insert(format!("<{tag}>"));
        rest = &rest[i + j + 1..];
    }
    out
}

#[test]
fn english_has_every_key_of_swedish_with_the_same_placeholders() {
    let sv = catalogue("sv");
    let en = catalogue("en");
    assert!(!sv.is_empty());
    let bases = |c: &BTreeMap<String, String>| -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (k, v) in c {
            let slots = slots(v);
            let e = out.entry(plural_base(k).0.to_string()).or_default();
            e.extend(slots);
        }
        out
    };
    let (sv_b, en_b) = (bases(&sv), bases(&en));
    let missing: Vec<_> = sv_b.keys().filter(|k| !en_b.contains_key(*k)).collect();
    let extra: Vec<_> = en_b.keys().filter(|k| !sv_b.contains_key(*k)).collect();
    assert!(missing.is_empty(), "missing in English: {missing:?}");
    assert!(extra.is_empty(), "in English only: {extra:?}");
    let differing: Vec<_> = sv_b
        .iter()
        .filter(|(k, s)| en_b[*k] != **s)
        .map(|(k, s)| format!("{k}: sv {s:?}, en {:?}", en_b[k]))
        .collect();
    assert!(differing.is_empty(), "placeholders differ: {differing:#?}");
    // Both languages count with the CLDR forms `one` and `other`: a plural key needs both.
    for (name, c) in [("sv", &sv), ("en", &en)] {
        let mut forms: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for k in c.keys() {
            if let (base, Some(form)) = plural_base(k) {
                forms.entry(base).or_default().insert(form);
            }
        }
        for (base, f) in forms {
            assert!(
                f.contains("one") && f.contains("other"),
                "{name}: {base} has the plural forms {f:?}, needs one and other"
            );
        }
    }
    // A key ending in a plural form's name is read as that form (`too_few` as the `few` form of
    // `too`): only the forms the languages have may end a key.
    let misread: Vec<_> = sv
        .keys()
        .filter(|k| {
            ["_zero", "_two", "_few", "_many"]
                .iter()
                .any(|f| k.ends_with(f))
        })
        .collect();
    assert!(misread.is_empty(), "keys read as plural forms: {misread:?}");
    let empty: Vec<_> = sv
        .iter()
        .chain(en.iter())
        .filter(|(_, v)| v.trim().is_empty())
        .collect();
    assert!(empty.is_empty(), "empty texts: {empty:?}");
}

/// Attributes whose values are for the machine (names, ids, types, addresses), not read.
const MACHINE_ATTRIBUTES: &[&str] = &[
    "class",
    "id",
    "name",
    "type",
    "scope",
    "for",
    "aria-labelledby",
    "aria-describedby",
    "role",
    "maxlength",
    "minlength",
    "autocomplete",
    "rows",
    "method",
    "action",
    "href",
    "testid",
    "data-testid",
    "empty_testid",
    "spellcheck",
    "inputmode",
    "min",
    "max",
    "width",
    "height",
    "text-anchor",
    "tabindex",
    "step",
    "pattern",
    "colspan",
    "aria-hidden",
    "stroke-width",
    "rel",
    "transform",
    "r",
    "path",
    "lang",
    "enctype",
    "accept",
    "viewBox",
    "d",
    "fill",
    "stroke",
    "x",
    "y",
    "cx",
    "cy",
    "x1",
    "x2",
    "y1",
    "y2",
    "points",
    "src",
    "target",
    "dir",
    "aria-live",
    "aria-current",
    "aria-busy",
    "aria-invalid",
    "novalidate",
    "wrap",
    "size",
    "list",
    "form",
    "data-kind",
    "data-level",
    "data-status",
    "key",
    "field",
    "value",
    "content",
];

/// Texts that are the same in every language: the product's name, separators.
const SAME_IN_EVERY_LANGUAGE: &[&str] = &["Utväg"];

/// Literals that look like words but are not read: class lists, SVG and ARIA id lists, a
/// script, a type's name in its `Debug` output, a library's panic message matched (`lib.rs`).
const NOT_TEXT: &[&str] = &[
    "goal closed",
    "tag warn",
    "tag muted",
    "attachment; filename=\\\"{filename}\\\"",
    "tag status goal-{}",
    "tag level-{}",
    "tag consent-{class}",
    "{name} – {org}",
    "{id}-t {id}-d",
    "{title_id} {desc_id}",
    "0 0 {width} {height}",
    "return confirm('{}')",
    "Enrolment",
    "load callback should succeed",
];

/// Texts still in Swedish in every language, with the reason. The names of fields given to
/// `domain::input`, which builds its validation messages from them in Swedish, as the server does
/// for the same input: they move to the catalogue with the server's messages.
const NOT_YET_TRANSLATED: &[&str] = &["Sammanfattningen", "Kommentaren", "Anteckningen"];

/// Source files that still hold their own text (the catalogue's coverage so far). Each is moved
/// to the catalogue in turn; a file that no longer holds text must leave this list.
const NOT_YET_IN_THE_CATALOGUE: &[&str] = &[];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every Rust file under `src/`: its path from the crate's root (`src/…`) and its text.
fn sources() -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

/// The class names the stylesheet defines: a literal made only of these is a class list.
fn css_classes() -> BTreeSet<String> {
    let css = std::fs::read_to_string(root().join("../style/utvag.css")).unwrap();
    let mut out = BTreeSet::new();
    for part in css.split('.').skip(1) {
        let name: String = part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

/// The string literals of a source file outside comments, with their line and the attribute
/// they are the value of (if any).
fn literals(src: &str) -> Vec<(usize, String, Option<String>)> {
    let b = src.as_bytes();
    let (mut i, mut line) = (0, 1);
    let mut out = Vec::new();
    while i < b.len() {
        match b[i] {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    line += usize::from(b[i] == b'\n');
                    i += 1;
                }
                i += 2;
            }
            b'\'' => {
                // A char literal ('"', '\'') or a lifetime ('a): skip it whole if it is one.
                if b.get(i + 2) == Some(&b'\'') {
                    i += 3;
                } else if b.get(i + 1) == Some(&b'\\') && b.get(i + 3) == Some(&b'\'') {
                    i += 4;
                } else {
                    i += 1;
                }
            }
            b'"' => {
                let start = i;
                let at = line;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    line += usize::from(b[i] == b'\n');
                    i += 1;
                }
                let text = src[start + 1..i].to_string();
                i += 1;
                // raw strings r"…" / r#"…"# are SQL or JSON in this crate, never view text.
                let before = src[..start].trim_end();
                if before.ends_with('r') && !before.ends_with("for") {
                    continue;
                }
                let attribute = before.strip_suffix('=').map(|b| {
                    b.trim_end()
                        .rsplit(|c: char| c.is_whitespace() || c == '<' || c == '{' || c == '(')
                        .next()
                        .unwrap_or("")
                        .trim_start_matches("attr:")
                        .to_string()
                });
                out.push((at, text, attribute));
            }
            _ => i += 1,
        }
    }
    out
}

/// Whether a literal reads as language: a letter outside ASCII (å, ä, ö, é …), a capitalised
/// word, or words that are not all class names.
fn reads_as_text(s: &str, classes: &BTreeSet<String>) -> bool {
    if SAME_IN_EVERY_LANGUAGE.contains(&s)
        || NOT_TEXT.contains(&s)
        || NOT_YET_TRANSLATED.contains(&s)
    {
        return false;
    }
    // Markup and placeholders are not words: what is left between them is.
    let mut s = s.replace("Utväg", "");
    for (open, close, by) in [('<', '>', " "), ('{', '}', "")] {
        while let (Some(a), Some(b)) = (s.find(open), s.find(close)) {
            if b < a {
                break;
            }
            s.replace_range(a..=b, by);
        }
    }
    // Format directives and placeholders are not words.
    let words: Vec<&str> = s
        .split(|c: char| !c.is_alphabetic() && c != '-' && c != '_')
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .collect();
    if words.is_empty() {
        return false;
    }
    if s.chars().any(|c| c.is_alphabetic() && !c.is_ascii()) {
        return true;
    }
    let capitalised = |w: &&str| {
        let mut cs = w.chars();
        cs.next().is_some_and(|c| c.is_ascii_uppercase()) && cs.all(|c| c.is_ascii_lowercase())
    };
    if words.iter().any(capitalised) && s.contains(' ') {
        return true;
    }
    if words.len() == 1 && words.iter().any(capitalised) && s.trim() == words[0] {
        return true;
    }
    words.len() >= 2 && s.contains(' ') && words.iter().any(|w| !classes.contains(*w))
}

#[test]
fn no_page_component_or_server_function_holds_text_of_its_own() {
    let classes = css_classes();
    let mut offenders = Vec::new();
    let mut clean_but_listed = Vec::new();
    for (rel, src) in sources() {
        let found: Vec<String> = literals(&src)
            .into_iter()
            .filter(|(_, _, attr)| {
                !attr
                    .as_deref()
                    .is_some_and(|a| MACHINE_ATTRIBUTES.contains(&a))
            })
            .filter(|(_, text, _)| reads_as_text(text, &classes))
            .map(|(line, text, _)| format!("{rel}:{line}: {text:?}"))
            .collect();
        let listed = NOT_YET_IN_THE_CATALOGUE.contains(&rel.as_str());
        match (found.is_empty(), listed) {
            (false, false) => offenders.extend(found),
            (true, true) => clean_but_listed.push(rel),
            _ => {}
        }
    }
    assert!(
        offenders.is_empty(),
        "text in components; move it to app/locales:\n{}",
        offenders.join("\n")
    );
    assert!(
        clean_but_listed.is_empty(),
        "these files hold no text any more; take them off NOT_YET_IN_THE_CATALOGUE: {clean_but_listed:?}"
    );
}

/// A page's title is catalogue text read while the page renders (`components::title`), never a
/// closure `leptos_meta` calls later, outside the page's owner, where on the server the language
/// signal may be looked up in another request's ended store (a panic, and no answer).
#[test]
fn every_page_title_goes_through_page_title() {
    let mut offenders = Vec::new();
    let mut root_titles = 0;
    for (rel, src) in sources() {
        for (n, line) in src
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("<Title"))
        {
            match rel.as_str() {
                "src/components/title.rs" => {}
                // The root's, fixed text: the formatter every page's title goes through.
                "src/app.rs" if line.contains("<Title text=\"\"") => root_titles += 1,
                _ => offenders.push(format!("{rel}:{}: {}", n + 1, line.trim())),
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "use <PageTitle text=…/> instead:\n{}",
        offenders.join("\n")
    );
    assert_eq!(
        root_titles, 1,
        "the root sets the title's formatter, with fixed text"
    );
}
