//! A test PKI from rcgen: a CA, leaves signed by it, self-signed certificates, and the same
//! written to disk for servers started as child processes.

use std::path::Path;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A test CA.
pub struct Ca {
    /// The CA certificate (PEM), to hand to clients as a trusted root.
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

/// A certificate and its key.
pub struct Leaf {
    /// The certificate (DER).
    pub cert: CertificateDer<'static>,
    /// The certificate (PEM).
    pub cert_pem: String,
    /// The private key (PEM).
    pub key_pem: String,
    key_der: Vec<u8>,
}

impl Leaf {
    /// The private key, for a rustls server.
    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()))
    }

    fn new(
        params: &CertificateParams,
        key: &KeyPair,
        issuer: Option<&Issuer<'static, KeyPair>>,
    ) -> Leaf {
        let cert = match issuer {
            Some(issuer) => params.signed_by(key, issuer),
            None => params.self_signed(key),
        }
        .expect("sign certificate");
        Leaf {
            cert: cert.der().clone(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            key_der: key.serialize_der(),
        }
    }
}

impl Default for Ca {
    fn default() -> Self {
        Self::new()
    }
}

impl Ca {
    /// A fresh CA named "shipcheck test CA".
    pub fn new() -> Ca {
        let key = KeyPair::generate().expect("ca key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "shipcheck test CA");
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key).expect("ca cert");
        Ca {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A leaf for `names` signed by this CA.
    pub fn leaf(&self, names: &[&str]) -> Leaf {
        self.leaf_with(names, |_| {})
    }

    /// A leaf for `names`, with `tweak` applied to its parameters (e.g. validity).
    pub fn leaf_with(&self, names: &[&str], tweak: impl FnOnce(&mut CertificateParams)) -> Leaf {
        let key = KeyPair::generate().expect("leaf key");
        let mut params = named(names, "leaf");
        tweak(&mut params);
        Leaf::new(&params, &key, Some(&self.issuer))
    }
}

/// A self-signed certificate for `names`.
pub fn self_signed(names: &[&str]) -> Leaf {
    let key = KeyPair::generate().expect("key");
    Leaf::new(&named(names, "self"), &key, None)
}

fn named(names: &[&str], fallback: &str) -> CertificateParams {
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .expect("certificate params");
    params.distinguished_name.push(
        DnType::CommonName,
        names.first().copied().unwrap_or(fallback),
    );
    params
}

/// Writes a fresh CA and a server certificate for `localhost`/`127.0.0.1` as PEM files in
/// `dir`: `ca.pem`, `server.pem`, `server.key`.
pub fn write_certs(dir: &Path) {
    let ca = Ca::new();
    let leaf = ca.leaf(&["localhost", "127.0.0.1"]);
    std::fs::write(dir.join("ca.pem"), &ca.pem).unwrap();
    std::fs::write(dir.join("server.pem"), &leaf.cert_pem).unwrap();
    std::fs::write(dir.join("server.key"), &leaf.key_pem).unwrap();
}
