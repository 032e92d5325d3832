//! Links within the site: query strings built the same way on the server and in the browser.

/// Percent-encodes a query value: ASCII letters, digits and `-_.~` stay, every other byte is
/// escaped.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `?k=v&…` of the pairs whose value is not empty, in the order given; `?` alone when all are
/// empty (a link to the page without filters).
pub fn query(pairs: &[(&str, &str)]) -> String {
    let q: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect();
    format!("?{}", q.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_escaped() {
        assert_eq!(urlencode("a b&c"), "a%20b%26c");
        assert_eq!(
            urlencode("1700000000000.abc_x-y~"),
            "1700000000000.abc_x-y~"
        );
        assert_eq!(urlencode("Göteborg"), "G%C3%B6teborg");
    }

    #[test]
    fn empty_values_are_left_out_and_the_order_kept() {
        assert_eq!(
            query(&[
                ("cursor", "1700000000000.abc"),
                ("category", ""),
                ("org", "passus_gbg")
            ]),
            "?cursor=1700000000000.abc&org=passus_gbg"
        );
        assert_eq!(query(&[("category", ""), ("org", "")]), "?");
    }
}
