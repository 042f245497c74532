//! Client configuration: regions, URLs, environment, HTTP settings.

use std::collections::HashMap;

use httpmock::{Method::GET, MockServer};
use serde_json::json;
use sinch_conversation::{Client, ClientInfo, Region, error::ConfigError};

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

const FULL: &[(&str, &str)] = &[
    ("SINCH_PROJECT_ID", "proj"),
    ("SINCH_KEY_ID", "kid"),
    ("SINCH_KEY_SECRET", "ksecret"),
    ("SINCH_REGION", "us"),
];

#[test]
fn regions_map_to_their_base_urls() {
    assert_eq!(
        Region::Us.conversation_url(),
        "https://us.conversation.api.sinch.com"
    );
    assert_eq!(
        Region::Eu.conversation_url(),
        "https://eu.conversation.api.sinch.com"
    );
    assert_eq!(
        Region::Br.conversation_url(),
        "https://br.conversation.api.sinch.com"
    );
    assert_eq!("EU".parse::<Region>().unwrap(), Region::Eu);
    assert!(matches!("mars".parse::<Region>(), Err(ConfigError::InvalidRegion(r)) if r == "mars"));
}

#[test]
fn a_region_or_base_url_is_required() {
    let error = Client::builder().oauth2("k", "s").build().unwrap_err();
    assert!(matches!(error, ConfigError::MissingBaseUrl));
    assert!(error.to_string().contains("us, eu, br"));
}

#[test]
fn credentials_are_required() {
    assert!(matches!(
        Client::builder().region(Region::Eu).build(),
        Err(ConfigError::MissingCredentials)
    ));
}

#[test]
fn bad_urls_are_config_errors() {
    let error = Client::builder()
        .base_url("ftp://x")
        .basic_auth("k", "s")
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, ConfigError::InvalidUrl { reason, .. } if reason.contains("ftp")),
        "{error}"
    );
    let error = Client::builder()
        .base_url("not a url")
        .basic_auth("k", "s")
        .build()
        .unwrap_err();
    assert!(matches!(error, ConfigError::InvalidUrl { .. }));
    let error = Client::builder()
        .region(Region::Us)
        .token_url("::")
        .oauth2("k", "s")
        .build()
        .unwrap_err();
    assert!(matches!(error, ConfigError::InvalidUrl { .. }));
}

#[test]
fn a_region_client_builds_with_https_and_tls() {
    let client = Client::builder()
        .region(Region::Br)
        .oauth2("k", "s")
        .build()
        .unwrap();
    assert_eq!(client.baseurl(), "https://br.conversation.api.sinch.com");
}

#[test]
fn from_env_reads_every_variable() {
    let builder = Client::builder()
        .from_env_with(env(&[
            ("SINCH_PROJECT_ID", "proj"),
            ("SINCH_KEY_ID", "kid"),
            ("SINCH_KEY_SECRET", "ksecret"),
            ("SINCH_CONVERSATION_URL", "http://127.0.0.1:9/"),
            ("SINCH_AUTH_URL", "http://127.0.0.1:9/oauth2/token"),
        ]))
        .unwrap();
    let client = builder.build().unwrap();
    assert_eq!(client.project(), "proj");
    assert_eq!(client.baseurl(), "http://127.0.0.1:9");

    let client = Client::builder()
        .from_env_with(env(FULL))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(client.baseurl(), "https://us.conversation.api.sinch.com");
}

#[test]
fn from_env_names_the_missing_or_bad_variable() {
    for missing in [
        "SINCH_PROJECT_ID",
        "SINCH_KEY_ID",
        "SINCH_KEY_SECRET",
        "SINCH_REGION",
    ] {
        let pairs: Vec<(&str, &str)> = FULL
            .iter()
            .copied()
            .filter(|(k, _)| *k != missing)
            .collect();
        let error = Client::builder().from_env_with(env(&pairs)).unwrap_err();
        assert!(
            matches!(error, ConfigError::MissingEnv(name) if name == missing),
            "{missing}: {error}"
        );
    }
    let pairs: Vec<(&str, &str)> = FULL
        .iter()
        .map(|&(k, v)| {
            if k == "SINCH_REGION" {
                (k, "mars")
            } else {
                (k, v)
            }
        })
        .collect();
    let error = Client::builder().from_env_with(env(&pairs)).unwrap_err();
    assert!(
        matches!(
            &error,
            ConfigError::InvalidEnv {
                name: "SINCH_REGION",
                ..
            }
        ),
        "{error}"
    );

    let mut pairs = FULL.to_vec();
    pairs.push(("SINCH_AUTH_URL", "nope"));
    let error = Client::builder().from_env_with(env(&pairs)).unwrap_err();
    assert!(
        matches!(
            &error,
            ConfigError::InvalidEnv {
                name: "SINCH_AUTH_URL",
                ..
            }
        ),
        "{error}"
    );

    let pairs: Vec<(&str, &str)> = FULL
        .iter()
        .map(|&(k, v)| {
            if k == "SINCH_KEY_SECRET" {
                (k, " ")
            } else {
                (k, v)
            }
        })
        .collect();
    let error = Client::builder().from_env_with(env(&pairs)).unwrap_err();
    assert!(
        matches!(
            &error,
            ConfigError::InvalidEnv {
                name: "SINCH_KEY_SECRET",
                ..
            }
        ),
        "{error}"
    );
    assert!(!error.to_string().contains("ksecret"));
}

#[tokio::test]
async fn the_default_user_agent_names_the_crate_and_version() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/projects/p/apps").header(
                "user-agent",
                format!("sinch-conversation-rust/{}", env!("CARGO_PKG_VERSION")),
            );
            then.status(200).json_body(json!({"apps": []}));
        })
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .basic_auth("k", "s")
        .build()
        .unwrap();
    client.list_apps().project_id("p").send().await.unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn a_custom_user_agent_and_a_callers_reqwest_client_are_used() {
    let server = MockServer::start_async().await;
    let custom = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/projects/p/apps")
                .header("user-agent", "my-app/2");
            then.status(200).json_body(json!({"apps": []}));
        })
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .basic_auth("k", "s")
        .user_agent("my-app/2")
        .timeout(std::time::Duration::from_secs(5))
        .connect_timeout(std::time::Duration::from_secs(1))
        .pool_idle_timeout(std::time::Duration::from_secs(30))
        .pool_max_idle_per_host(4)
        .gzip(false)
        .build()
        .unwrap();
    client.list_apps().project_id("p").send().await.unwrap();

    let own = reqwest::Client::builder()
        .user_agent("my-app/2")
        .build()
        .unwrap();
    let client = Client::builder()
        .base_url(server.base_url())
        .basic_auth("k", "s")
        .reqwest_client(own)
        .build()
        .unwrap();
    client.list_apps().project_id("p").send().await.unwrap();
    assert_eq!(custom.calls_async().await, 2);
}

#[tokio::test]
async fn http2_prior_knowledge_is_spoken_when_asked() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/projects/p/apps");
            then.status(200).json_body(json!({"apps": []}));
        })
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .basic_auth("k", "s")
        .http2_prior_knowledge()
        .build()
        .unwrap();
    // httpmock's server speaks HTTP/1 only (without its http2 feature): the attempt must fail
    // at the protocol level, which shows the setting reached the connection.
    let result = client.list_apps().project_id("p").send().await;
    assert!(result.is_err());
    assert_eq!(mock.calls_async().await, 0);
}
