//! The client's overhead against this machine's two ceilings, as ratios.
//!
//! ```sh
//! cargo build --release --examples && target/release/examples/perf --n 20000 --rounds 5
//! ```
//!
//! Separate processes, so each one's CPU and memory are its own: a minimal HTTP server (fixed
//! token and `messages:send` answers, counting connections and token requests) and three
//! clients sending the same request count at the same concurrency, on the same runtime flavour:
//! - *hyper*: bare hyper, one HTTP/1.1 connection per worker, a pre-serialised body and a
//!   fixed bearer header; the machine's own ceiling;
//! - *reqwest*: raw reqwest with the same body and header;
//! - *ours*: `examples/load`, the full client (OAuth2, builders, serde, retries, body limits,
//!   redaction, tracing spans).
//!
//! Every figure is the median of `--rounds` runs, alternating (hyper, reqwest, ours, then the
//! reverse), with its min and max; ratios are taken within a round. CPU time and peak RSS come
//! from `wait4` on each child; allocations from a counting allocator in each.

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

// ---------------------------------------------------------------- ceilings

#[global_allocator]
static ALLOCATOR: counting_alloc::Counting = counting_alloc::Counting;

#[path = "support/bench.rs"]
mod bench;
#[path = "support/counting_alloc.rs"]
mod counting_alloc;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    bench::percentile(sorted, p).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// The pre-serialised `messages:send` body both ceilings send.
fn send_body() -> bytes::Bytes {
    bytes::Bytes::from(
        json!({
            "app_id": "app", "project_id": "perf",
            "recipient": {"identified_by": {"channel_identities": [{"channel": "SMS", "identity": "+46700000000"}]}},
            "message": {"text_message": {"text": "load"}}
        })
        .to_string(),
    )
}

/// Latencies of the accepted sends and the count of failed ones, from one worker.
type Outcome = (Vec<Duration>, usize);

/// Runs `c` workers sharing `n` requests; prints the report line `orchestrate` reads.
async fn drive<F, Fut>(peer: &str, n: usize, c: usize, worker: F) -> Result<(), String>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<Outcome, String>> + Send + 'static,
{
    let allocations = counting_alloc::allocations();
    let started = Instant::now();
    let tasks: Vec<_> = (0..c)
        .map(|i| tokio::spawn(worker(n / c + usize::from(i < n % c))))
        .collect();
    let mut latencies = Vec::with_capacity(n);
    let mut errors = 0;
    for task in tasks {
        let (l, e) = task.await.map_err(|e| e.to_string())??;
        latencies.extend(l);
        errors += e;
    }
    let wall = started.elapsed().as_secs_f64();
    let allocations = counting_alloc::allocations() - allocations;
    latencies.sort();
    println!(
        "{}",
        json!({
            "peer": peer, "n": n, "c": c, "wall_s": wall, "msgs_per_s": latencies.len() as f64 / wall,
            "p50_ms": percentile(&latencies, 0.5), "p99_ms": percentile(&latencies, 0.99),
            "errors": errors, "allocations": allocations,
        })
    );
    Ok(())
}

fn ceiling(args: &[String]) -> Result<(), String> {
    let peer = flag(args, "--peer", "reqwest");
    let url = flag(args, "--url", "");
    let n = number(args, "--n", 20_000)?;
    let c = number(args, "--c", 32)?.max(1);
    let threads = number(args, "--threads", 1)?;
    // Plain HTTP needs no TLS, but reqwest (built without a default provider) wants one chosen.
    let _ = rustls::crypto::ring::default_provider().install_default();
    bench::runtime(threads)
        .map_err(|e| e.to_string())?
        .block_on(async move {
            match peer.as_str() {
                "reqwest" => reqwest_loop(&url, n, c).await,
                "hyper" => hyper_loop(&url, n, c).await,
                other => Err(format!("unknown ceiling {other:?}: reqwest or hyper")),
            }
        })
}

/// Raw reqwest: the same client type ours uses, with a fixed bearer and a ready body.
async fn reqwest_loop(url: &str, n: usize, c: usize) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .build()
        .map_err(|e| e.to_string())?;
    let body = send_body();
    let endpoint: Arc<str> = format!("{url}/v1/projects/perf/messages:send").into();
    drive("reqwest", n, c, |share| {
        let (client, body, endpoint) = (client.clone(), body.clone(), endpoint.clone());
        async move {
            let mut latencies = Vec::with_capacity(share);
            let mut errors = 0usize;
            for _ in 0..share {
                let sent = Instant::now();
                let result = client
                    .post(&*endpoint)
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
            Ok((latencies, errors))
        }
    })
    .await
}

/// Bare hyper: one HTTP/1.1 connection per worker, no pool, no URL parsing per request.
async fn hyper_loop(url: &str, n: usize, c: usize) -> Result<(), String> {
    use http_body_util::{BodyExt as _, Full};
    use hyper::{Request, client::conn::http1};
    use hyper_util::rt::TokioIo;

    let authority = url
        .strip_prefix("http://")
        .ok_or("--url must be http://host:port")?;
    let authority: Arc<str> = authority.into();
    let body = send_body();
    drive("hyper", n, c, |share| {
        let (authority, body) = (authority.clone(), body.clone());
        async move {
            let stream = tokio::net::TcpStream::connect(&*authority)
                .await
                .map_err(|e| e.to_string())?;
            // reqwest sets TCP_NODELAY by default; so does this ceiling.
            stream.set_nodelay(true).map_err(|e| e.to_string())?;
            let (mut sender, connection) = http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| e.to_string())?;
            tokio::spawn(connection);
            let mut latencies = Vec::with_capacity(share);
            let mut errors = 0usize;
            for _ in 0..share {
                let sent = Instant::now();
                let request = Request::post("/v1/projects/perf/messages:send")
                    .header("host", &*authority)
                    .header("authorization", "Bearer perf-token")
                    .header("content-type", "application/json")
                    .body(Full::new(body.clone()))
                    .map_err(|e| e.to_string())?;
                match sender.send_request(request).await {
                    Ok(response) if response.status().is_success() => {
                        let _ = response.into_body().collect().await;
                        latencies.push(sent.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            Ok((latencies, errors))
        }
    })
    .await
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

impl Run {
    fn report(&self, key: &str) -> f64 {
        self.report
            .get(key)
            .and_then(Value::as_f64)
            .unwrap_or(f64::NAN)
    }

    fn stat(&self, key: &str) -> u64 {
        self.stats.get(key).and_then(Value::as_u64).unwrap_or(0)
    }

    /// Messages the server accepted (at least 1, to divide by).
    fn sends(&self) -> f64 {
        self.stat("sends").max(1) as f64
    }

    /// One figure of this run, by the name the tables use.
    fn metric(&self, metric: Metric) -> f64 {
        match metric {
            Metric::MsgsPerS => self.report("msgs_per_s"),
            Metric::P50 => self.report("p50_ms"),
            Metric::P99 => self.report("p99_ms"),
            Metric::CpuPerMsg => self.cpu_s * 1e6 / self.sends(),
            Metric::AllocsPerMsg => self.report("allocations") / self.sends(),
            Metric::RssMb => self.max_rss_kb as f64 / 1024.0,
        }
    }
}

#[derive(Clone, Copy)]
enum Metric {
    MsgsPerS,
    P50,
    P99,
    CpuPerMsg,
    AllocsPerMsg,
    RssMb,
}

const METRICS: [(Metric, &str); 6] = [
    (Metric::MsgsPerS, "msgs/s"),
    (Metric::P50, "p50 ms"),
    (Metric::P99, "p99 ms"),
    (Metric::CpuPerMsg, "CPU us/msg"),
    (Metric::AllocsPerMsg, "allocs/msg"),
    (Metric::RssMb, "RSS MB"),
];

const PEERS: [&str; 3] = ["hyper", "reqwest", "ours"];

/// Median, min and max (the median of an even count is the mean of the middle two).
fn spread(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    };
    (median, values[0], values[n - 1])
}

fn show((median, min, max): (f64, f64, f64)) -> String {
    let digits = if median.abs() >= 100.0 {
        0
    } else if median.abs() >= 1.0 {
        2
    } else {
        3
    };
    format!("{median:.digits$} [{min:.digits$}–{max:.digits$}]")
}

/// One round: every peer once, the order reversed every other round so that neither the
/// ceilings nor ours always run first on a machine whose load drifts.
fn round(
    me: &std::path::Path,
    load: &std::path::Path,
    url: &str,
    port: u16,
    (n, c, threads, index): (usize, usize, usize, usize),
) -> Result<[Run; 3], String> {
    let (n, c, threads) = (n.to_string(), c.to_string(), threads.to_string());
    let common = ["--url", url, "--n", &n, "--c", &c, "--threads", &threads];
    let mut order = [0, 1, 2];
    if index % 2 == 1 {
        order.reverse();
    }
    let mut runs: [Option<Run>; 3] = [None, None, None];
    for peer in order {
        let run = if PEERS[peer] == "ours" {
            let token_url = format!("{url}/oauth2/token");
            run_child(
                Command::new(load).args(common).args([
                    "--auth-url",
                    &token_url,
                    "--key-id",
                    "perf-key",
                    "--key-secret",
                    "perf-secret",
                    "--project",
                    "perf",
                    "--app",
                    "perf-app",
                ]),
                port,
            )?
        } else {
            run_child(
                Command::new(me)
                    .args(["ceiling", "--peer", PEERS[peer]])
                    .args(common),
                port,
            )?
        };
        runs[peer] = Some(run);
    }
    let [Some(hyper), Some(reqwest), Some(ours)] = runs else {
        return Err("a peer did not run".into());
    };
    Ok([hyper, reqwest, ours])
}

fn orchestrate(args: &[String]) -> Result<(), String> {
    let n = number(args, "--n", 20_000)?;
    let rounds = number(args, "--rounds", 5)?.max(1);
    let threads = number(args, "--threads", 1)?.max(1);
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
        let mut runs = Vec::with_capacity(rounds);
        for index in 0..rounds {
            runs.push(round(&me, &load, &url, port, (n, c, threads, index))?);
        }
        results.push((c, runs));
    }
    let _ = server.kill();
    let _ = server.wait();

    println!(
        "n = {n} messages per run, {rounds} rounds of (hyper, reqwest, ours) alternating, \
         runtime threads = {threads}; each figure is the median [min–max] of the rounds; CPU is \
         user+sys of the client process, per message the server accepted"
    );
    let mut verdicts = Vec::new();
    for (c, runs) in &results {
        println!("\nc = {c}");
        print!("{:<8}", "peer");
        for (_, name) in METRICS {
            print!(" {name:>24}");
        }
        println!(" {:>7} {:>6} {:>6}", "tokens", "conns", "errors");
        for (p, peer) in PEERS.iter().enumerate() {
            print!("{peer:<8}");
            for (metric, _) in METRICS {
                print!(
                    " {:>24}",
                    show(spread(runs.iter().map(|r| r[p].metric(metric)).collect()))
                );
            }
            let most = |key: &str| runs.iter().map(|r| r[p].stat(key)).max().unwrap_or(0);
            let errors: f64 = runs.iter().map(|r| r[p].report("errors")).sum();
            println!(
                " {:>7} {:>6} {:>6}",
                most("token_requests"),
                most("connections"),
                errors
            );
        }
        // Ratios are taken within a round, then summarised: only figures of one moment compare.
        let ratio = |metric: Metric, ceiling: usize| {
            spread(
                runs.iter()
                    .map(|r| r[2].metric(metric) / r[ceiling].metric(metric))
                    .collect(),
            )
        };
        for (ceiling, name) in [(1, "reqwest"), (0, "hyper")] {
            print!("ours / {name:<8}");
            for (metric, label) in METRICS {
                print!("  {label} {}", show(ratio(metric, ceiling)));
            }
            println!();
        }
        let med = |metric, ceiling| ratio(metric, ceiling).0;
        let ours = |metric: Metric| spread(runs.iter().map(|r| r[2].metric(metric)).collect()).0;
        let mut target = |name: String, ok: bool, value: String| verdicts.push((name, ok, value));
        if *c == 32 {
            let v = med(Metric::MsgsPerS, 1);
            target(
                "c=32 msgs/s >= 0.9 x reqwest".into(),
                v >= 0.9,
                format!("{v:.2}"),
            );
            let v = med(Metric::CpuPerMsg, 1);
            target(
                "c=32 CPU per message <= 1.15 x reqwest".into(),
                v <= 1.15,
                format!("{v:.2}"),
            );
            let v = med(Metric::MsgsPerS, 0);
            target(
                "c=32 msgs/s >= 0.7 x hyper".into(),
                v >= 0.7,
                format!("{v:.2}"),
            );
            let v = med(Metric::CpuPerMsg, 0);
            target(
                "c=32 CPU per message <= 1.6 x hyper".into(),
                v <= 1.6,
                format!("{v:.2}"),
            );
            let v = ours(Metric::RssMb);
            target(
                "c=32 peak RSS <= 12 MB".into(),
                v <= 12.0,
                format!("{v:.1} MB"),
            );
        } else {
            let v = med(Metric::P50, 1);
            target(
                "c=1 p50 <= 1.1 x reqwest".into(),
                v <= 1.1,
                format!("{v:.2}"),
            );
        }
        let v = med(Metric::AllocsPerMsg, 1);
        target(
            format!("c={c} allocations per message <= 1.3 x reqwest"),
            v <= 1.3,
            format!("{v:.2}"),
        );
        let tokens = runs
            .iter()
            .map(|r| r[2].stat("token_requests"))
            .max()
            .unwrap_or(0);
        target(
            format!("c={c} one token request per run"),
            tokens == 1,
            tokens.to_string(),
        );
        let conns = runs
            .iter()
            .map(|r| r[2].stat("connections"))
            .max()
            .unwrap_or(0);
        target(
            format!("c={c} connections <= c+2"),
            conns <= *c as u64 + 2,
            conns.to_string(),
        );
    }
    println!("\ntargets (medians):");
    for (name, ok, value) in &verdicts {
        println!("  [{}] {name}: {value}", if *ok { "met" } else { "MISSED" });
    }
    Ok(())
}
