//! Constructors of the nested models users build for create bodies (channel credentials), which
//! `build.rs` does not derive: the create bodies themselves get theirs from the spec. And
//! [`required`], which the generated builders' conversions call.
//!
//! A create body's required fields are `new`'s arguments, so leaving one out does not compile:
//!
//! ```compile_fail
//! let webhook = sinch_conversation::types::CreateWebhookBody::new("app-1"); // no target
//! ```

use crate::types::{
    ChannelCredentialsCommonTypes, ChannelCredentialsTypes, ConversationChannel,
    ConversationChannelCredentials, StaticBearerCredentials, StaticTokenCredentials,
};

impl ConversationChannelCredentials {
    /// The credentials of `channel`, of one kind (`StaticBearerCredentials`, ...).
    ///
    /// ```
    /// use sinch_conversation::types::{
    ///     AppCreateRequest, ConversationChannel, ConversationChannelCredentials,
    ///     StaticBearerCredentials,
    /// };
    ///
    /// let sms = ConversationChannelCredentials::new(
    ///     ConversationChannel::Sms,
    ///     StaticBearerCredentials::new("SERVICE_PLAN_ID", "API_TOKEN"),
    /// );
    /// let app = AppCreateRequest::new(vec![sms], "My app");
    /// assert_eq!(
    ///     serde_json::to_value(&app).unwrap(),
    ///     serde_json::json!({"display_name": "My app", "channel_credentials": [{"channel": "SMS",
    ///         "static_bearer": {"claimed_identity": "SERVICE_PLAN_ID", "token": "API_TOKEN"}}]})
    /// );
    /// ```
    pub fn new(
        channel: ConversationChannel,
        credentials: impl Into<ChannelCredentialsTypes>,
    ) -> Self {
        Self {
            common: ChannelCredentialsCommonTypes {
                channel: Some(channel),
                ..Default::default()
            },
            kind: credentials.into(),
        }
    }
}

impl StaticBearerCredentials {
    /// A claimed identity (such as an SMS service plan id) and its token.
    pub fn new(claimed_identity: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            claimed_identity: claimed_identity.into(),
            token: token.into().into(),
        }
    }
}

impl StaticTokenCredentials {
    /// A channel token (Messenger, Viber, Telegram, ...).
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: token.into().into(),
        }
    }
}

/// A builder field's value, or the error it had. A required field that was never set is an
/// empty error (`build/lean.rs` makes the builders' `Default` allocate nothing); it is named
/// here, only when a conversion finds it missing.
pub(crate) fn required<T>(field: Result<T, String>, name: &'static str) -> Result<T, String> {
    field.map_err(|error| {
        if error.is_empty() {
            format!("no value supplied for {name}")
        } else {
            error
        }
    })
}
