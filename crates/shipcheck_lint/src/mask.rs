//! Masking secrets for output: the first few characters and the length.

/// Masks `secret` as `abcd…(24 chars)`; short secrets show fewer characters.
pub(crate) fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    let show = if n >= 16 { 4 } else { n / 4 };
    let head: String = secret.chars().take(show).collect();
    format!("{head}…({n} chars)")
}

/// Replaces every occurrence of `secret` in `text` by its mask.
pub(crate) fn mask_in(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_owned();
    }
    text.replace(secret, &mask(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask("sk_live_0123456789abcdef"), "sk_l…(24 chars)");
        assert_eq!(mask("hunter22"), "hu…(8 chars)");
        assert_eq!(
            mask_in("PASSWORD=hunter22", "hunter22"),
            "PASSWORD=hu…(8 chars)"
        );
    }
}
