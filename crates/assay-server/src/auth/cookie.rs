//! The session cookie: `HttpOnly`, `SameSite=Lax`, `Path=/`, and `Secure` when the server is
//! reached over TLS (directly, or behind a proxy the operator declares with `--secure-cookies`).

use axum::http::HeaderMap;

/// The cookie's name. With `Secure`, the `__Host-` prefix also pins it to this host and path.
pub fn name(secure: bool) -> &'static str {
    if secure {
        "__Host-assay_session"
    } else {
        "assay_session"
    }
}

/// The session secret the request carries, if any.
pub fn read(headers: &HeaderMap, secure: bool) -> Option<String> {
    let want = name(secure);
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == want)
        .map(|(_, v)| v.to_string())
}

/// The `Set-Cookie` value that stores `secret` for at most `max_age` seconds.
pub fn set(secret: &str, secure: bool, max_age: i64) -> String {
    format!(
        "{}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        name(secure),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that deletes the cookie.
pub fn clear(secure: bool) -> String {
    set("", secure, 0)
}
