//! The demo's certificates: a CA generated at every start and a `localhost`/`127.0.0.1` leaf it
//! signs, turned into a rustls server configuration (ring provider, ALPN h2 and http/1.1).

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::error::DemoError;

/// The CA's common name, as a TLS check against the demo will see it.
pub(crate) const CA_COMMON_NAME: &str = "shipcheck demo CA";

/// A freshly generated CA (PEM, for clients) and the server configuration using its leaf.
pub(crate) struct DemoTls {
    pub(crate) ca_pem: String,
    pub(crate) server_config: Arc<rustls::ServerConfig>,
}

/// Generates the CA and leaf and builds the server configuration.
pub(crate) fn generate() -> Result<DemoTls, DemoError> {
    let mut ca_params =
        CertificateParams::new(Vec::<String>::new()).map_err(DemoError::Certificate)?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, CA_COMMON_NAME);
    ca_params
        .distinguished_name
        .push(DnType::OrganizationName, "shipcheck");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().map_err(DemoError::Certificate)?;
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).map_err(DemoError::Certificate)?;

    let mut leaf_params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .map_err(DemoError::Certificate)?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf_params.is_ca = IsCa::ExplicitNoCa;
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf_params.use_authority_key_identifier_extension = true;
    let leaf_key = KeyPair::generate().map_err(DemoError::Certificate)?;
    let leaf = leaf_params
        .signed_by(&leaf_key, &ca)
        .map_err(DemoError::Certificate)?;

    let chain = vec![leaf.der().clone(), ca.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(DemoError::Tls)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(DemoError::Tls)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(DemoTls {
        ca_pem: ca.pem(),
        server_config: Arc::new(config),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_a_ca_pem_and_alpn_config() {
        let tls = generate().unwrap();
        assert!(tls.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(
            tls.server_config.alpn_protocols,
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
    }
}
