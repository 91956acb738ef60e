//! Password hashing (PBKDF2-HMAC-SHA256 with a per-user salt), random tokens and the in-memory
//! bearer-token store.

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroU32;
use std::sync::Mutex;

use ring::rand::{SecureRandom, SystemRandom};

use crate::error::DemoError;

/// PBKDF2 iterations: modest, because this is a demo and tests hash on every start.
const ITERATIONS: NonZeroU32 = match NonZeroU32::new(10_000) {
    Some(n) => n,
    None => NonZeroU32::MIN,
};
const SALT_LEN: usize = 16;
const HASH_LEN: usize = 32;
/// At most this many live tokens are kept; the oldest is forgotten first.
const MAX_TOKENS: usize = 4096;

/// `n` random bytes as lowercase hex.
pub(crate) fn random_hex(n: usize) -> Result<String, DemoError> {
    let mut bytes = vec![0u8; n];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| DemoError::Random)?;
    Ok(to_hex(&bytes))
}

fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Hashes `password` as `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`.
pub(crate) fn hash_password(password: &str) -> Result<String, DemoError> {
    let mut salt = [0u8; SALT_LEN];
    SystemRandom::new()
        .fill(&mut salt)
        .map_err(|_| DemoError::Random)?;
    let mut hash = [0u8; HASH_LEN];
    ring::pbkdf2::derive(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        ITERATIONS,
        &salt,
        password.as_bytes(),
        &mut hash,
    );
    Ok(format!(
        "pbkdf2-sha256${}${}${}",
        ITERATIONS,
        to_hex(&salt),
        to_hex(&hash)
    ))
}

/// Whether `password` matches a hash made by [`hash_password`]. A malformed hash never matches.
pub(crate) fn verify_password(password: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("pbkdf2-sha256"), Some(iterations), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let (Some(iterations), Some(salt), Some(hash)) = (
        iterations.parse::<NonZeroU32>().ok(),
        from_hex(salt),
        from_hex(hash),
    ) else {
        return false;
    };
    ring::pbkdf2::verify(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        &salt,
        password.as_bytes(),
        &hash,
    )
    .is_ok()
}

/// Bearer tokens issued by login, mapped to the user id they were issued for.
#[derive(Default)]
pub(crate) struct TokenStore {
    inner: Mutex<Tokens>,
}

#[derive(Default)]
struct Tokens {
    by_token: HashMap<String, i64>,
    order: VecDeque<String>,
}

impl TokenStore {
    /// Issues a fresh random token for `user_id`.
    pub(crate) fn issue(&self, user_id: i64) -> Result<String, DemoError> {
        let token = random_hex(32)?;
        let mut tokens = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        while tokens.order.len() >= MAX_TOKENS {
            if let Some(old) = tokens.order.pop_front() {
                tokens.by_token.remove(&old);
            }
        }
        tokens.by_token.insert(token.clone(), user_id);
        tokens.order.push_back(token.clone());
        Ok(token)
    }

    /// The user a token was issued for, if it is known.
    pub(crate) fn user(&self, token: &str) -> Option<i64> {
        let tokens = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        tokens.by_token.get(token).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_verifies_only_the_right_password() {
        let stored = hash_password("s3cret").unwrap();
        assert!(stored.starts_with("pbkdf2-sha256$10000$"));
        assert!(verify_password("s3cret", &stored));
        assert!(!verify_password("s3creT", &stored));
        assert!(!verify_password("s3cret", "plain"));
        assert!(!verify_password("s3cret", "pbkdf2-sha256$10000$zz$00"));
    }

    #[test]
    fn same_password_gets_a_different_salt() {
        assert_ne!(hash_password("x").unwrap(), hash_password("x").unwrap());
    }

    #[test]
    fn tokens_are_random_and_bounded() {
        let store = TokenStore::default();
        let first = store.issue(1).unwrap();
        assert_eq!(first.len(), 64);
        assert_eq!(store.user(&first), Some(1));
        assert_eq!(store.user("nope"), None);
        for _ in 0..MAX_TOKENS {
            store.issue(2).unwrap();
        }
        assert_eq!(store.user(&first), None, "the oldest token is evicted");
    }
}
