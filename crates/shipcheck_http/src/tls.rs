//! TLS client configuration and a certificate verifier that records exactly what was wrong.

use std::sync::{Arc, Mutex};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::TlsConnector;

use crate::error::{HttpError, TlsProblem};
use crate::types::ClientOptions;

/// Roots and provider shared by every connection of one `send`.
pub(crate) struct TlsSetup {
    provider: Arc<CryptoProvider>,
    webpki: Arc<WebPkiServerVerifier>,
    insecure: bool,
}

impl TlsSetup {
    /// Trust webpki-roots plus `extra_ca_pem`; always the ring provider.
    pub(crate) fn new(opts: &ClientOptions) -> Result<Self, HttpError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        if let Some(pem) = &opts.extra_ca_pem {
            let mut added = 0usize;
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| config_error(format!("extra CA PEM: {e}")))?;
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
        Ok(TlsSetup {
            provider,
            webpki,
            insecure: opts.insecure,
        })
    }

    /// A connector for one connection, with its own recording verifier (ALPN `h2`, `http/1.1`).
    pub(crate) fn connector(&self) -> Result<(TlsConnector, Arc<RecordingVerifier>), HttpError> {
        self.connector_with_alpn(vec![b"h2".to_vec(), b"http/1.1".to_vec()])
    }

    /// A connector offering the given ALPN protocols (none when empty).
    pub(crate) fn connector_with_alpn(
        &self,
        alpn: Vec<Vec<u8>>,
    ) -> Result<(TlsConnector, Arc<RecordingVerifier>), HttpError> {
        let verifier = Arc::new(RecordingVerifier {
            inner: self.webpki.clone(),
            insecure: self.insecure,
            recorded: Mutex::new(None),
        });
        let mut config = ClientConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| config_error(format!("protocol versions: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone())
            .with_no_client_auth();
        config.alpn_protocols = alpn;
        Ok((TlsConnector::from(Arc::new(config)), verifier))
    }
}

fn config_error(reason: String) -> HttpError {
    HttpError::TlsConfig { reason }
}

/// Delegates to webpki, remembers the first error, and in insecure mode accepts anyway.
#[derive(Debug)]
pub(crate) struct RecordingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    insecure: bool,
    recorded: Mutex<Option<TlsProblem>>,
}

impl RecordingVerifier {
    /// The first verification problem seen on this connection.
    pub(crate) fn problem(&self) -> Option<TlsProblem> {
        self.recorded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn record<T>(&self, result: Result<T, rustls::Error>, accept: T) -> Result<T, rustls::Error> {
        match result {
            Ok(ok) => Ok(ok),
            Err(err) => {
                let mut slot = self
                    .recorded
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                if slot.is_none() {
                    *slot = Some(classify(&err));
                }
                if self.insecure { Ok(accept) } else { Err(err) }
            }
        }
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        self.record(result, ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let result = self.inner.verify_tls12_signature(message, cert, dss);
        self.record(result, HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let result = self.inner.verify_tls13_signature(message, cert, dss);
        self.record(result, HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
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
            other => TlsProblem::OtherCertificate(format!("{other:?}").to_lowercase()),
        },
        other => TlsProblem::Handshake(other.to_string()),
    }
}

fn server_name_text(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(dns) => dns.as_ref().to_owned(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    }
}
