//! [`Secret`]: credentials inside API models (webhook secrets, channel tokens, API keys).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A credential carried by an API model, such as [`Webhook::secret`](crate::types::Webhook)
/// or a channel's token.
///
/// It travels as the plain string (serde is transparent), but `Debug` prints
/// `Secret("***")`, so a model logged with `{:?}` does not leak it. Read the value with
/// [`expose`](Self::expose).
///
/// ```
/// use sinch_conversation::Secret;
///
/// let secret = Secret::from("hunter2");
/// assert_eq!(format!("{secret:?}"), r#"Secret("***")"#);
/// assert_eq!(secret.expose(), "hunter2");
/// assert_eq!(serde_json::to_string(&secret).unwrap(), r#""hunter2""#);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// The value, for the places that need it (signing, sending).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The value, consuming the secret.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"Secret("***")"#)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(Self::from(value))
    }
}

impl schemars::JsonSchema for Secret {
    fn schema_name() -> String {
        "Secret".to_owned()
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        let mut schema = String::json_schema(generator).into_object();
        schema.format = Some("password".to_owned());
        schema.into()
    }
}
