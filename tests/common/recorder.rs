//! A local server that records the raw path of every request, and an unauthenticated client
//! for it: the operation-table tests send every operation there.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use sinch_conversation::{Client, RetryPolicy, client::ClientState};

/// Starts the server: every request is recorded (its path still percent-encoded) and
/// answered 404.
pub async fn recorder() -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let keep = seen.clone();
    let app = axum::Router::new().fallback(move |uri: http::Uri| {
        let keep = keep.clone();
        async move {
            keep.lock().unwrap().push(uri.path().to_owned());
            (http::StatusCode::NOT_FOUND, "{}")
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, seen)
}

/// A client for the recorder without credentials or retries, with `project` as its default.
pub fn client(addr: SocketAddr, project: Option<&str>) -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut state = ClientState::unauthenticated(RetryPolicy::none());
    if let Some(project) = project {
        state = state.with_project_id(project);
    }
    Client::new(&format!("http://{addr}"), state)
}
