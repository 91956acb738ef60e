//! The decoding layers: the API's base64 (Secrets only), Helm's base64, gzip (when the
//! payload starts with gzip's magic bytes, as Helm checks), then JSON — each bounded.

use std::io::Read;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use flate2::read::MultiGzDecoder;
use serde_json::Value;

use crate::error::DecodeError;
use crate::release::Release;

/// gzip's magic bytes and its deflate method, as Helm tests them.
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// Which Helm storage driver wrote the objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    /// Secrets of type `helm.sh/release.v1` (Helm's default).
    Secret,
    /// ConfigMaps (`HELM_DRIVER=configmap`).
    ConfigMap,
}

impl Driver {
    /// The object kind this driver writes (`Secret`, `ConfigMap`).
    pub fn object_kind(self) -> &'static str {
        match self {
            Driver::Secret => "Secret",
            Driver::ConfigMap => "ConfigMap",
        }
    }
}

/// Bounds on decoding one release.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest `data.release` string accepted, before any decoding.
    pub max_encoded: usize,
    /// Largest release JSON accepted, after decompression.
    pub max_decompressed: usize,
}

impl Default for Limits {
    /// 8 MiB encoded (a Secret holds at most 1 MiB), 16 MiB decompressed.
    fn default() -> Self {
        Self {
            max_encoded: 8 << 20,
            max_decompressed: 16 << 20,
        }
    }
}

/// Decodes Helm's payload — what the ConfigMap driver stores, and what is inside a
/// Secret's API base64: base64 of gzip of JSON, or base64 of JSON for a release written
/// without gzip.
pub fn decode_release_bytes(helm_b64: &[u8], limits: &Limits) -> Result<Release, DecodeError> {
    if helm_b64.len() > limits.max_encoded {
        return Err(DecodeError::EncodedTooLarge {
            len: helm_b64.len(),
            limit: limits.max_encoded,
        });
    }
    let raw = STANDARD
        .decode(helm_b64)
        .map_err(|source| DecodeError::Base64 {
            layer: "Helm's release encoding",
            source,
        })?;
    if raw.len() > 3 && raw[..3] == GZIP_MAGIC {
        let json = gunzip(&raw, limits.max_decompressed)?;
        decode_release_json(&json)
    } else {
        if raw.len() > limits.max_decompressed {
            return Err(DecodeError::TooLarge {
                limit: limits.max_decompressed,
            });
        }
        decode_release_json(&raw)
    }
}

/// Decompresses at most `limit` bytes; one more is a [`DecodeError::TooLarge`].
fn gunzip(gz: &[u8], limit: usize) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::with_capacity(gz.len().saturating_mul(4).min(limit));
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    MultiGzDecoder::new(gz)
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|source| DecodeError::Gzip { source })?;
    if out.len() > limit {
        return Err(DecodeError::TooLarge { limit });
    }
    Ok(out)
}

/// Parses a release's JSON (Helm 3 or Helm 4 fields).
pub fn decode_release_json(json: &[u8]) -> Result<Release, DecodeError> {
    serde_json::from_slice(json).map_err(|source| DecodeError::Json { source })
}

/// Decodes the release one storage object holds (a Secret or a ConfigMap as the API
/// returns it in JSON).
pub fn decode_object(obj: &Value, driver: Driver, limits: &Limits) -> Result<Release, DecodeError> {
    let data = obj["data"]["release"]
        .as_str()
        .ok_or(DecodeError::NoRelease)?;
    match driver {
        Driver::ConfigMap => decode_release_bytes(data.as_bytes(), limits),
        Driver::Secret => {
            match obj["type"].as_str() {
                Some("helm.sh/release.v1") => {}
                other => {
                    return Err(DecodeError::NotHelmSecret {
                        found: other.unwrap_or("").to_owned(),
                    });
                }
            }
            // The API's base64 is 4/3 of Helm's payload: bound it before decoding.
            let outer_limit = limits.max_encoded.saturating_mul(4) / 3 + 4;
            if data.len() > outer_limit {
                return Err(DecodeError::EncodedTooLarge {
                    len: data.len(),
                    limit: outer_limit,
                });
            }
            let helm = STANDARD
                .decode(data)
                .map_err(|source| DecodeError::Base64 {
                    layer: "the Secret's data",
                    source,
                })?;
            decode_release_bytes(&helm, limits)
        }
    }
}
