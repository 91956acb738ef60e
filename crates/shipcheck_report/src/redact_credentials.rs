//! Credential material the redactor learns from what a probe sent or a server set:
//! header values and their tokens, decoded `Basic` credentials, cookie values, and the
//! string leaves of a captured secret object.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::Redactor;

impl Redactor {
    /// Registers a value sent as credentials (an `Authorization` or `Cookie` header value
    /// or its token): the whole value, the token after an auth scheme, the decoded
    /// `user:password` of `Basic` and the password alone, and each cookie's value.
    pub fn add_credential(&mut self, value: &str) {
        let value = value.trim();
        self.add_secret(value);
        if let Some((scheme, token)) = value.split_once(' ') {
            let token = token.trim();
            self.add_secret(token);
            if scheme.eq_ignore_ascii_case("basic") {
                self.add_basic(token);
            }
        } else {
            // A bare token may itself be a `Basic` credential (the value after the scheme).
            self.add_basic(value);
        }
        for (_, v) in cookie_pairs(value) {
            self.add_secret(v);
        }
    }

    /// Registers the value of a cookie a server set (`Set-Cookie: name=value; attrs`).
    pub fn add_set_cookie(&mut self, header: &str) {
        if let Some((_, v)) = cookie_pairs(header).next() {
            self.add_secret(v);
        }
    }

    /// Registers a captured secret: a string as is; an object or array as its JSON text
    /// and each of its string leaves.
    pub fn add_secret_value(&mut self, value: &serde_json::Value) {
        match value {
            serde_json::Value::String(s) => self.add_secret(s),
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                self.add_secret(&value.to_string());
                let mut stack = vec![value];
                while let Some(v) = stack.pop() {
                    match v {
                        serde_json::Value::String(s) => self.add_secret(s),
                        serde_json::Value::Array(items) => stack.extend(items),
                        serde_json::Value::Object(map) => stack.extend(map.values()),
                        _ => {}
                    }
                }
            }
            other => self.add_secret(&other.to_string()),
        }
    }

    fn add_basic(&mut self, token: &str) {
        let Ok(bytes) = STANDARD.decode(token.trim()) else {
            return;
        };
        let Ok(pair) = String::from_utf8(bytes) else {
            return;
        };
        if let Some((_user, password)) = pair.split_once(':') {
            self.add_secret(&pair);
            self.add_secret(password);
        }
    }
}

/// `name=value` pairs of a `Cookie` or `Set-Cookie` value (quotes removed).
fn cookie_pairs(value: &str) -> impl Iterator<Item = (&str, &str)> {
    value.split(';').filter_map(|part| {
        let (name, v) = part.split_once('=')?;
        let name = name.trim();
        let ok_name = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b));
        ok_name.then(|| (name, v.trim().trim_matches('"')))
    })
}
