//! Field masks, pagination and message helpers, run against the local emulator.
//!
//! ```sh
//! cargo run --example contacts
//! ```

use futures_util::TryStreamExt as _;
use sinch_conversation::{
    field_mask::{FieldMask, PatchExt as _},
    field_paths,
    pagination::Paginate as _,
    types::{self, AppMessage, Choice, ConversationChannel, Recipient},
};
use sinch_conversation_emulator::Emulator;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let emulator = Emulator::start().await?;
    let client = emulator.client()?;

    // 25 contacts, so listing takes three pages of 10.
    for i in 0..25 {
        let identity = types::ChannelIdentity {
            app_id: None,
            channel: types::ConversationChannel::Sms,
            identity: format!("+4670000{i:04}"),
        };
        let contact =
            types::ContactCreateRequest::new(vec![identity], types::ContactLanguage::EnUs)
                .with_display_name(format!("Contact {i}"));
        client.create_contact().body(contact).send().await?;
    }
    let contacts: Vec<types::Contact> = client
        .list_contacts()
        .page_size(10)
        .items()
        .try_collect()
        .await?;
    println!("listed {} contacts, page by page", contacts.len());

    // A derived mask: only display_name changes.
    let first = contacts[0].id.clone().unwrap_or_default();
    let patch = types::ContactPatch {
        display_name: Some("Ada Lovelace".into()),
        ..Default::default()
    };
    let updated = client
        .update_contact()
        .contact_id(&first)
        .patch(patch)?
        .send()
        .await?;
    println!(
        "renamed {first} to {:?}; language kept: {:?}",
        updated.display_name, updated.language
    );

    // An explicit mask, from the generated path constants: clears the email.
    let mask = FieldMask::<types::ContactPatch>::new([field_paths::contact::EMAIL])?;
    client
        .update_contact()
        .contact_id(&first)
        .body(types::ContactPatch::default())
        .mask(mask)
        .send()
        .await?;

    // Message helpers: an app is needed to send from.
    let sms = types::ConversationChannelCredentials::new(
        types::ConversationChannel::Sms,
        types::StaticBearerCredentials::new("sp", "t"),
    );
    let app = types::AppCreateRequest::new(vec![sms], "Example");
    let app_id = client
        .create_app()
        .body(app)
        .send()
        .await?
        .into_inner()
        .id
        .unwrap_or_default();
    let sent = client
        .message(
            &app_id,
            Recipient::channel(ConversationChannel::Sms, "+46700000000"),
            AppMessage::choice(
                "Coffee or tea?",
                [
                    Choice::reply("Coffee", "coffee"),
                    Choice::reply("Tea", "tea"),
                ],
            ),
        )
        .metadata("survey-1")
        .send()
        .await?;
    println!("sent a choice message: {:?}", sent.message_id);
    emulator.shutdown().await;
    Ok(())
}
