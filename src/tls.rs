//! TLS for the HTTP client: rustls with the `ring` provider, chosen per client.
//!
//! reqwest is built without a default crypto provider (so that no C toolchain is needed), and the
//! crate must not depend on the application installing a process-wide one: the builder hands
//! reqwest a ready `rustls::ClientConfig` instead.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, pem::PemObject};

use crate::error::ConfigError;

/// A root certificate added by the user, parsed when the client is built.
#[derive(Clone)]
pub(crate) enum RootCertificate {
    Pem(Vec<u8>),
    Der(Vec<u8>),
}

/// Which HTTP versions to offer in the TLS handshake (ALPN).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum HttpVersion {
    /// HTTP/2 when the server offers it, else HTTP/1.1.
    #[default]
    Negotiate,
    /// HTTP/1.1 only.
    Http1Only,
    /// HTTP/2 without negotiation.
    Http2PriorKnowledge,
}

/// A rustls configuration trusting the platform's roots plus `extra`, using `ring`.
pub(crate) fn client_config(
    extra: &[RootCertificate],
    version: HttpVersion,
) -> Result<rustls::ClientConfig, ConfigError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = parse_roots(extra)?;
    let verifier = verifier(roots, Arc::clone(&provider))?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::Tls {
            reason: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = match version {
        HttpVersion::Negotiate => vec![b"h2".to_vec(), b"http/1.1".to_vec()],
        HttpVersion::Http1Only => vec![b"http/1.1".to_vec()],
        HttpVersion::Http2PriorKnowledge => vec![b"h2".to_vec()],
    };
    Ok(config)
}

#[cfg(not(target_os = "android"))]
fn verifier(
    roots: Vec<CertificateDer<'static>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<rustls_platform_verifier::Verifier, ConfigError> {
    rustls_platform_verifier::Verifier::new_with_extra_roots(roots, provider).map_err(|e| {
        ConfigError::Tls {
            reason: e.to_string(),
        }
    })
}

#[cfg(target_os = "android")]
fn verifier(
    roots: Vec<CertificateDer<'static>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<rustls_platform_verifier::Verifier, ConfigError> {
    if !roots.is_empty() {
        return Err(ConfigError::Tls {
            reason: "extra root certificates are not supported on Android".to_owned(),
        });
    }
    rustls_platform_verifier::Verifier::new(provider).map_err(|e| ConfigError::Tls {
        reason: e.to_string(),
    })
}

fn parse_roots(extra: &[RootCertificate]) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    let mut roots = Vec::new();
    for root in extra {
        match root {
            RootCertificate::Der(der) => {
                if der.is_empty() {
                    return Err(ConfigError::InvalidCertificate {
                        reason: "empty DER certificate".to_owned(),
                    });
                }
                roots.push(CertificateDer::from(der.clone()));
            }
            RootCertificate::Pem(pem) => {
                let before = roots.len();
                for cert in CertificateDer::pem_slice_iter(pem) {
                    roots.push(cert.map_err(|e| ConfigError::InvalidCertificate {
                        reason: e.to_string(),
                    })?);
                }
                if roots.len() == before {
                    return Err(ConfigError::InvalidCertificate {
                        reason: "no CERTIFICATE section in the PEM data".to_owned(),
                    });
                }
            }
        }
    }
    Ok(roots)
}
