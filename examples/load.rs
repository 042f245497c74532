//! A load tool: sends `--n` text messages with `--c` in flight and prints one JSON line.
//!
//! ```sh
//! cargo run --release --example load -- --n 5000 --c 32            # against an in-process emulator
//! cargo run --release --example load -- --n 500 --c 8 \
//!     --url https://eu.conversation.api.sinch.com --auth-url https://auth.sinch.com/oauth2/token \
//!     --key-id KEY --key-secret SECRET --project PROJECT --app APP --to +46700000000
//! ```
//!
//! Output: `{"peer":"sinch-conversation-rust","n":..,"c":..,"wall_s":..,"msgs_per_s":..,
//! "p50_ms":..,"p99_ms":..,"errors":..,"token_requests":..,"allocations":..}` where the latencies
//! are those of the accepted sends, `token_requests` is counted by the client and `allocations`
//! by a counting allocator, over the sends alone.
//!
//! Without `--url` an emulator runs in the same process (keeping only the last 100 messages).
//! The runtime is single-threaded unless `--threads N` asks for more.

use std::{
    process::ExitCode,
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::Instant,
};

use sinch_conversation::{
    Client,
    types::{self, ConversationChannel, Recipient},
};
use sinch_conversation_emulator::Emulator;

#[path = "support/bench.rs"]
mod bench;
#[path = "support/counting_alloc.rs"]
mod counting_alloc;

#[global_allocator]
static ALLOCATOR: counting_alloc::Counting = counting_alloc::Counting;

const USAGE: &str = "usage: load [--n N] [--c C] [--threads T] [--url URL --auth-url URL \
--key-id ID --key-secret SECRET --project ID] [--app APP_ID] [--to NUMBER]";

#[derive(Debug)]
struct Args {
    n: usize,
    c: usize,
    threads: usize,
    url: Option<String>,
    auth_url: Option<String>,
    key_id: Option<String>,
    key_secret: Option<String>,
    project: Option<String>,
    app: Option<String>,
    to: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        n: 1000,
        c: 8,
        threads: 1,
        url: None,
        auth_url: None,
        key_id: None,
        key_secret: None,
        project: None,
        app: None,
        to: "+46700000000".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        if name == "-h" || name == "--help" {
            return Err(USAGE.into());
        }
        let value = inline
            .or_else(|| it.next())
            .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))?;
        let number = |v: &str| {
            v.parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name} needs a positive number, not {v:?}"))
        };
        match name.as_str() {
            "--n" => args.n = number(&value)?,
            "--c" => args.c = number(&value)?,
            "--threads" => args.threads = number(&value)?,
            "--url" => args.url = Some(value),
            "--auth-url" => args.auth_url = Some(value),
            "--key-id" => args.key_id = Some(value),
            "--key-secret" => args.key_secret = Some(value),
            "--project" => args.project = Some(value),
            "--app" => args.app = Some(value),
            "--to" => args.to = value,
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let result = match bench::runtime(args.threads) {
        Ok(runtime) => runtime.block_on(run(args)),
        Err(error) => Err(error.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("load failed: {error}");
            ExitCode::FAILURE
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The one line printed, fields in this order.
#[derive(serde::Serialize)]
struct Report {
    peer: &'static str,
    n: usize,
    c: usize,
    wall_s: f64,
    msgs_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
    token_requests: u64,
    allocations: u64,
}

async fn run(args: Args) -> Result<(), BoxError> {
    let (client, emulator) = match &args.url {
        Some(url) => {
            let missing = |what: &str| format!("--url needs {what}");
            let client = Client::builder()
                .base_url(url)
                .token_url(args.auth_url.clone().ok_or_else(|| missing("--auth-url"))?)
                .project_id(args.project.clone().ok_or_else(|| missing("--project"))?)
                .oauth2(
                    args.key_id.clone().ok_or_else(|| missing("--key-id"))?,
                    args.key_secret
                        .clone()
                        .ok_or_else(|| missing("--key-secret"))?,
                )
                .pool_max_idle_per_host(args.c)
                .build()?;
            (client, None)
        }
        None => {
            let emulator = Emulator::builder().max_messages(100).start().await?;
            let client = emulator
                .client_builder()
                .pool_max_idle_per_host(args.c)
                .build()?;
            (client, Some(emulator))
        }
    };
    let app_id = match &args.app {
        Some(app) => app.clone(),
        None => {
            let app = types::AppCreateRequest::new(Vec::new(), "load");
            let app = client
                .create_app()
                .body(app)
                .send()
                .await
                .map_err(|e| format!("cannot create an app: {e}"))?;
            app.id
                .clone()
                .ok_or("the API returned an app without an id")?
        }
    };
    client.authenticate().await?;

    let allocations = counting_alloc::allocations();
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut workers = Vec::with_capacity(args.c);
    for _ in 0..args.c.min(args.n) {
        let (client, app_id, to) = (client.clone(), app_id.clone(), args.to.clone());
        let (next, errors, n) = (Arc::clone(&next), Arc::clone(&errors), args.n);
        workers.push(tokio::spawn(async move {
            let recipient = Recipient::channel(ConversationChannel::Sms, to);
            let mut latencies = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < n {
                let sent = Instant::now();
                let result = client
                    .send_text(&app_id, recipient.clone(), "load test")
                    .send()
                    .await;
                match result {
                    // Microseconds in a u32 (up to 71 minutes): 4 bytes a sample keeps RSS low.
                    Ok(_) => latencies
                        .push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX)),
                    Err(_) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            latencies
        }));
    }
    let mut latencies: Vec<u32> = Vec::with_capacity(args.n);
    for worker in workers {
        latencies.extend(worker.await?);
    }
    let wall = started.elapsed().as_secs_f64();
    let allocations = counting_alloc::allocations() - allocations;
    latencies.sort_unstable();
    let percentile =
        |p: f64| bench::percentile(&latencies, p).map_or(0.0, |us| f64::from(us) / 1000.0);
    let round = |v: f64, places: i32| (v * 10f64.powi(places)).round() / 10f64.powi(places);
    let report = Report {
        peer: "sinch-conversation-rust",
        n: args.n,
        c: args.c,
        wall_s: round(wall, 3),
        msgs_per_s: round(latencies.len() as f64 / wall.max(1e-9), 1),
        p50_ms: round(percentile(0.50), 3),
        p99_ms: round(percentile(0.99), 3),
        errors: errors.load(Ordering::Relaxed),
        token_requests: client.token_requests(),
        allocations,
    };
    println!("{}", serde_json::to_string(&report)?);
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    Ok(())
}
