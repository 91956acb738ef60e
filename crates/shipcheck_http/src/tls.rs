//! TLS client configuration, built once per client, and a verifier whose rejections carry
//! what users act on (which certificate, who issued it, until when it was valid).

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, OtherError, RootCertStore,
    SignatureScheme,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tokio_rustls::TlsConnector;

use crate::certinfo::{self, Rejected};
use crate::error::{HttpError, TlsProblem};

/// A client certificate chain and its key (PEM), for mutual TLS.
#[derive(Clone)]
pub struct ClientIdentity {
    chain: Vec<CertificateDer<'static>>,
    key: Arc<PrivateKeyDer<'static>>,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("certificates", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl ClientIdentity {
    /// Parse a certificate chain (leaf first) and a private key, both PEM.
    pub fn from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<ClientIdentity, HttpError> {
        let chain = CertificateDer::pem_slice_iter(cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| config_error(format!("client certificate PEM: {}", pem_reason(&e))))?;
        if chain.is_empty() {
            return Err(config_error(
                "client certificate PEM holds no certificate".into(),
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(key_pem)
            .map_err(|e| config_error(format!("client key PEM: {}", pem_reason(&e))))?;
        Ok(ClientIdentity {
            chain,
            key: Arc::new(key),
        })
    }
}

/// What a [`TlsSetup`] is built from.
#[derive(Default)]
pub(crate) struct TlsSettings<'a> {
    pub(crate) insecure: bool,
    pub(crate) extra_ca_pem: Option<&'a [u8]>,
    pub(crate) identity: Option<&'a ClientIdentity>,
}

/// Roots, provider and the ready HTTP client configuration of one client.
pub(crate) struct TlsSetup {
    provider: Arc<CryptoProvider>,
    webpki: Arc<WebPkiServerVerifier>,
    insecure: bool,
    identity: Option<ClientIdentity>,
    /// ALPN `h2`, `http/1.1`; shared by every connection of the client.
    http: TlsConnector,
}

impl TlsSetup {
    /// Trust webpki-roots plus `extra_ca_pem`; always the ring provider.
    pub(crate) fn new(settings: &TlsSettings<'_>) -> Result<Self, HttpError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        if let Some(pem) = settings.extra_ca_pem {
            let mut added = 0usize;
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert =
                    cert.map_err(|e| config_error(format!("extra CA PEM: {}", pem_reason(&e))))?;
                roots
                    .add(cert)
                    .map_err(|e| config_error(format!("extra CA certificate: {e}")))?;
                added += 1;
            }
            if added == 0 {
                return Err(config_error("extra CA PEM holds no certificate".into()));
            }
        }
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|e| config_error(format!("certificate verifier: {e}")))?;
        let identity = settings.identity.cloned();
        let http = build_connector(
            &provider,
            &webpki,
            settings.insecure,
            identity.as_ref(),
            vec![b"h2".to_vec(), b"http/1.1".to_vec()],
        )?;
        Ok(TlsSetup {
            provider,
            webpki,
            insecure: settings.insecure,
            identity,
            http,
        })
    }

    /// The shared connector for HTTP (ALPN `h2`, `http/1.1`).
    pub(crate) fn connector(&self) -> TlsConnector {
        self.http.clone()
    }

    /// A connector offering the given ALPN protocols (none when empty).
    pub(crate) fn connector_with_alpn(
        &self,
        alpn: Vec<Vec<u8>>,
    ) -> Result<TlsConnector, HttpError> {
        build_connector(
            &self.provider,
            &self.webpki,
            self.insecure,
            self.identity.as_ref(),
            alpn,
        )
    }

    /// Why the chain the server sent would not verify (set only in insecure mode, where the
    /// handshake went ahead anyway).
    pub(crate) fn problem_after_handshake(
        &self,
        certs: &[CertificateDer<'_>],
        name: &ServerName<'_>,
    ) -> Option<Rejected> {
        if !self.insecure {
            return None;
        }
        let (leaf, rest) = certs.split_first()?;
        let result = self
            .webpki
            .verify_server_cert(leaf, rest, name, &[], UnixTime::now());
        result
            .err()
            .map(|e| Rejected::new(classify(&e), Some(leaf)))
    }
}

fn build_connector(
    provider: &Arc<CryptoProvider>,
    webpki: &Arc<WebPkiServerVerifier>,
    insecure: bool,
    identity: Option<&ClientIdentity>,
    alpn: Vec<Vec<u8>>,
) -> Result<TlsConnector, HttpError> {
    let verifier = Arc::new(Verifier {
        inner: webpki.clone(),
        insecure,
    });
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| config_error(format!("protocol versions: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match identity {
        Some(id) => builder
            .with_client_auth_cert(id.chain.clone(), id.key.clone_key())
            .map_err(|e| config_error(format!("client certificate: {}", tls_reason(&e))))?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = alpn;
    // Every connection is a full handshake, so each records the certificates it was shown.
    config.resumption = rustls::client::Resumption::disabled();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// A PEM parse error in words (upstream prints some parts with `Debug`).
fn pem_reason(e: &rustls_pki_types::pem::Error) -> String {
    use rustls_pki_types::pem::Error as Pem;
    match e {
        Pem::NoItemsFound => "no key found".into(),
        Pem::MissingSectionEnd { .. } => "a PEM section has no end marker".into(),
        Pem::IllegalSectionStart { .. } => "a PEM section starts in the middle of a line".into(),
        Pem::Base64Decode(_) => "a PEM section is not valid base64".into(),
        other => other.to_string(),
    }
}

fn config_error(reason: String) -> HttpError {
    HttpError::TlsConfig { reason }
}

/// Delegates to webpki; a rejection carries a [`Rejected`] with the certificate's names. In
/// insecure mode every certificate is accepted (the problem is found again after the handshake).
#[derive(Debug)]
struct Verifier {
    inner: Arc<WebPkiServerVerifier>,
    insecure: bool,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.insecure {
            return Ok(ServerCertVerified::assertion());
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map_err(|e| {
                let rejected = Rejected::new(classify(&e), Some(end_entity));
                rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(
                    rejected,
                ))))
            })
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        match self.inner.verify_tls12_signature(message, cert, dss) {
            Err(_) if self.insecure => Ok(HandshakeSignatureValid::assertion()),
            other => other,
        }
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        match self.inner.verify_tls13_signature(message, cert, dss) {
            Err(_) if self.insecure => Ok(HandshakeSignatureValid::assertion()),
            other => other,
        }
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The rejection carried by a handshake error, or the problem that error names.
pub(crate) fn rejection(err: &rustls::Error) -> Rejected {
    if let rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(inner))) = err
        && let Some(rejected) = inner.downcast_ref::<Rejected>()
    {
        return rejected.clone();
    }
    Rejected::new(classify(err), None)
}

/// Map a rustls error to the problem users act on.
pub(crate) fn classify(err: &rustls::Error) -> TlsProblem {
    match err {
        rustls::Error::InvalidCertificate(cert) => match cert {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                TlsProblem::Expired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                TlsProblem::NotYetValid
            }
            CertificateError::NotValidForNameContext { expected, .. } => {
                TlsProblem::NotValidForName {
                    host: server_name_text(expected),
                }
            }
            CertificateError::NotValidForName => TlsProblem::NotValidForName {
                host: "the requested host".into(),
            },
            CertificateError::UnknownIssuer => TlsProblem::UnknownIssuer,
            CertificateError::BadSignature => TlsProblem::BadSignature,
            CertificateError::Revoked => TlsProblem::Revoked,
            CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
                TlsProblem::InvalidPurpose
            }
            CertificateError::Other(OtherError(inner)) => {
                if let Some(rejected) = inner.downcast_ref::<Rejected>() {
                    return rejected.problem.clone();
                }
                match inner.downcast_ref::<webpki::Error>() {
                    Some(webpki::Error::CaUsedAsEndEntity) => TlsProblem::CaUsedAsServerCertificate,
                    Some(e) => TlsProblem::OtherCertificate(certinfo::words(&format!("{e:?}"))),
                    None => TlsProblem::OtherCertificate(inner.to_string()),
                }
            }
            other => TlsProblem::OtherCertificate(certinfo::words(&format!("{other:?}"))),
        },
        other => TlsProblem::Handshake(tls_reason(other)),
    }
}

/// A lowercase, human reason for a handshake error that is not about the server certificate.
pub(crate) fn tls_reason(err: &rustls::Error) -> String {
    use rustls::AlertDescription as A;
    match err {
        rustls::Error::AlertReceived(A::CertificateRequired) => {
            "the server requires a client certificate".into()
        }
        rustls::Error::AlertReceived(A::UnknownCA) => {
            "the server does not trust the client certificate (unknown ca)".into()
        }
        rustls::Error::AlertReceived(alert) => format!(
            "the server refused the handshake ({})",
            certinfo::words(&format!("{alert:?}"))
        ),
        rustls::Error::PeerIncompatible(why) => format!(
            "the server has no protocol version or cipher in common ({})",
            certinfo::words(&format!("{why:?}"))
        ),
        rustls::Error::PeerMisbehaved(why) => format!(
            "the server broke the tls protocol ({})",
            certinfo::words(&format!("{why:?}"))
        ),
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            "the server did not answer with tls (is the port plain http?)".into()
        }
        rustls::Error::InappropriateHandshakeMessage { .. } => {
            "the server sent an unexpected handshake message".into()
        }
        rustls::Error::NoCertificatesPresented => "the server sent no certificate".into(),
        rustls::Error::InvalidCertificate(_) => classify(err).to_string(),
        other => other.to_string(),
    }
}

fn server_name_text(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(dns) => dns.as_ref().to_owned(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        _ => "the requested host".into(),
    }
}
