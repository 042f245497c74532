//! The OAuth2 token endpoint and the credential check of every API request.

use axum::{
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::Engine as _;

use crate::{error::error_response, state::Shared, stats::bump, tokens::TokenState};

/// `(id, secret)` of an `Authorization: Basic` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = serde_json::json!({"error": error, "error_description": description});
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// `POST /oauth2/token`: client credentials in Basic auth or in the form.
pub(crate) fn token_endpoint(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Response {
    let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    match field("grant_type") {
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only client_credentials is supported",
            );
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is required",
            );
        }
    }
    let credentials = basic_credentials(headers).or_else(|| {
        Some((
            field("client_id")?.to_owned(),
            field("client_secret")?.to_owned(),
        ))
    });
    let config = &shared.config;
    match credentials {
        Some((id, secret)) if id == config.key_id && secret == config.key_secret => {}
        Some(_) => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client authentication failed",
            );
        }
        None => {
            let mut response = oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client credentials are required",
            );
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"sinch\""),
            );
            return response;
        }
    }
    let (token, ttl) = {
        let mut tokens = crate::state::lock(&shared.tokens);
        let token = tokens.issue();
        (token, tokens.ttl)
    };
    bump(&shared.counters.tokens_issued);
    let body = serde_json::json!({
        "access_token": token,
        "expires_in": ttl.as_secs(),
        "scope": "",
        "token_type": "bearer",
    });
    let mut response = (StatusCode::OK, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn unauthenticated(message: &str, challenge: &'static str) -> Response {
    let mut response = error_response(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    response
}

/// Checks the credentials of an API request (a valid bearer token or the key in Basic auth):
/// the 401 answer when they are missing or wrong, `None` when they are good.
pub(crate) fn rejection(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    if !shared.config.require_auth {
        return None;
    }
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Some(unauthenticated(
            "Request had invalid authentication credentials. Expected OAuth 2 access token or Basic credentials.",
            "Bearer realm=\"sinch\"",
        ));
    };
    let (scheme, credential) = value.trim().split_once(' ').unwrap_or((value, ""));
    if scheme.eq_ignore_ascii_case("bearer") {
        let state = crate::state::lock(&shared.tokens).check(credential.trim());
        return match state {
            TokenState::Valid => None,
            TokenState::Expired => Some(unauthenticated(
                "Request had invalid authentication credentials: the access token expired.",
                "Bearer error=\"invalid_token\", error_description=\"Jwt expired\"",
            )),
            TokenState::Unknown => Some(unauthenticated(
                "Request had invalid authentication credentials: the access token is not valid.",
                "Bearer error=\"invalid_token\", error_description=\"Jwt verification fails\"",
            )),
        };
    }
    match basic_credentials(headers) {
        Some((id, secret)) if id == shared.config.key_id && secret == shared.config.key_secret => {
            None
        }
        _ => Some(unauthenticated(
            "Request had invalid authentication credentials.",
            "Basic realm=\"sinch\"",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_header_parsing() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic aWQ6c2VjOnJldA=="),
        );
        assert_eq!(
            basic_credentials(&headers),
            Some(("id".into(), "sec:ret".into()))
        );
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic !!!"));
        assert_eq!(basic_credentials(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic"));
        assert_eq!(basic_credentials(&headers), None);
    }
}
