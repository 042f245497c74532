//! The HTTP server: connections, routing, and the pipeline every API request goes through
//! (counters, faults, body limit, credentials, project) on its way to the API's dispatch.

use std::sync::Arc;

use axum::{
    Router,
    body::Body,
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto,
};
use tokio::{net::TcpListener, sync::watch};
use tower::ServiceExt as _;

use crate::{
    api::{self, Ctx, Query},
    auth, callbacks,
    error::{ApiError, error_response, status_name},
    faults::{Fault, retry_after_value},
    ops::{Operation, route},
    state::{Shared, lock, shutdown_signal},
    stats::Outcome,
};

/// Marks a response whose connection must be dropped instead of answered.
#[derive(Clone, Copy, Debug)]
struct DropConnection;

/// The error that makes hyper close a connection without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for Dropped {}

/// The whole application: admin API, then the emulated API for every other path.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .nest("/_emulator", crate::admin::router())
        .fallback(pipeline)
        .with_state(shared)
}

/// Accepts connections until `shutdown` turns `true`.
pub(crate) async fn serve(listener: TcpListener, app: Router, shutdown: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown_signal(shutdown.clone()) => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors or similar: back off instead of spinning.
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let stop = shutdown.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(
                move |request: hyper::Request<hyper::body::Incoming>| {
                    let app = app.clone();
                    async move {
                        let Ok(response) = app.oneshot(request.map(Body::new)).await;
                        if response.extensions().get::<DropConnection>().is_some() {
                            return Err(Dropped);
                        }
                        Ok::<_, Dropped>(response)
                    }
                },
            );
            let builder = auto::Builder::new(TokioExecutor::new());
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = shutdown_signal(stop) => {}
            }
        });
    }
}

fn injected(shared: &Shared, op: Operation, fault: Fault) -> Response {
    shared.counters.finished(op, Outcome::Injected);
    match fault {
        Fault::DropConnection => {
            let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            response.extensions_mut().insert(DropConnection);
            response
        }
        Fault::Status {
            status,
            retry_after,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = error_response(
                status,
                status_name(status),
                &format!(
                    "Injected fault: {}",
                    status.canonical_reason().unwrap_or("error")
                ),
            );
            if matches!(status.as_u16(), 429 | 503) {
                let delay = retry_after.unwrap_or(shared.config.retry_after);
                if let Ok(value) = HeaderValue::from_str(&retry_after_value(delay)) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
            }
            response
        }
    }
}

fn outcome_of(response: &Response) -> Outcome {
    if response.status().is_success() {
        Outcome::Succeeded
    } else {
        Outcome::Failed
    }
}

/// Every request to the emulated API (and the token endpoint) goes through here.
async fn pipeline(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Some(route) = route(&parts.method, parts.uri.path()) else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            format!("No operation {} {}", parts.method, parts.uri.path()),
        )
        .into_response();
    };
    let op = route.op;
    shared.counters.received(op);

    let delay = lock(&shared.faults).delay(op);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let fault = lock(&shared.faults).take(op);
    if let Some(fault) = fault {
        return injected(&shared, op, fault);
    }

    let body = match axum::body::to_bytes(body, shared.config.max_body).await {
        Ok(body) => body,
        Err(_) => {
            shared.counters.finished(op, Outcome::Failed);
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "Request payload is larger than {} bytes",
                    shared.config.max_body
                ),
            )
            .into_response();
        }
    };

    if op == Operation::Token {
        let response = auth::token_endpoint(&shared, &parts.headers, &body);
        shared.counters.finished(op, outcome_of(&response));
        return response;
    }
    if let Some(response) = auth::rejection(&shared, &parts.headers) {
        shared.counters.finished(op, Outcome::Failed);
        return response;
    }
    if route.project != shared.config.project_id {
        shared.counters.finished(op, Outcome::Failed);
        return ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "You do not have access to project '{}' with these credentials",
                route.project
            ),
        )
        .into_response();
    }

    let query = Query::parse(parts.uri.query());
    let ctx = Ctx {
        shared: &shared,
        route: &route,
        query: &query,
        body: &body,
    };
    let (result, jobs) = {
        let mut store = lock(&shared.store);
        match api::dispatch(&ctx, &mut store) {
            Ok(outcome) => {
                let jobs = callbacks::resolve(&store, outcome.emits);
                (Ok(outcome.response), jobs)
            }
            Err(error) => (Err(error), Vec::new()),
        }
    };
    callbacks::spawn(&shared, jobs);
    let response = result.unwrap_or_else(IntoResponse::into_response);
    shared.counters.finished(op, outcome_of(&response));
    response
}
