//! Contacts area: list (paged), create, get, update (masked), merge and delete.

mod common;

use common::{Api, raw_query};
use httpmock::Method::{DELETE, GET, PATCH, POST};
use serde_json::json;
use sinch_conversation::{
    field_mask::{FieldMask, PatchExt},
    types,
};

fn contact_json(id: &str) -> serde_json::Value {
    json!({
        "id": id,
        "channel_identities": [{"channel": "SMS", "identity": "+46700000001", "app_id": ""}],
        "channel_priority": ["SMS"],
        "display_name": "Ada",
        "email": "ada@example.com",
        "external_id": "ext-1",
        "metadata": "",
        "language": "EN_US"
    })
}

#[tokio::test]
async fn list_contacts_with_paging() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET).path(api.path("/contacts")).is_true(raw_query(Some("page_size=20&page_token=abc")));
            then.status(200).json_body(json!({"contacts": [contact_json("c1"), contact_json("c2")], "next_page_token": "def"}));
        })
        .await;

    let page = api
        .client
        .list_contacts()
        .page_size(20)
        .page_token("abc")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.contacts.len(), 2);
    assert_eq!(page.contacts[1].id.as_deref(), Some("c2"));
    assert_eq!(
        page.contacts[0].language,
        Some(types::ContactLanguage::EnUs)
    );
    assert_eq!(page.next_page_token.as_deref(), Some("def"));
}

#[tokio::test]
async fn create_contact_without_an_id() {
    let api = Api::start().await;
    let request = json!({
        "channel_identities": [{"channel": "WHATSAPP", "identity": "+46700000002"}],
        "display_name": "Grace",
        "language": "EN"
    });
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(api.path("/contacts"))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(request.clone());
            then.status(200).json_body(contact_json("c-new"));
        })
        .await;

    let contact = api
        .client
        .create_contact()
        .body(serde_json::from_value::<types::ContactCreateRequest>(request).unwrap())
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(contact.id.as_deref(), Some("c-new"));
    assert_eq!(contact.email.as_deref(), Some("ada@example.com"));
}

#[tokio::test]
async fn get_contact() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/contacts/c1"))
                .is_true(raw_query(None));
            then.status(200).json_body(contact_json("c1"));
        })
        .await;

    let contact = api
        .client
        .get_contact()
        .contact_id("c1")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(contact.channel_identities[0].identity, "+46700000001");
    assert_eq!(
        contact.channel_priority,
        vec![types::ConversationChannel::Sms]
    );
}

#[tokio::test]
async fn update_contact_with_mask() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(api.path("/contacts/c1")).header("content-type", "application/json")
                // One comma-joined value: the official document declares `explode: false`.
                .is_true(raw_query(Some("update_mask=display_name%2Cemail")))
                .json_body(json!({"display_name": "Ada L.", "email": "al@example.com", "language": "EN_US"}));
            then.status(200).json_body(contact_json("c1"));
        })
        .await;

    let patch = json!({"display_name": "Ada L.", "email": "al@example.com", "language": "EN_US"});
    let contact = api
        .client
        .update_contact()
        .contact_id("c1")
        .body(serde_json::from_value::<types::ContactPatch>(patch).unwrap())
        .mask(FieldMask::<types::ContactPatch>::new(["display_name", "email"]).unwrap())
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(contact.id.as_deref(), Some("c1"));
}

#[tokio::test]
async fn merge_contact_posts_to_the_merge_path() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(POST)
                .path(api.path("/contacts/c-dest:merge"))
                .is_true(raw_query(None))
                .header("content-type", "application/json")
                .json_body(json!({
                    "source_id": "c-src",
                    "strategy": "MERGE"
                }));
            then.status(200).json_body(contact_json("c-dest"));
        })
        .await;

    let merged = api
        .client
        .merge_contact()
        .destination_id("c-dest")
        .body(types::MergeContactRequest {
            source_id: "c-src".into(),
            strategy: Some(types::ConversationMergeStrategy::Merge),
        })
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(merged.id.as_deref(), Some("c-dest"));
}

#[tokio::test]
async fn delete_contact() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(api.path("/contacts/c1"))
                .is_true(raw_query(None));
            then.status(200).json_body(json!({}));
        })
        .await;

    api.client
        .delete_contact()
        .contact_id("c1")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn create_contact_requires_the_language_before_sending() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(contact_json("c-new"));
        })
        .await;

    // The official create request requires `channel_identities` and `language`.
    let error = api
        .client
        .create_contact()
        .body_map(|body| {
            body.channel_identities(vec![types::ChannelIdentity {
                app_id: None,
                channel: types::ConversationChannel::Sms,
                identity: "+46700000001".into(),
            }])
        })
        .send()
        .await
        .unwrap_err();

    assert!(error.to_string().contains("language"), "{error}");
    assert_eq!(mock.calls_async().await, 0);
}

#[tokio::test]
async fn get_contact_without_a_language_still_parses() {
    let api = Api::start().await;
    let mock = api
        .server
        .mock_async(|when, then| {
            when.method(GET)
                .path(api.path("/contacts/c2"))
                .is_true(raw_query(None));
            // The live API leaves `language` out; the response model requires nothing.
            then.status(200)
                .json_body(json!({"id": "c2", "display_name": "Unknown"}));
        })
        .await;

    let contact = api
        .client
        .get_contact()
        .contact_id("c2")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(contact.id.as_deref(), Some("c2"));
    assert_eq!(contact.language, None);
    assert!(contact.channel_identities.is_empty());
}
