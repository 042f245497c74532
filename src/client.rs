//! State carried by the generated [`Client`](crate::Client) and the hooks that execute its requests.

use progenitor_client::{ClientHooks, OperationInfo};

/// Hand-written state the generated client carries (auth, retries, defaults).
#[derive(Debug, Default, Clone)]
pub struct ClientState {}

impl ClientHooks<ClientState> for crate::Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        progenitor_client::ClientInfo::client(self)
            .execute(request)
            .await
    }
}
