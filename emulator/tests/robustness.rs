//! Malformed input never crashes the emulator or earns a 5xx: every route (v1 with the v1
//! Template API, the v2 Template API and the admin API) gets bad bodies, bad queries and bad
//! paths, and the server still answers afterwards.

use std::time::Duration;

use sinch_conversation_emulator::Emulator;

/// Routes under `/v1/projects/{project_id}`.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/apps"),
    ("POST", "/apps"),
    ("GET", "/apps/x"),
    ("PATCH", "/apps/x"),
    ("DELETE", "/apps/x"),
    ("GET", "/apps/x/webhooks"),
    ("GET", "/apps/x/consents/identities/y"),
    ("GET", "/apps/x/consents/OPT_OUT_ALL"),
    ("POST", "/webhooks"),
    ("GET", "/webhooks/x"),
    ("PATCH", "/webhooks/x"),
    ("DELETE", "/webhooks/x"),
    ("GET", "/contacts"),
    ("POST", "/contacts"),
    ("GET", "/contacts/x"),
    ("PATCH", "/contacts/x"),
    ("DELETE", "/contacts/x"),
    ("POST", "/contacts/x:merge"),
    ("POST", "/contacts:getChannelProfile"),
    ("GET", "/contacts:identityConflicts"),
    ("GET", "/conversations"),
    ("POST", "/conversations"),
    ("GET", "/conversations/x"),
    ("PATCH", "/conversations/x"),
    ("DELETE", "/conversations/x"),
    ("POST", "/conversations/x:stop"),
    ("POST", "/conversations/x:inject-message"),
    ("POST", "/conversations/x:inject-event"),
    ("GET", "/conversations:recent"),
    ("GET", "/events"),
    ("GET", "/events/x"),
    ("DELETE", "/events/x"),
    ("POST", "/events:send"),
    ("GET", "/messages"),
    ("GET", "/messages/x"),
    ("PATCH", "/messages/x"),
    ("DELETE", "/messages/x"),
    ("POST", "/messages:send"),
    ("POST", "/messages:transcode"),
    ("POST", "/messages:fetch-last-message"),
    ("POST", "/capability:query"),
    ("POST", "/optins:register"),
    ("POST", "/optouts:register"),
    ("POST", "/settings"),
    ("GET", "/settings"),
    ("PATCH", "/settings"),
    ("DELETE", "/settings"),
    ("GET", "/templates"),
    ("POST", "/templates"),
    ("GET", "/templates/x"),
    ("PATCH", "/templates/x"),
    ("DELETE", "/templates/x"),
];

/// Routes of the Template API, under `/v2/projects/{project_id}`.
const V2_ROUTES: &[(&str, &str)] = &[
    ("GET", "/templates"),
    ("POST", "/templates"),
    ("GET", "/templates/x"),
    ("PUT", "/templates/x"),
    ("DELETE", "/templates/x"),
    ("GET", "/templates/x/translations"),
];

/// Routes of the admin API, under `/_emulator`.
const ADMIN_ROUTES: &[(&str, &str)] = &[
    ("GET", "/health"),
    ("GET", "/stats"),
    ("POST", "/faults"),
    ("DELETE", "/faults"),
    ("POST", "/tokens/expire"),
    ("POST", "/reply"),
    ("POST", "/reset"),
];

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[tokio::test]
async fn malformed_requests_get_4xx_answers() {
    let emulator = Emulator::builder()
        .require_auth(false)
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let base = format!(
        "{}/v1/projects/{}",
        emulator.base_url(),
        emulator.project_id()
    );
    let v2 = format!(
        "{}/v2/projects/{}",
        emulator.base_url(),
        emulator.project_id()
    );
    let admin = format!("{}/_emulator", emulator.base_url());
    let routes: Vec<(&str, String)> = [(&base, ROUTES), (&v2, V2_ROUTES), (&admin, ADMIN_ROUTES)]
        .into_iter()
        .flat_map(|(prefix, routes)| {
            routes
                .iter()
                .map(move |(method, path)| (*method, format!("{prefix}{path}")))
        })
        .collect();
    let bodies: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"{".to_vec(),
        b"[]".to_vec(),
        b"null".to_vec(),
        br#"{"app_id": 5, "recipient": {"contact_id": "a", "identified_by": {}}}"#.to_vec(),
        br#"{"message": {"text_message": {"text": "\ud800"}}}"#.to_vec(),
        nested(10_000).into_bytes(),
        vec![0xff, 0xfe, 0x00],
    ];
    let queries = [
        "",
        "?page_size=-1",
        "?page_size=abc&page_token=zzz",
        "?page_size=99999999999999999999",
        "?update_mask.paths=&update_mask.paths=..&update_mask.paths=a.b.c",
        "?only_active=maybe&view=SIDEWAYS&start_time=yesterday",
        "?%ZZ=%ZZ",
    ];
    for (method, path) in &routes {
        for body in &bodies {
            for query in queries {
                let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
                let response = http
                    .request(method.clone(), format!("{path}{query}"))
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{method} {path}{query}: {e}"));
                let status = response.status();
                assert!(
                    status.is_client_error() || status.is_success(),
                    "{method} {path}{query} with {:?} answered {status}",
                    String::from_utf8_lossy(&body[..body.len().min(40)])
                );
                if status.is_client_error() {
                    let json: serde_json::Value = response.json().await.unwrap();
                    assert_eq!(json["error"]["code"], status.as_u16(), "{method} {path}");
                }
            }
        }
    }

    // Oversized bodies and odd paths.
    let big = vec![b' '; 5 << 20];
    let response = http
        .post(format!("{base}/messages:send"))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    for path in [
        "/v1/projects/%FF/apps",
        "/v1/projects",
        "/v1/projects/p/apps/%",
        "/../etc",
    ] {
        let response = http
            .get(format!("{}{path}", emulator.base_url()))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error(), "{path}");
    }
    let health = http
        .get(format!("{}/_emulator/health", emulator.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");
    emulator.shutdown().await;
}
