//! Project settings (the spec's `Project Settings` tag): one settings resource per project,
//! created, read, updated and deleted.

use axum::http::StatusCode;
use sinch_conversation::types::{
    ContactSettings, ProjectSettings, ProjectSettingsRequest, ProjectSettingsSettings,
};

use super::ctx::{Ctx, Outcome, empty, ok, parse};
use crate::{error::ApiError, ops::Operation, store::Store};

/// `create_settings`, `get_settings`, `update_settings`, `delete_settings`.
pub(crate) fn settings(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("Project '{}' has no settings", ctx.project()),
        )
    };
    match ctx.route.op {
        Operation::CreateSettings => {
            if store.settings.is_some() {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    format!("Project '{}' already has settings", ctx.project()),
                ));
            }
            let request: ProjectSettingsRequest = parse(ctx.body)?;
            let settings = ProjectSettings {
                project_id: Some(ctx.project().to_owned()),
                settings: Some(ProjectSettingsSettings {
                    contact_settings: Some(request.contact_settings.unwrap_or(ContactSettings {
                        unified_contact_id_enabled: Some(false),
                    })),
                }),
            };
            store.settings = Some(settings.clone());
            ok(&settings)
        }
        Operation::GetSettings => ok(store.settings.as_ref().ok_or_else(not_found)?),
        Operation::UpdateSettings => {
            let patch: ProjectSettingsRequest = parse(ctx.body)?;
            let settings = store.settings.as_mut().ok_or_else(not_found)?;
            if let Some(patch) = patch.contact_settings {
                let content = settings.settings.get_or_insert_with(Default::default);
                let contact = content.contact_settings.get_or_insert(ContactSettings {
                    unified_contact_id_enabled: None,
                });
                if patch.unified_contact_id_enabled.is_some() {
                    contact.unified_contact_id_enabled = patch.unified_contact_id_enabled;
                }
            }
            ok(&*settings)
        }
        _ => {
            store.settings.take().ok_or_else(not_found)?;
            empty(Vec::new())
        }
    }
}
