//! `sinch-conversation-emulator`: runs the Conversation API emulator until Ctrl-C.
//!
//! ```text
//! cargo run -p sinch-conversation-emulator -- --port 8080
//! ```

use std::{net::IpAddr, process::ExitCode, time::Duration};

use sinch_conversation_emulator::Emulator;

const USAGE: &str = "\
Usage: sinch-conversation-emulator [OPTIONS]

An offline emulator of the Sinch Conversation API.

Options:
  --port <PORT>          port to listen on (default 8080; 0 picks a free one)
  --host <IP>            address to listen on (default 127.0.0.1)
  --project-id <ID>      project served (default emulator-project)
  --key-id <ID>          access key id accepted (default emulator-key-id)
  --key-secret <SECRET>  access key secret accepted (default emulator-key-secret)
  --token-ttl <SECS>     lifetime of access tokens (default 3600)
  --report-delay-ms <MS> wait before each delivery report (default 20)
  --max-messages <N>     keep only the newest N messages (default: all)
  --no-auth              serve requests without credentials
  -h, --help             this help
";

fn parse_args() -> Result<Option<sinch_conversation_emulator::EmulatorBuilder>, String> {
    let mut builder = Emulator::builder().port(8080);
    let mut host: Option<IpAddr> = None;
    let mut key: (Option<String>, Option<String>) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = || -> Result<String, String> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" => {
                let port = value()?;
                builder = builder.port(port.parse().map_err(|_| format!("bad port {port:?}"))?);
            }
            "--host" => {
                let ip = value()?;
                host = Some(ip.parse().map_err(|_| format!("bad address {ip:?}"))?);
            }
            "--project-id" => builder = builder.project_id(value()?),
            "--key-id" => key.0 = Some(value()?),
            "--key-secret" => key.1 = Some(value()?),
            "--token-ttl" => {
                let secs = value()?;
                let secs: u64 = secs
                    .parse()
                    .map_err(|_| format!("bad --token-ttl {secs:?}"))?;
                builder = builder.token_ttl(Duration::from_secs(secs));
            }
            "--report-delay-ms" => {
                let ms = value()?;
                let ms: u64 = ms
                    .parse()
                    .map_err(|_| format!("bad --report-delay-ms {ms:?}"))?;
                builder = builder.report_delay(Duration::from_millis(ms));
            }
            "--max-messages" => {
                let n = value()?;
                let n: usize = n.parse().map_err(|_| format!("bad --max-messages {n:?}"))?;
                builder = builder.max_messages(n);
            }
            "--no-auth" => builder = builder.require_auth(false),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if let Some(host) = host {
        builder = builder.host(host);
    }
    builder = builder.credentials(
        key.0
            .unwrap_or_else(|| sinch_conversation_emulator::DEFAULT_KEY_ID.into()),
        key.1
            .unwrap_or_else(|| sinch_conversation_emulator::DEFAULT_KEY_SECRET.into()),
    );
    Ok(Some(builder))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let builder = match parse_args() {
        Ok(Some(builder)) => builder,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let emulator = match builder.start().await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("error: cannot start the emulator: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "Sinch Conversation API emulator listening on {}",
        emulator.base_url()
    );
    println!("Point a client (or `cargo run --example quickstart`) at it with:");
    println!("  export SINCH_CONVERSATION_URL={}", emulator.base_url());
    println!("  export SINCH_AUTH_URL={}", emulator.token_url());
    println!("  export SINCH_PROJECT_ID={}", emulator.project_id());
    println!("  export SINCH_KEY_ID={}", emulator.key_id());
    println!("  export SINCH_KEY_SECRET={}", emulator.key_secret());
    println!(
        "Admin API: {}/_emulator/stats (Ctrl-C stops)",
        emulator.base_url()
    );
    let _ = tokio::signal::ctrl_c().await;
    emulator.shutdown().await;
    ExitCode::SUCCESS
}
