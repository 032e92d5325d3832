//! Where to go after signing in: the page a signed-out visitor asked for, carried through the
//! sign-in page as `?next=` and checked before anyone is sent there.

/// Longest `next` kept; a longer one is dropped rather than cut (a cut path could mean another page).
const MAX_NEXT: usize = 2048;

/// The page to go to after sign-in, if `next` is a path on this site: it starts with one `/`
/// (never `//`, which a browser reads as another host, and never a scheme such as `https:` or
/// `javascript:`), holds no backslash (some browsers read `/\host` as `//host`) and no control
/// characters or spaces. Anything else is `None`, and the caller goes to the start page. Sign-in
/// pages themselves are not a destination either.
pub fn safe_next(next: &str) -> Option<String> {
    let n = safe_local_path(next)?;
    if n == "/logga-in" || n.starts_with("/logga-in/") || n.starts_with("/logga-in?") {
        return None;
    }
    Some(n)
}

/// `path` if it is a path on this site (the rules of [`safe_next`], sign-in pages allowed).
pub fn safe_local_path(path: &str) -> Option<String> {
    let n = path.trim_matches(|c: char| c == ' ');
    if n.is_empty() || n.len() > MAX_NEXT {
        return None;
    }
    let mut chars = n.chars();
    if chars.next() != Some('/') {
        return None;
    }
    if matches!(chars.next(), Some('/') | Some('\\')) {
        return None;
    }
    if n.chars()
        .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
    {
        return None;
    }
    // Percent-encoded slashes and backslashes decode to the same tricks further down the line.
    let lower = n.to_ascii_lowercase();
    if lower.contains("%2f%2f") || lower.starts_with("/%2f") || lower.contains("%5c") {
        return None;
    }
    Some(n.to_string())
}

/// `/logga-in?next=<path>`: the sign-in page that returns to `path_and_query` afterwards.
pub fn sign_in_then(path_and_query: &str) -> String {
    match safe_next(path_and_query) {
        Some(n) => format!("/logga-in?next={}", encode(&n)),
        None => "/logga-in".to_string(),
    }
}

/// Percent-encodes everything but unreserved characters and `/`, so the path travels as one
/// query value.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_destinations() {
        for ok in [
            "/",
            "/arenden",
            "/arenden/abc123",
            "/arenden/abc123/plan?fel=x",
            "/granskning?fran=2026-01-01",
        ] {
            assert_eq!(safe_next(ok).as_deref(), Some(ok), "{ok}");
        }
        for bad in [
            "",
            "arenden",
            "//evil.example",
            "//evil.example/arenden",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "/%2f%2fevil.example",
            "/%2F/evil.example",
            "/a%5cb",
            "/arenden\n/x",
            "/arenden /x",
            "/logga-in",
            "/logga-in?next=/x",
            "/logga-in/kod",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(3000))), None);
    }

    #[test]
    fn the_sign_in_address_carries_the_page_encoded() {
        assert_eq!(sign_in_then("/"), "/logga-in?next=/");
        assert_eq!(sign_in_then("//evil.example"), "/logga-in");
        assert_eq!(
            sign_in_then("/arenden/abc?flik=plan&x=1"),
            "/logga-in?next=/arenden/abc%3Fflik%3Dplan%26x%3D1"
        );
    }
}
