//! The client's overhead against this machine's ceiling, as ratios.
//!
//! ```sh
//! cargo build --release --examples && target/release/examples/perf --n 20000
//! ```
//!
//! Three processes, so each one's CPU and memory are its own: a minimal HTTP server (fixed
//! token and `messages:send` answers, counting connections and token requests), the
//! *ceiling* (raw reqwest sending a pre-serialised `messages:send` with a fixed bearer
//! header) and *ours* (`examples/load`, the full client: OAuth2, builders, serde, retries).
//! Both clients run the same request count at the same concurrency against the same server;
//! CPU time and peak RSS come from `wait4` on each child.

use std::{
    io::{BufRead as _, BufReader, Read as _, Write as _},
    net::TcpStream,
    process::{Command, ExitCode, Stdio},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use serde_json::{Value, json};

const SEND_RESPONSE: &str =
    r#"{"message_id":"01PERF0000000000000000000","accepted_time":"2026-11-26T10:00:00Z"}"#;
const TOKEN_RESPONSE: &str =
    r#"{"access_token":"perf-token","expires_in":3600,"token_type":"bearer"}"#;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(),
        Some("ceiling") => ceiling(&args[1..]),
        _ => orchestrate(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("perf: {message}");
            ExitCode::FAILURE
        }
    }
}

fn flag(args: &[String], name: &str, default: &str) -> String {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| default.to_owned())
}

fn number(args: &[String], name: &str, default: usize) -> Result<usize, String> {
    flag(args, name, &default.to_string())
        .parse()
        .map_err(|_| format!("{name} takes a whole number"))
}

// ---------------------------------------------------------------- server

#[derive(Default)]
struct Counters {
    connections: AtomicU64,
    token_requests: AtomicU64,
    sends: AtomicU64,
}

fn serve() -> Result<(), String> {
    use http_body_util::Full;
    use hyper::{Request, Response, body::Bytes, server::conn::http1, service::service_fn};
    use hyper_util::rt::TokioIo;

    // One worker: the server gets one core, the client under test the other.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        println!("PORT {port}");
        let counters = Arc::new(Counters::default());
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            counters.connections.fetch_add(1, Ordering::Relaxed);
            let counters = counters.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                    let counters = counters.clone();
                    async move {
                        let path = request.uri().path();
                        let body = if path.ends_with("messages:send") {
                            // Drain the body as a real server would.
                            let _ = http_body_util::BodyExt::collect(request.into_body()).await;
                            counters.sends.fetch_add(1, Ordering::Relaxed);
                            SEND_RESPONSE.to_owned()
                        } else if path.ends_with("/oauth2/token") {
                            counters.token_requests.fetch_add(1, Ordering::Relaxed);
                            TOKEN_RESPONSE.to_owned()
                        } else if path == "/stats" {
                            // The stats request's own connection is not the client's.
                            let stats = json!({
                                "connections": counters.connections.swap(0, Ordering::Relaxed).saturating_sub(1),
                                "token_requests": counters.token_requests.swap(0, Ordering::Relaxed),
                                "sends": counters.sends.swap(0, Ordering::Relaxed),
                            });
                            stats.to_string()
                        } else {
                            "{}".to_owned()
                        };
                        Ok::<_, std::convert::Infallible>(
                            Response::builder()
                                .header("content-type", "application/json")
                                .body(Full::new(Bytes::from(body)))
                                .expect("static response parts are valid"),
                        )
                    }
                });
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    })
}

/// Reads and resets the server's counters (the stats connection itself is not counted after).
fn take_stats(port: u16) -> Result<Value, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .write_all(b"GET /stats HTTP/1.0\r\nHost: perf\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    let body = response
        .split("\r\n\r\n")
        .nth(1)
        .ok_or("no body in the stats response")?;
    serde_json::from_str(body).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------- ceiling

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

fn ceiling(args: &[String]) -> Result<(), String> {
    let url = flag(args, "--url", "");
    let n = number(args, "--n", 20_000)?;
    let c = number(args, "--c", 32)?.max(1);
    // Single-threaded, like the load tool's default, so both clients get the same runtime.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    // Plain HTTP needs no TLS, but reqwest (built without a default provider) wants one chosen.
    let _ = rustls::crypto::ring::default_provider().install_default();
    runtime.block_on(async move {
        let client = reqwest::Client::builder().build().map_err(|e| e.to_string())?;
        let body = bytes::Bytes::from(
            json!({
                "app_id": "app", "project_id": "perf",
                "recipient": {"identified_by": {"channel_identities": [{"channel": "SMS", "identity": "+46700000000"}]}},
                "message": {"text_message": {"text": "load"}}
            })
            .to_string(),
        );
        let endpoint = format!("{url}/v1/projects/perf/messages:send");
        let started = Instant::now();
        let tasks: Vec<_> = (0..c)
            .map(|worker| {
                let (client, body, endpoint) = (client.clone(), body.clone(), endpoint.clone());
                let share = n / c + usize::from(worker < n % c);
                tokio::spawn(async move {
                    let mut latencies = Vec::with_capacity(share);
                    let mut errors = 0usize;
                    for _ in 0..share {
                        let sent = Instant::now();
                        let result = client
                            .post(&endpoint)
                            .header("authorization", "Bearer perf-token")
                            .header("content-type", "application/json")
                            .body(body.clone())
                            .send()
                            .await;
                        match result {
                            Ok(response) if response.status().is_success() => {
                                let _ = response.bytes().await;
                                latencies.push(sent.elapsed());
                            }
                            _ => errors += 1,
                        }
                    }
                    (latencies, errors)
                })
            })
            .collect();
        let mut latencies = Vec::with_capacity(n);
        let mut errors = 0;
        for task in tasks {
            let (l, e) = task.await.map_err(|e| e.to_string())?;
            latencies.extend(l);
            errors += e;
        }
        let wall = started.elapsed().as_secs_f64();
        latencies.sort();
        println!(
            "{}",
            json!({
                "peer": "ceiling", "n": n, "c": c, "wall_s": wall, "msgs_per_s": latencies.len() as f64 / wall,
                "p50_ms": percentile(&latencies, 0.5), "p99_ms": percentile(&latencies, 0.99), "errors": errors,
            })
        );
        Ok(())
    })
}

// ---------------------------------------------------------------- orchestration

struct Run {
    report: Value,
    cpu_s: f64,
    max_rss_kb: i64,
    stats: Value,
}

/// Runs a child to completion; its last stdout line is its JSON report; `wait4` gives its rusage.
fn run_child(command: &mut Command, port: u16) -> Result<Run, String> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut output = String::new();
    child
        .stdout
        .take()
        .ok_or("no stdout")?
        .read_to_string(&mut output)
        .map_err(|e| e.to_string())?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is a plain C struct that wait4 fills; the pid is our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if waited != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("{command:?} failed (status {status}): {output}"));
    }
    let line = output
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .ok_or(format!("no JSON report in {output:?}"))?;
    let report: Value =
        serde_json::from_str(line).map_err(|e| format!("bad report {line:?}: {e}"))?;
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok(Run {
        report,
        cpu_s: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        max_rss_kb: usage.ru_maxrss,
        stats: take_stats(port)?,
    })
}

fn orchestrate(args: &[String]) -> Result<(), String> {
    let n = number(args, "--n", 20_000)?;
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let load = me.with_file_name(format!("load{}", std::env::consts::EXE_SUFFIX));
    if !load.exists() {
        return Err(format!(
            "{} is missing: run `cargo build --release --examples` first",
            load.display()
        ));
    }
    let mut server = Command::new(&me)
        .arg("serve")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut first_line = String::new();
    BufReader::new(server.stdout.take().ok_or("no server stdout")?)
        .read_line(&mut first_line)
        .map_err(|e| e.to_string())?;
    let port: u16 = first_line
        .trim()
        .strip_prefix("PORT ")
        .and_then(|p| p.parse().ok())
        .ok_or("server gave no port")?;
    let url = format!("http://127.0.0.1:{port}");
    take_stats(port)?;

    let mut results = Vec::new();
    for c in [1usize, 32] {
        let ceiling = run_child(
            Command::new(&me).args([
                "ceiling",
                "--url",
                &url,
                "--n",
                &n.to_string(),
                "--c",
                &c.to_string(),
            ]),
            port,
        )?;
        let ours = run_child(
            Command::new(&load).args([
                "--url",
                &url,
                "--auth-url",
                &format!("{url}/oauth2/token"),
                "--key-id",
                "perf-key",
                "--key-secret",
                "perf-secret",
                "--project",
                "perf",
                "--app",
                "perf-app",
                "--n",
                &n.to_string(),
                "--c",
                &c.to_string(),
            ]),
            port,
        )?;
        results.push((c, ceiling, ours));
    }
    let _ = server.kill();
    let _ = server.wait();

    let get = |run: &Run, key: &str| {
        run.report
            .get(key)
            .and_then(Value::as_f64)
            .unwrap_or(f64::NAN)
    };
    let stat = |run: &Run, key: &str| run.stats.get(key).and_then(Value::as_u64).unwrap_or(0);
    println!(
        "n = {n} messages per run; CPU is user+sys of the client process; connections and token requests as the server counted them"
    );
    println!(
        "{:<10} {:>3} {:>10} {:>8} {:>8} {:>12} {:>9} {:>6} {:>6} {:>6}",
        "peer",
        "c",
        "msgs/s",
        "p50 ms",
        "p99 ms",
        "CPU ms/1000",
        "RSS MB",
        "tokens",
        "conns",
        "errors"
    );
    let mut verdicts = Vec::new();
    for (c, ceiling, ours) in &results {
        for (name, run) in [("ceiling", ceiling), ("ours", ours)] {
            let sent = stat(run, "sends").max(1) as f64;
            println!(
                "{:<10} {:>3} {:>10.0} {:>8.3} {:>8.3} {:>12.1} {:>9.1} {:>6} {:>6} {:>6}",
                name,
                c,
                get(run, "msgs_per_s"),
                get(run, "p50_ms"),
                get(run, "p99_ms"),
                run.cpu_s * 1000.0 / sent * 1000.0,
                run.max_rss_kb as f64 / 1024.0,
                stat(run, "token_requests"),
                stat(run, "connections"),
                get(run, "errors"),
            );
        }
        let throughput = get(ours, "msgs_per_s") / get(ceiling, "msgs_per_s");
        let cpu = (ours.cpu_s / stat(ours, "sends").max(1) as f64)
            / (ceiling.cpu_s / stat(ceiling, "sends").max(1) as f64);
        let p50 = get(ours, "p50_ms") / get(ceiling, "p50_ms");
        println!("ratios at c={c}: msgs/s {throughput:.2}, CPU per message {cpu:.2}, p50 {p50:.2}");
        if *c == 32 {
            verdicts.push((
                "c=32 msgs/s >= 0.75 x ceiling",
                throughput >= 0.75,
                format!("{throughput:.2}"),
            ));
            verdicts.push((
                "c=32 CPU per message <= 1.4 x ceiling",
                cpu <= 1.4,
                format!("{cpu:.2}"),
            ));
            verdicts.push((
                "c=32 peak RSS <= 15 MB",
                ours.max_rss_kb <= 15 * 1024,
                format!("{:.1} MB", ours.max_rss_kb as f64 / 1024.0),
            ));
        } else {
            verdicts.push(("c=1 p50 <= 1.3 x ceiling", p50 <= 1.3, format!("{p50:.2}")));
        }
        verdicts.push((
            if *c == 1 {
                "c=1 one token request"
            } else {
                "c=32 one token request"
            },
            stat(ours, "token_requests") == 1,
            stat(ours, "token_requests").to_string(),
        ));
        let limit = *c as u64 + 2;
        verdicts.push((
            if *c == 1 {
                "c=1 connections <= c+2"
            } else {
                "c=32 connections <= c+2"
            },
            stat(ours, "connections") <= limit,
            stat(ours, "connections").to_string(),
        ));
    }
    println!("targets:");
    for (name, ok, value) in &verdicts {
        println!("  [{}] {name}: {value}", if *ok { "met" } else { "MISSED" });
    }
    Ok(())
}
