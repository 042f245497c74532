//! Client configuration: regions and base URLs, credentials, the environment, HTTP settings and
//! TLS (with no process-wide crypto provider installed anywhere in this test binary).

use std::{collections::HashMap, sync::Arc, time::Duration};

use httpmock::{Method::GET, Method::POST, MockServer};
use serde_json::json;
use sinch_conversation::{
    Client, ClientBuilder, ClientInfo as _, ConfigError, DEFAULT_USER_AGENT, Error, Region,
    RetryPolicy, reqwest,
};
use tokio::{
    io::{AsyncReadExt as _, AsyncWriteExt as _},
    net::TcpListener,
};

const PROJECT: &str = "proj-1";
const SECRET: &str = "KEY-SECRET-never-printed";

fn apps_path() -> String {
    format!("/v1/projects/{PROJECT}/apps")
}

/// A Basic-auth client for `server` (no token endpoint involved).
fn basic_builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .basic_auth("key-id", SECRET)
        .retry_policy(RetryPolicy::none())
}

async fn list_apps(client: &Client) -> Result<(), Error> {
    client.list_apps().project_id(PROJECT).send().await?;
    Ok(())
}

#[test]
fn regions_have_their_own_base_urls() {
    let urls: Vec<_> = Region::ALL.iter().map(|r| r.base_url()).collect();
    assert_eq!(
        urls,
        [
            "https://us.conversation.api.sinch.com",
            "https://eu.conversation.api.sinch.com",
            "https://br.conversation.api.sinch.com",
        ]
    );
    assert_eq!(" EU ".parse::<Region>().unwrap(), Region::Eu);
    assert_eq!(Region::Br.to_string(), "br");
    assert!(matches!(
        "mars".parse::<Region>(),
        Err(ConfigError::UnknownRegion { value }) if value == "mars"
    ));

    for region in Region::ALL {
        let client = Client::builder()
            .region(region)
            .oauth2("key-id", SECRET)
            .build()
            .unwrap();
        assert_eq!(client.baseurl(), region.base_url());
    }
}

#[test]
fn an_explicit_base_url_wins_over_the_region() {
    let client = Client::builder()
        .region(Region::Us)
        .base_url("http://localhost:8080/prefix/")
        .oauth2("key-id", SECRET)
        .build()
        .unwrap();
    assert_eq!(client.baseurl(), "http://localhost:8080/prefix");
}

#[test]
fn a_region_or_base_url_is_required() {
    let error = Client::builder()
        .oauth2("key-id", SECRET)
        .build()
        .unwrap_err();
    assert!(matches!(error, ConfigError::MissingBaseUrl), "{error:?}");
    assert!(error.to_string().contains("region"));
}

#[test]
fn credentials_are_required_and_must_not_be_empty() {
    let error = Client::builder().region(Region::Eu).build().unwrap_err();
    assert!(
        matches!(error, ConfigError::MissingCredentials),
        "{error:?}"
    );

    let error = Client::builder()
        .region(Region::Eu)
        .oauth2("key-id", "")
        .build()
        .unwrap_err();
    assert!(
        matches!(error, ConfigError::InvalidCredentials { .. }),
        "{error:?}"
    );
}

#[test]
fn malformed_urls_are_config_errors_that_never_echo_a_password() {
    for (url, setting) in [
        ("not a url", "base URL"),
        ("ftp://example.com", "base URL"),
        ("https://example.com/?q=1", "base URL"),
        ("https://user:hunter2@example.com", "base URL"),
        // Too broken to parse, with a password in it: the error must not echo it either.
        ("https://user:hunter2@exa mple.com/v1", "base URL"),
        ("ftp://user:hunter2@example.com", "base URL"),
        ("https://user:hunter2@", "base URL"),
    ] {
        let error = basic_builder(url).build().unwrap_err();
        assert!(
            matches!(error, ConfigError::InvalidUrl { setting: s, .. } if s == setting),
            "{url}: {error:?}"
        );
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }
    let error = Client::builder()
        .region(Region::Eu)
        .oauth2("key-id", SECRET)
        .token_url("mailto:auth@sinch.com")
        .build()
        .unwrap_err();
    assert!(
        matches!(
            error,
            ConfigError::InvalidUrl {
                setting: "token URL",
                ..
            }
        ),
        "{error:?}"
    );
}

fn env(vars: &[(&str, &str)]) -> impl FnMut(&str) -> Option<String> + use<> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| vars.get(name).cloned()
}

const FULL_ENV: [(&str, &str); 4] = [
    ("SINCH_PROJECT_ID", PROJECT),
    ("SINCH_KEY_ID", "key-id"),
    ("SINCH_KEY_SECRET", SECRET),
    ("SINCH_REGION", "us"),
];

#[test]
fn from_env_reads_project_credentials_and_region() {
    let client = ClientBuilder::from_env_with(env(&FULL_ENV))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(client.baseurl(), Region::Us.base_url());
    assert_eq!(client.project(), PROJECT);
}

#[test]
fn from_env_names_the_missing_variable() {
    for missing in [
        "SINCH_PROJECT_ID",
        "SINCH_KEY_ID",
        "SINCH_KEY_SECRET",
        "SINCH_REGION",
    ] {
        let vars: Vec<_> = FULL_ENV
            .iter()
            .copied()
            .filter(|(k, _)| *k != missing)
            .collect();
        let error = ClientBuilder::from_env_with(env(&vars)).unwrap_err();
        assert!(
            matches!(error, ConfigError::MissingEnv { var } if var == missing),
            "{missing}: {error:?}"
        );
        assert!(error.to_string().contains(missing));

        // An empty value counts as missing.
        let mut vars: HashMap<_, _> = FULL_ENV.into_iter().collect();
        vars.insert(missing, "  ");
        let vars: Vec<_> = vars.into_iter().collect();
        let error = ClientBuilder::from_env_with(env(&vars)).unwrap_err();
        assert_eq!(error.env_var(), Some(missing));
    }
}

#[test]
fn from_env_names_the_malformed_variable_without_printing_secrets() {
    for (var, value) in [
        ("SINCH_REGION", "mars"),
        ("SINCH_CONVERSATION_URL", "not a url"),
        ("SINCH_AUTH_URL", "ftp://auth.example.com"),
    ] {
        let mut vars: HashMap<_, _> = FULL_ENV.into_iter().collect();
        vars.insert(var, value);
        let vars: Vec<_> = vars.into_iter().collect();
        let error = ClientBuilder::from_env_with(env(&vars)).unwrap_err();
        assert!(
            matches!(error, ConfigError::InvalidEnv { var: v, .. } if v == var),
            "{var}: {error:?}"
        );
        assert!(error.to_string().contains(var));
        assert!(!error.to_string().contains(SECRET));
    }
}

#[tokio::test]
async fn from_env_overrides_point_api_and_token_requests_elsewhere() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path("/custom/token");
            then.status(200)
                .json_body(json!({"access_token": "tok", "expires_in": 3600}));
        })
        .await;
    let api = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/base{}", apps_path()))
                .header("authorization", "Bearer tok");
            then.status(200).json_body(json!({"apps": []}));
        })
        .await;
    let base = server.url("/base");
    let auth = server.url("/custom/token");
    // No SINCH_REGION: the URL override is enough.
    let client = ClientBuilder::from_env_with(env(&[
        ("SINCH_PROJECT_ID", PROJECT),
        ("SINCH_KEY_ID", "key-id"),
        ("SINCH_KEY_SECRET", SECRET),
        ("SINCH_CONVERSATION_URL", &base),
        ("SINCH_AUTH_URL", &auth),
    ]))
    .unwrap()
    .build()
    .unwrap();

    client
        .list_apps()
        .project_id(client.project())
        .send()
        .await
        .unwrap();

    assert_eq!(token.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 1);
}

#[tokio::test]
async fn the_default_user_agent_names_the_crate_and_can_be_replaced() {
    assert!(DEFAULT_USER_AGENT.starts_with("sinch-conversation-rust/0."));
    assert!(!DEFAULT_USER_AGENT.contains('+'), "no build metadata");
    let server = MockServer::start_async().await;
    let default = server
        .mock_async(|when, then| {
            when.path(apps_path())
                .header("user-agent", DEFAULT_USER_AGENT);
            then.status(200).json_body(json!({"apps": []}));
        })
        .await;
    let custom = server
        .mock_async(|when, then| {
            when.path(apps_path()).header("user-agent", "my-app/1.0");
            then.status(200).json_body(json!({"apps": []}));
        })
        .await;

    list_apps(&basic_builder(&server.base_url()).build().unwrap())
        .await
        .unwrap();
    list_apps(
        &basic_builder(&server.base_url())
            .user_agent("my-app/1.0")
            .build()
            .unwrap(),
    )
    .await
    .unwrap();

    assert_eq!(default.calls_async().await, 1);
    assert_eq!(custom.calls_async().await, 1);
}

#[tokio::test]
async fn gzip_is_asked_for_by_default_and_can_be_switched_off() {
    let server = MockServer::start_async().await;
    let gzip = server
        .mock_async(|when, then| {
            when.path(apps_path())
                .header_includes("accept-encoding", "gzip");
            then.status(200).json_body(json!({"apps": []}));
        })
        .await;
    let plain = server
        .mock_async(|when, then| {
            when.path(apps_path()).header_missing("accept-encoding");
            then.status(200).json_body(json!({"apps": []}));
        })
        .await;

    list_apps(&basic_builder(&server.base_url()).build().unwrap())
        .await
        .unwrap();
    list_apps(
        &basic_builder(&server.base_url())
            .gzip(false)
            .build()
            .unwrap(),
    )
    .await
    .unwrap();

    assert_eq!(gzip.calls_async().await, 1);
    assert_eq!(plain.calls_async().await, 1);
}

#[tokio::test]
async fn requests_go_through_the_configured_proxy() {
    let proxy = MockServer::start_async().await;
    let seen = proxy
        .mock_async(|when, then| {
            when.method(GET).path(apps_path());
            then.status(200).json_body(json!({"apps": []}));
        })
        .await;
    let client = basic_builder("http://conversation.example.invalid")
        .proxy(reqwest::Proxy::http(proxy.base_url()).unwrap())
        .build()
        .unwrap();

    list_apps(&client).await.unwrap();

    assert_eq!(seen.calls_async().await, 1);
}

#[tokio::test]
async fn the_request_timeout_applies() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path(apps_path());
            then.status(200)
                .delay(Duration::from_secs(2))
                .json_body(json!({"apps": []}));
        })
        .await;
    let client = basic_builder(&server.base_url())
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();

    let error = list_apps(&client).await.unwrap_err();

    let Error::Transport(transport) = &error else {
        panic!("expected a transport error, got {error:?}")
    };
    assert!(transport.is_timeout(), "{transport:?}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn connection_settings_are_accepted_and_http1_works() {
    let server = MockServer::start_async().await;
    let api = server
        .mock_async(|when, then| {
            when.path(apps_path());
            then.status(200).json_body(json!({"apps": []}));
        })
        .await;
    let client = basic_builder(&server.base_url())
        .connect_timeout(Duration::from_secs(1))
        .pool_idle_timeout(Some(Duration::from_secs(5)))
        .pool_max_idle_per_host(2)
        .http1_only()
        .build()
        .unwrap();
    list_apps(&client).await.unwrap();
    assert_eq!(api.calls_async().await, 1);
}

#[tokio::test]
async fn http2_prior_knowledge_reaches_the_connection() {
    let server = MockServer::start_async().await;
    let api = server
        .mock_async(|when, then| {
            when.path(apps_path());
            then.status(200).json_body(json!({"apps": []}));
        })
        .await;
    let client = basic_builder(&server.base_url())
        .http2_prior_knowledge()
        .build()
        .unwrap();

    // The mock server speaks HTTP/1 only: an HTTP/2 preface fails at the protocol level.
    let error = list_apps(&client).await.unwrap_err();

    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(api.calls_async().await, 0);
}

#[tokio::test]
async fn template_operations_go_to_the_template_host() {
    // The region's hosts, unless a base URL is given (an emulator serves both).
    let client = Client::builder()
        .region(Region::Br)
        .basic_auth("key-id", SECRET)
        .build()
        .unwrap();
    assert!(format!("{client:?}").contains("https://br.template.api.sinch.com"));
    let client = basic_builder("http://localhost:1").build().unwrap();
    assert!(format!("{client:?}").contains("template_base_url: None"));

    let error = basic_builder("http://localhost:1")
        .template_base_url("not a url")
        .build()
        .unwrap_err();
    assert!(
        matches!(
            error,
            ConfigError::InvalidUrl {
                setting: "template URL",
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_callers_own_reqwest_client_is_used() {
    let server = MockServer::start_async().await;
    let api = server
        .mock_async(|when, then| {
            when.path(apps_path())
                .header("x-from-my-client", "yes")
                .header_exists("authorization");
            then.status(200).json_body(json!({"apps": []}));
        })
        .await;
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-from-my-client", "yes".parse().unwrap());
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .tls_backend_preconfigured(tls)
        .build()
        .unwrap();

    let client = basic_builder(&server.base_url())
        .http_client(http)
        .build()
        .unwrap();
    list_apps(&client).await.unwrap();

    assert_eq!(api.calls_async().await, 1);
}

#[test]
fn root_certificates_are_validated_when_building() {
    let error = basic_builder("https://localhost")
        .add_root_certificate_pem("not a certificate")
        .build()
        .unwrap_err();
    assert!(
        matches!(error, ConfigError::InvalidCertificate { .. }),
        "{error:?}"
    );

    basic_builder("https://localhost")
        .add_root_certificate_pem(include_str!("resources/tls/ca.pem"))
        .build()
        .unwrap();
}

/// Serves one HTTPS request with `{"apps": []}`, using the test certificate for `localhost`.
async fn https_server() -> (u16, tokio::task::JoinHandle<bool>) {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};

    let cert =
        CertificateDer::from_pem_slice(include_bytes!("resources/tls/localhost.pem")).unwrap();
    let key = PrivateKeyDer::from_pem_slice(include_bytes!("resources/tls/localhost.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let Ok(mut tls) = acceptor.accept(tcp).await else {
            return false;
        };
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match tls.read(&mut buf).await {
                Ok(0) | Err(_) => return false,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        let body = br#"{"apps":[]}"#;
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        tls.write_all(head.as_bytes()).await.unwrap();
        tls.write_all(body).await.unwrap();
        tls.shutdown().await.ok();
        true
    });
    (port, task)
}

#[tokio::test]
async fn https_works_without_a_process_wide_crypto_provider() {
    assert!(
        rustls::crypto::CryptoProvider::get_default().is_none(),
        "no test in this binary may install a default provider"
    );
    let (port, server) = https_server().await;
    let client = basic_builder(&format!("https://localhost:{port}"))
        .add_root_certificate_pem(include_str!("resources/tls/ca.pem"))
        .build()
        .unwrap();

    list_apps(&client).await.unwrap();

    assert!(
        server.await.unwrap(),
        "the server saw a complete HTTPS request"
    );
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_transport_error_not_a_panic() {
    let (port, server) = https_server().await;
    let client = basic_builder(&format!("https://localhost:{port}"))
        .build()
        .unwrap();

    let error = list_apps(&client).await.unwrap_err();

    let Error::Transport(transport) = &error else {
        panic!("expected a transport error, got {error:?}")
    };
    assert!(transport.is_connect(), "{transport:?}");
    assert!(!server.await.unwrap(), "the handshake must fail");
}
