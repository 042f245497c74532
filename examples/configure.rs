//! Configures a client from the environment and checks it: authenticates and lists the apps of
//! the project.
//!
//! ```sh
//! SINCH_PROJECT_ID=... SINCH_KEY_ID=... SINCH_KEY_SECRET=... SINCH_REGION=eu \
//!     cargo run --example configure
//! ```
//!
//! Set `SINCH_AUTH=basic` to use HTTP Basic instead of OAuth2, and `SINCH_CONVERSATION_URL` /
//! `SINCH_AUTH_URL` to talk to an emulator or a proxy.

use std::{process::ExitCode, time::Duration};

use sinch_conversation::{AuthScheme, ClientBuilder, RetryPolicy};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let builder = match ClientBuilder::from_env() {
        Ok(builder) => builder,
        Err(error) => {
            // Names the variable, never prints a secret.
            eprintln!("configuration: {error}");
            return ExitCode::FAILURE;
        }
    };
    let scheme = match std::env::var("SINCH_AUTH").as_deref() {
        Ok("basic") => AuthScheme::Basic,
        _ => AuthScheme::OAuth2,
    };
    let client = match builder
        .auth_scheme(scheme)
        .timeout(Duration::from_secs(15))
        .retry_policy(RetryPolicy::default().with_max_attempts(4))
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            eprintln!("configuration: {error}");
            return ExitCode::FAILURE;
        }
    };

    if let Err(error) = client.authenticate().await {
        eprintln!("authentication: {error}");
        return ExitCode::FAILURE;
    }
    let apps = client.list_apps().send().await;
    match apps {
        Ok(apps) => {
            println!("{} app(s) in project {}", apps.apps.len(), client.project());
            for app in &apps.apps {
                println!(
                    "  {} {}",
                    app.id.as_deref().unwrap_or("?"),
                    app.display_name.as_deref().unwrap_or("")
                );
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
