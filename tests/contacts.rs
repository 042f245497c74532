//! Contacts area: list (paged, by external id or channel identity), create, get, update
//! (masked), merge, delete, channel profiles and identity conflicts; on httpmock, then against
//! the emulator.

mod common;
mod emulator_support;

use common::Api;
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

/// A contact with a WhatsApp identity and an external id, as the newer filters find it.
fn whatsapp_contact_json() -> serde_json::Value {
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

fn identity(channel: types::ConversationChannel, identity: &str) -> types::ChannelIdentity {
    types::ChannelIdentity {
        app_id: None,
        channel,
        identity: identity.into(),
    }
}

#[tokio::test]
async fn list_contacts_with_paging() {
    let api = Api::start().await;
    let page = api
        .expect(GET, "/contacts")
        .query("page_size=20&page_token=abc")
        .reply(
            json!({"contacts": [contact_json("c1"), contact_json("c2")], "next_page_token": "def"}),
        )
        .run(
            api.client
                .list_contacts()
                .page_size(20)
                .page_token("abc")
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(page.contacts.len(), 2);
    assert_eq!(page.contacts[1].id.as_deref(), Some("c2"));
    assert_eq!(
        page.contacts[0].language,
        Some(types::ContactLanguage::EnUs)
    );
    assert_eq!(page.next_page_token.as_deref(), Some("def"));
}

#[tokio::test]
async fn list_contacts_by_external_id_sends_the_external_id() {
    let api = Api::start().await;
    let page = api
        .expect(GET, "/contacts")
        .query("external_id=crm-7")
        .reply(json!({"contacts": [whatsapp_contact_json()], "next_page_token": ""}))
        .run(api.client.list_contacts().external_id("crm-7").send())
        .await
        .unwrap();

    assert_eq!(page.contacts.len(), 1);
    assert_eq!(page.contacts[0].external_id.as_deref(), Some("crm-7"));
}

#[tokio::test]
async fn list_contacts_by_channel_identity_sends_channel_and_identity() {
    let api = Api::start().await;
    let page = api
        .expect(GET, "/contacts")
        .query("channel=WHATSAPP&identity=%2B46700000001&page_size=1")
        .reply(json!({"contacts": [whatsapp_contact_json()], "next_page_token": "next"}))
        .run(
            api.client
                .list_contacts()
                .channel(types::ConversationChannel::Whatsapp)
                .identity("+46700000001")
                .page_size(1)
                .send(),
        )
        .await
        .unwrap();

    let contact = &page.contacts[0];
    assert_eq!(contact.id.as_deref(), Some("contact-1"));
    assert_eq!(contact.channel_identities[0].identity, "+46700000001");
    assert_eq!(page.next_page_token.as_deref(), Some("next"));
}

#[tokio::test]
async fn create_contact_without_an_id() {
    let api = Api::start().await;
    let request = types::ContactCreateRequest::new(
        vec![identity(
            types::ConversationChannel::Whatsapp,
            "+46700000002",
        )],
        types::ContactLanguage::En,
    )
    .with_display_name("Grace");
    let contact = api
        .expect(POST, "/contacts")
        .json_body(json!({
            "channel_identities": [{"channel": "WHATSAPP", "identity": "+46700000002"}],
            "display_name": "Grace",
            "language": "EN"
        }))
        .reply(contact_json("c-new"))
        .run(api.client.create_contact().body(request).send())
        .await
        .unwrap();

    assert_eq!(contact.id.as_deref(), Some("c-new"));
    assert_eq!(contact.email.as_deref(), Some("ada@example.com"));
}

#[tokio::test]
async fn create_contact_requires_the_language_before_sending() {
    let api = Api::start().await;
    // The official create request requires `channel_identities` and `language`.
    let error = api
        .unsent(
            api.client
                .create_contact()
                .body_map(|body| {
                    body.channel_identities(vec![identity(
                        types::ConversationChannel::Sms,
                        "+46700000001",
                    )])
                })
                .send(),
        )
        .await
        .unwrap_err();

    assert!(error.to_string().contains("language"), "{error}");
}

#[tokio::test]
async fn get_contact() {
    let api = Api::start().await;
    let contact = api
        .expect(GET, "/contacts/c1")
        .reply(contact_json("c1"))
        .run(api.client.get_contact().contact_id("c1").send())
        .await
        .unwrap();

    assert_eq!(contact.channel_identities[0].identity, "+46700000001");
    assert_eq!(
        contact.channel_priority,
        vec![types::ConversationChannel::Sms]
    );
}

#[tokio::test]
async fn get_contact_without_a_language_still_parses() {
    let api = Api::start().await;
    // The live API leaves `language` out; the response model requires nothing.
    let contact = api
        .expect(GET, "/contacts/c2")
        .reply(json!({"id": "c2", "display_name": "Unknown"}))
        .run(api.client.get_contact().contact_id("c2").send())
        .await
        .unwrap();

    assert_eq!(contact.id.as_deref(), Some("c2"));
    assert_eq!(contact.language, None);
    assert!(contact.channel_identities.is_empty());
}

#[tokio::test]
async fn update_contact_with_mask() {
    let api = Api::start().await;
    let patch = types::ContactPatch {
        display_name: Some("Ada L.".into()),
        email: Some("al@example.com".into()),
        language: Some(types::ContactLanguage::EnUs),
        ..Default::default()
    };
    let contact = api
        .expect(PATCH, "/contacts/c1")
        // One comma-joined value: the official document declares `explode: false`.
        .query("update_mask=display_name%2Cemail")
        .json_body(
            json!({"display_name": "Ada L.", "email": "al@example.com", "language": "EN_US"}),
        )
        .reply(contact_json("c1"))
        .run(
            api.client
                .update_contact()
                .contact_id("c1")
                .body(patch)
                .mask(FieldMask::<types::ContactPatch>::new(["display_name", "email"]).unwrap())
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(contact.id.as_deref(), Some("c1"));
}

#[tokio::test]
async fn merge_contact_posts_to_the_merge_path() {
    let api = Api::start().await;
    let merged = api
        .expect(POST, "/contacts/c-dest:merge")
        .json_body(json!({"source_id": "c-src", "strategy": "MERGE"}))
        .reply(contact_json("c-dest"))
        .run(
            api.client
                .merge_contact()
                .destination_id("c-dest")
                .body(types::MergeContactRequest {
                    source_id: "c-src".into(),
                    strategy: Some(types::ConversationMergeStrategy::Merge),
                })
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(merged.id.as_deref(), Some("c-dest"));
}

#[tokio::test]
async fn delete_contact() {
    let api = Api::start().await;
    api.expect(DELETE, "/contacts/c1")
        .reply(json!({}))
        .run(api.client.delete_contact().contact_id("c1").send())
        .await
        .unwrap();
}

#[tokio::test]
async fn get_channel_profile_posts_the_contact_recipient_to_the_colon_path() {
    let api = Api::start().await;
    let profile = api
        .expect(POST, "/contacts:getChannelProfile")
        .json_body(json!({
            "app_id": "app-1",
            "recipient": {"contact_id": "contact-1"},
            "channel": "MESSENGER"
        }))
        .reply(json!({"profile_name": "Ada Lovelace"}))
        .run(
            api.client
                .get_channel_profile()
                .body(types::GetChannelProfileRequest {
                    app_id: "app-1".into(),
                    recipient: types::Recipient {
                        kind: types::RecipientBase::ContactId("contact-1".into()),
                    },
                    channel: types::GetChannelProfileConversationChannel::Messenger,
                })
                .send(),
        )
        .await
        .expect("profile request succeeds");

    assert_eq!(profile.profile_name.as_deref(), Some("Ada Lovelace"));
}

#[tokio::test]
async fn get_channel_profile_by_channel_identity_sends_identified_by() {
    let api = Api::start().await;
    let recipient = types::Recipient {
        kind: types::RecipientBase::IdentifiedBy(types::ChannelIdentityList(
            types::ChannelIdentities {
                channel_identities: vec![types::ChannelRecipientIdentity {
                    channel: types::ConversationChannel::Instagram,
                    identity: "ig-1".into(),
                }],
            },
        )),
    };
    let profile = api
        .expect(POST, "/contacts:getChannelProfile")
        .json_body(json!({
            "app_id": "app-1",
            "recipient": {"identified_by": {"channel_identities": [
                {"channel": "INSTAGRAM", "identity": "ig-1"}
            ]}},
            "channel": "INSTAGRAM"
        }))
        // A profile without a name (the channel does not share it) is still a profile.
        .reply(json!({}))
        .run(
            api.client
                .get_channel_profile()
                .body_map(|body| {
                    body.app_id("app-1")
                        .recipient(recipient)
                        .channel(types::GetChannelProfileConversationChannel::Instagram)
                })
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(profile.profile_name, None);
}

#[tokio::test]
async fn get_channel_profile_with_the_recipient_helper_sends_the_same_body() {
    let api = Api::start().await;
    let profile = api
        .expect(POST, "/contacts:getChannelProfile")
        .json_body(json!({
            "app_id": "app-1",
            "recipient": {"identified_by": {"channel_identities": [
                {"channel": "MESSENGER", "identity": "psid-1"}
            ]}},
            "channel": "MESSENGER"
        }))
        .reply(json!({"profile_name": "Grace"}))
        .run(
            api.client
                .get_channel_profile()
                .body_map(|body| {
                    body.app_id("app-1")
                        .recipient(types::Recipient::channel(
                            types::ConversationChannel::Messenger,
                            "psid-1",
                        ))
                        .channel(types::GetChannelProfileConversationChannel::Messenger)
                })
                .send(),
        )
        .await
        .unwrap();

    assert_eq!(profile.profile_name.as_deref(), Some("Grace"));
}

#[tokio::test]
async fn list_identity_conflicts_sends_the_page_parameters_and_parses_the_conflicts() {
    let api = Api::start().await;
    let page = api
        .expect(GET, "/contacts:identityConflicts")
        .query("page_size=2&page_token=tok-1")
        .reply(json!({
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
        }))
        .run(
            api.client
                .list_identity_conflicts()
                .page_size(2)
                .page_token("tok-1")
                .send(),
        )
        .await
        .unwrap();

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
    let page = api
        .expect(GET, "/contacts:identityConflicts")
        .reply(json!({"conflicts": []}))
        .run(api.client.list_identity_conflicts().send())
        .await
        .unwrap();

    assert!(page.conflicts.is_empty());
    assert_eq!(page.next_page_token, None);
}

/// Against the emulator: the state each operation leaves, and the 400s it answers with.
mod emulator {
    use sinch_conversation::types;

    use crate::emulator_support::{assert_400, client, contact, emulator};

    #[tokio::test]
    async fn contacts() {
        let emulator = emulator().await;
        let client = client(&emulator);
        let ada = contact(&client, "+46700000001").await;
        let id = ada.id.clone().unwrap();
        assert_eq!(id.len(), 26, "ULID-like ids");
        let got = client.get_contact().contact_id(&id).send().await.unwrap();
        assert_eq!(got.into_inner(), ada);
        let updated = client
            .update_contact()
            .contact_id(&id)
            .body(types::ContactPatch {
                email: Some("a@e.com".into()),
                ..Default::default()
            })
            .update_mask(vec!["email".to_owned()])
            .send()
            .await
            .unwrap();
        assert_eq!(updated.email.as_deref(), Some("a@e.com"));
        let list = client.list_contacts().send().await.unwrap();
        assert_eq!(list.contacts.len(), 1);
        assert!(list.next_page_token.is_none());
        client
            .delete_contact()
            .contact_id(&id)
            .send()
            .await
            .unwrap();
        assert!(emulator.contacts().is_empty());

        let no_identity = client
            .create_contact()
            .body(types::ContactCreateRequest::new(
                vec![],
                types::ContactLanguage::EnUs,
            ))
            .send()
            .await;
        assert_400(no_identity, "channel_identities").await;
        let clears_identities = client
            .update_contact()
            .contact_id(contact(&client, "+2").await.id.unwrap())
            .body(types::ContactPatch::default())
            .update_mask(vec!["channel_identities".to_owned()])
            .send()
            .await;
        assert_400(clears_identities, "channel_identities").await;
        let merge_self = client
            .merge_contact()
            .destination_id("x")
            .body(types::MergeContactRequest {
                source_id: "x".into(),
                strategy: None,
            })
            .send()
            .await;
        assert_400(merge_self, "different").await;
    }
}
