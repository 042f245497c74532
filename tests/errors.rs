//! The crate's [`Error`]: what a failed call keeps (status, Sinch error body, raw bytes,
//! `Retry-After`), its one-line `Display`, and `is_retryable`, for answers from a real server.

use std::time::Duration;

use httpmock::{Method::GET, MockServer};
use serde_json::json;
use sinch_conversation::{Client, Error, RetryPolicy, reqwest::StatusCode};

const PROJECT: &str = "proj-1";

async fn get_app_error(
    status: u16,
    configure: impl FnOnce(httpmock::Then) -> httpmock::Then,
) -> Error {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/projects/{PROJECT}/apps/app-1"));
            configure(then.status(status));
        })
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .basic_auth("key-id", "key-secret")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client
        .get_app()
        .project_id(PROJECT)
        .app_id("app-1")
        .send()
        .await
        .unwrap_err();
    mock.assert_async().await;
    error
}

fn one_line(error: &Error) -> String {
    let text = error.to_string();
    assert!(!text.contains('\n') && !text.contains('\r'), "{text:?}");
    text
}

#[tokio::test]
async fn a_documented_error_keeps_the_sinch_error_body() {
    let error = get_app_error(400, |then| {
        then.json_body(json!({
            "code": 400,
            "message": "Invalid app_id",
            "status": "INVALID_ARGUMENT",
            "details": [{"type_url": "type.googleapis.com/google.rpc.BadRequest", "value": "CgZhcHBfaWQ="}]
        }))
    })
    .await;

    assert_eq!(
        one_line(&error),
        "API error: HTTP 400 Bad Request: INVALID_ARGUMENT: Invalid app_id"
    );
    assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST));
    assert!(!error.is_retryable());
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(api.code(), Some(400));
    assert_eq!(api.message(), Some("Invalid app_id"));
    assert_eq!(api.sinch_status(), Some("INVALID_ARGUMENT"));
    let details = &api.body().unwrap().details;
    assert_eq!(details.len(), 1);
    assert_eq!(
        details[0].type_url.as_deref(),
        Some("type.googleapis.com/google.rpc.BadRequest")
    );
    assert!(api.raw_body().is_none());
}

#[tokio::test]
async fn an_undocumented_status_keeps_the_body_too() {
    let error = get_app_error(404, |then| {
        then.json_body(json!({"code": 404, "message": "App not found", "status": "NOT_FOUND"}))
    })
    .await;

    assert_eq!(
        one_line(&error),
        "API error: HTTP 404 Not Found: NOT_FOUND: App not found"
    );
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    assert_eq!(api.message(), Some("App not found"));
}

#[tokio::test]
async fn a_sinch_error_in_its_envelope_is_understood() {
    let error = get_app_error(403, |then| {
        then.json_body(json!({"error": {
            "code": 403,
            "message": "Forbidden for this project",
            "status": "PERMISSION_DENIED",
            "details": []
        }}))
    })
    .await;

    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    assert_eq!(api.sinch_status(), Some("PERMISSION_DENIED"));
    assert_eq!(api.message(), Some("Forbidden for this project"));
}

#[tokio::test]
async fn a_non_json_error_keeps_the_raw_bytes() {
    let page = "<html>\n<body>\n<h1>502 Bad Gateway</h1>\n</body>\n</html>\n";
    let error = get_app_error(502, |then| {
        then.header("content-type", "text/html").body(page)
    })
    .await;

    assert_eq!(
        one_line(&error),
        "API error: HTTP 502 Bad Gateway: <html> <body> <h1>502 Bad Gateway</h1> </body> </html>"
    );
    assert!(error.is_retryable());
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}")
    };
    assert!(api.body().is_none());
    assert_eq!(api.raw_body().map(|b| &b[..]), Some(page.as_bytes()));
    assert_eq!(api.headers()["content-type"], "text/html");
}

#[tokio::test]
async fn a_non_json_body_on_a_documented_status_keeps_status_headers_and_bytes() {
    // 500 is documented with a JSON error schema; the generated code alone would lose the
    // status here (progenitor's `InvalidResponsePayload`).
    let error = get_app_error(500, |then| {
        then.header("x-request-id", "r-1").body("upstream exploded")
    })
    .await;
    assert_eq!(
        one_line(&error),
        "API error: HTTP 500 Internal Server Error: upstream exploded"
    );
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(api.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(api.body().is_none());
    assert_eq!(
        api.raw_body().map(|b| &b[..]),
        Some(&b"upstream exploded"[..])
    );
    assert_eq!(api.headers()["x-request-id"], "r-1");

    let error = get_app_error(401, |then| then).await;
    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
    assert!(matches!(&error, Error::Api(api) if api.raw_body().is_none()));

    let page = "<html><body>Bad request</body></html>";
    let error = get_app_error(400, |then| {
        then.header("content-type", "text/html").body(page)
    })
    .await;
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(api.status(), StatusCode::BAD_REQUEST);
    assert_eq!(api.raw_body().map(|b| &b[..]), Some(page.as_bytes()));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_malformed_success_body_is_a_decode_error() {
    let error = get_app_error(200, |then| then.body("{not json")).await;
    assert!(matches!(&error, Error::Decode { body, .. } if &body[..] == b"{not json"));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn retry_after_and_retryability_are_exposed() {
    let error = get_app_error(429, |then| {
        then.header("retry-after", "7")
            .json_body(json!({"code": 429, "message": "Slow down", "status": "RESOURCE_EXHAUSTED"}))
    })
    .await;

    assert!(error.is_retryable());
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(api.retry_after(), Some(Duration::from_secs(7)));
}

#[tokio::test]
async fn hostile_bodies_do_not_panic_and_stay_one_short_line() {
    let mut garbage = vec![0xff, 0xfe, 0x00, b'\n', b'\r', 0x1b];
    garbage.extend(std::iter::repeat_n(b'x', 100_000));
    let error = get_app_error(418, move |then| then.body(garbage)).await;

    let text = one_line(&error);
    assert!(text.len() < 400, "{} bytes", text.len());
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(api.raw_body().map(|b| b.len()), Some(100_006));

    let error = get_app_error(503, |then| then.header("retry-after", "soon")).await;
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(api.retry_after(), None);
    assert_eq!(one_line(&error), "API error: HTTP 503 Service Unavailable");
}

#[tokio::test]
async fn a_missing_parameter_is_an_invalid_request() {
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .basic_auth("key-id", "key-secret")
        .build()
        .unwrap();
    let error = client
        .get_app()
        .project_id(PROJECT)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidRequest(m) if m.contains("app_id")),
        "{error:?}"
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn may_have_been_processed_separates_refusals_from_ambiguous_failures() {
    // Refused by the API: safe to resend.
    for status in [400, 404, 429, 503] {
        let error = get_app_error(status, |then| then).await;
        assert!(!error.may_have_been_processed(), "{status}: {error}");
    }
    // A failing gateway or server may have acted first.
    for status in [500, 502, 504] {
        let error = get_app_error(status, |then| then).await;
        assert!(error.may_have_been_processed(), "{status}: {error}");
    }
    // A success whose body could not be read: it did happen.
    let error = get_app_error(200, |then| then.body("{not json")).await;
    assert!(error.may_have_been_processed());

    // Connection refused: nothing was sent.
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .basic_auth("key-id", "key-secret")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let refused = client
        .get_app()
        .project_id(PROJECT)
        .app_id("a")
        .send()
        .await
        .unwrap_err();
    assert!(
        refused.is_retryable() && !refused.may_have_been_processed(),
        "{refused:?}"
    );

    // Sent, then no answer in time: ambiguous.
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET);
            then.status(200).delay(Duration::from_millis(500));
        })
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .basic_auth("key-id", "key-secret")
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let timed_out = client
        .get_app()
        .project_id(PROJECT)
        .app_id("a")
        .send()
        .await
        .unwrap_err();
    assert!(
        timed_out.is_retryable() && timed_out.may_have_been_processed(),
        "{timed_out:?}"
    );

    // Never sent: a missing parameter.
    let invalid = client.get_app().app_id("a").send().await.unwrap_err();
    assert!(!invalid.may_have_been_processed());
}
