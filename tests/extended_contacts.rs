//! Contacts operations beyond the basic CRUD (once overlays, now in the official document): get a
//! channel profile, list identity conflicts, and the newer query parameters of `list_contacts`.

mod common;

use common::{Api, raw_path, raw_query};
use httpmock::Method::{GET, POST};
use serde_json::json;
use sinch_conversation::types;

#[tokio::test]
async fn get_channel_profile_posts_the_contact_recipient_to_the_colon_path() {
    let api = Api::start().await;
    let path = api.path("/contacts:getChannelProfile");
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(path.clone())
                .is_true(raw_path(path.clone()))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(json!({
                    "app_id": "app-1",
                    "recipient": {"contact_id": "contact-1"},
                    "channel": "MESSENGER"
                }));
            then.status(200)
                .json_body(json!({"profile_name": "Ada Lovelace"}));
        })
        .await;

    let profile = api
        .client
        .get_channel_profile()
        .body(types::GetChannelProfileRequest {
            app_id: "app-1".into(),
            recipient: types::Recipient {
                kind: types::RecipientBase::ContactId("contact-1".into()),
            },
            channel: types::GetChannelProfileConversationChannel::Messenger,
        })
        .send()
        .await
        .expect("profile request succeeds");

    mock.assert_async().await;
    assert_eq!(profile.profile_name.as_deref(), Some("Ada Lovelace"));
}

#[tokio::test]
async fn get_channel_profile_by_channel_identity_sends_identified_by() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(api.path("/contacts:getChannelProfile"))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(json!({
                    "app_id": "app-1",
                    "recipient": {"identified_by": {"channel_identities": [
                        {"channel": "INSTAGRAM", "identity": "ig-1"}
                    ]}},
                    "channel": "INSTAGRAM"
                }));
            // A profile without a name (the channel does not share it) is still a profile.
            then.status(200).json_body(json!({}));
        })
        .await;

    let profile = api
        .client
        .get_channel_profile()
        .body_map(|body| {
            body.app_id("app-1")
                .recipient(types::Recipient {
                    kind: types::RecipientBase::IdentifiedBy(types::ChannelIdentityList(
                        types::ChannelIdentities {
                            channel_identities: vec![types::ChannelRecipientIdentity {
                                channel: types::ConversationChannel::Instagram,
                                identity: "ig-1".into(),
                            }],
                        },
                    )),
                })
                .channel(types::GetChannelProfileConversationChannel::Instagram)
        })
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(profile.profile_name, None);
}

#[tokio::test]
async fn list_identity_conflicts_sends_the_page_parameters_and_parses_the_conflicts() {
    let api = Api::start().await;
    let path = api.path("/contacts:identityConflicts");
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(path.clone())
                .is_true(raw_path(path.clone()))
                .is_true(raw_query(Some("page_size=2&page_token=tok-1")));
            then.status(200).json_body(json!({
                "conflicts": [
                    {
                        "identity": "+46700000001",
                        "channels": ["SMS", "WHATSAPP", "RCS"],
                        "contact_ids": ["contact-1", "contact-2"]
                    },
                    {
                        "identity": "+46700000002",
                        "channels": ["A_FUTURE_CHANNEL"],
                        "contact_ids": ["contact-3", "contact-4"]
                    }
                ],
                "next_page_token": "tok-2"
            }));
        })
        .await;

    let page = api
        .client
        .list_identity_conflicts()
        .page_size(2)
        .page_token("tok-1")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.conflicts.len(), 2);
    let first = &page.conflicts[0];
    assert_eq!(first.identity.as_deref(), Some("+46700000001"));
    // The official document types the conflict's channels as plain strings.
    assert_eq!(first.channels, vec!["SMS", "WHATSAPP", "RCS"]);
    assert_eq!(first.contact_ids, vec!["contact-1", "contact-2"]);
    // A channel this version does not know is kept as given.
    assert_eq!(page.conflicts[1].channels, vec!["A_FUTURE_CHANNEL"]);
    assert_eq!(page.next_page_token.as_deref(), Some("tok-2"));
}

#[tokio::test]
async fn list_identity_conflicts_without_parameters_sends_no_query() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/contacts:identityConflicts"))
                .is_true(raw_query(None));
            then.status(200).json_body(json!({"conflicts": []}));
        })
        .await;

    let page = api.client.list_identity_conflicts().send().await.unwrap();

    mock.assert_async().await;
    assert!(page.conflicts.is_empty());
    assert_eq!(page.next_page_token, None);
}

fn contact_json() -> serde_json::Value {
    json!({
        "id": "contact-1",
        "channel_identities": [{"channel": "WHATSAPP", "identity": "+46700000001"}],
        "channel_priority": ["WHATSAPP"],
        "display_name": "Ada",
        "email": "ada@example.com",
        "external_id": "crm-7",
        "metadata": "",
        "language": "EN_US"
    })
}

#[tokio::test]
async fn list_contacts_by_external_id_sends_the_external_id() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/contacts"))
                .is_true(raw_query(Some("external_id=crm-7")));
            then.status(200)
                .json_body(json!({"contacts": [contact_json()], "next_page_token": ""}));
        })
        .await;

    let page = api
        .client
        .list_contacts()
        .external_id("crm-7")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.contacts.len(), 1);
    assert_eq!(page.contacts[0].external_id.as_deref(), Some("crm-7"));
}

#[tokio::test]
async fn list_contacts_by_channel_identity_sends_channel_and_identity() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/contacts"))
                .is_true(raw_query(Some(
                    "channel=WHATSAPP&identity=%2B46700000001&page_size=1",
                )));
            then.status(200)
                .json_body(json!({"contacts": [contact_json()], "next_page_token": "next"}));
        })
        .await;

    let page = api
        .client
        .list_contacts()
        .channel(types::ConversationChannel::Whatsapp)
        .identity("+46700000001")
        .page_size(1)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    let contact = &page.contacts[0];
    assert_eq!(contact.id.as_deref(), Some("contact-1"));
    assert_eq!(contact.channel_identities[0].identity, "+46700000001");
    assert_eq!(page.next_page_token.as_deref(), Some("next"));
}

#[tokio::test]
async fn get_channel_profile_with_the_recipient_helper_sends_the_same_body() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(api.path("/contacts:getChannelProfile"))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(json!({
                    "app_id": "app-1",
                    "recipient": {"identified_by": {"channel_identities": [
                        {"channel": "MESSENGER", "identity": "psid-1"}
                    ]}},
                    "channel": "MESSENGER"
                }));
            then.status(200).json_body(json!({"profile_name": "Grace"}));
        })
        .await;

    let profile = api
        .client
        .get_channel_profile()
        .body_map(|body| {
            body.app_id("app-1")
                .recipient(types::Recipient::channel(
                    types::ConversationChannel::Messenger,
                    "psid-1",
                ))
                .channel(types::GetChannelProfileConversationChannel::Messenger)
        })
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(profile.profile_name.as_deref(), Some("Grace"));
}
