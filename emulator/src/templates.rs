//! Project settings and the Template API (v2, and the older v1), served on the same address.

use axum::http::StatusCode;
use chrono::Utc;
use sinch_conversation::types::{
    ContactSettings, ProjectSettings, ProjectSettingsContent, ProjectSettingsRequest,
    V1ListTemplatesResponse, V1Template, V1TemplatePatch, V2ListTemplatesResponse,
    V2ListTranslationsResponse, V2Template,
};

use crate::{
    api::{Ctx, Outcome, empty, non_empty, ok, parse},
    error::ApiError,
    mask,
    ops::Operation,
    store::{Store, new_id},
};

/// `create/get/update/delete_project_settings`.
pub(crate) fn settings(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("Project '{}' has no settings", ctx.project()),
        )
    };
    match ctx.route.op {
        Operation::CreateProjectSettings => {
            if store.settings.is_some() {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    format!("Project '{}' already has settings", ctx.project()),
                ));
            }
            let request: ProjectSettingsRequest = parse(ctx.body)?;
            let settings = ProjectSettings {
                project_id: Some(ctx.project().to_owned()),
                settings: Some(ProjectSettingsContent {
                    contact_settings: Some(request.contact_settings.unwrap_or(ContactSettings {
                        unified_contact_id_enabled: Some(false),
                    })),
                }),
            };
            store.settings = Some(settings.clone());
            ok(&settings)
        }
        Operation::GetProjectSettings => ok(store.settings.as_ref().ok_or_else(not_found)?),
        Operation::UpdateProjectSettings => {
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

fn get<'s>(store: &'s Store, id: &str) -> Result<&'s V2Template, ApiError> {
    store
        .templates
        .get(id)
        .ok_or_else(|| ApiError::not_found("Template", id))
}

/// Checks a template body and stamps its translations.
fn prepare(mut template: V2Template, version: i32, created: bool) -> Result<V2Template, ApiError> {
    if template.translations.is_empty() {
        return Err(ApiError::invalid(
            "translations must contain at least one translation",
        ));
    }
    let now = Utc::now();
    for (i, translation) in template.translations.iter_mut().enumerate() {
        if translation.language_code.trim().is_empty() {
            return Err(ApiError::invalid(format!(
                "translations[{i}].language_code is required"
            )));
        }
        translation
            .version
            .get_or_insert_with(|| version.to_string());
        if created || translation.create_time.is_none() {
            translation.create_time = Some(now);
        }
        translation.update_time = Some(now);
    }
    template.default_translation = default_translation(
        template.default_translation.as_deref(),
        template
            .translations
            .iter()
            .map(|t| t.language_code.as_str()),
    )?;
    template.version = Some(version);
    template.update_time = Some(now);
    Ok(template)
}

/// The id a created template gets: the one asked for (409 when `taken`), or a new one.
fn template_id(
    requested: Option<&str>,
    taken: impl FnOnce(&str) -> bool,
) -> Result<String, ApiError> {
    match non_empty(requested) {
        Some(id) if taken(id) => Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("Template '{id}' already exists"),
        )),
        Some(id) => Ok(id.to_owned()),
        None => Ok(new_id()),
    }
}

/// The default translation of a template: `chosen`, which must be one of `languages`, or the
/// first language when none is chosen.
fn default_translation<'a>(
    chosen: Option<&str>,
    mut languages: impl Iterator<Item = &'a str> + Clone,
) -> Result<Option<String>, ApiError> {
    match non_empty(chosen) {
        Some(code) if !languages.clone().any(|language| language == code) => {
            Err(ApiError::invalid(format!(
                "default_translation '{code}' is not the language of a translation"
            )))
        }
        Some(code) => Ok(Some(code.to_owned())),
        None => Ok(languages.next().map(str::to_owned)),
    }
}

/// The six Template API operations.
pub(crate) fn templates(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    match ctx.route.op {
        Operation::ListTemplates => ok(&V2ListTemplatesResponse {
            templates: store.templates.values().cloned().collect(),
        }),
        Operation::CreateTemplate => {
            let template: V2Template = parse(ctx.body)?;
            let id = template_id(template.id.as_deref(), |id| store.templates.contains(id))?;
            let mut template = prepare(template, 1, true)?;
            template.id = Some(id.clone());
            template.create_time = template.update_time;
            store.templates.insert(id, template.clone());
            ok(&template)
        }
        Operation::GetTemplate => ok(get(store, ctx.id())?),
        Operation::UpdateTemplate => {
            let stored = get(store, ctx.id())?.clone();
            let template: V2Template = parse(ctx.body)?;
            let current = stored.version.unwrap_or(1);
            if let Some(version) = template.version
                && version != current
            {
                return Err(ApiError::precondition(format!(
                    "version {version} is not the latest version ({current}) of template '{}'",
                    ctx.id()
                )));
            }
            let mut template = prepare(template, current + 1, false)?;
            template.id = Some(ctx.id().to_owned());
            template.create_time = stored.create_time;
            store
                .templates
                .insert(ctx.id().to_owned(), template.clone());
            ok(&template)
        }
        Operation::DeleteTemplate => {
            store
                .templates
                .remove(ctx.id())
                .ok_or_else(|| ApiError::not_found("Template", ctx.id()))?;
            empty(Vec::new())
        }
        _ => {
            let template = get(store, ctx.id())?;
            let language = ctx.query.get("language_code");
            let version = ctx
                .query
                .get("translation_version")
                .filter(|v| *v != "latest");
            ok(&V2ListTranslationsResponse {
                translations: template
                    .translations
                    .iter()
                    .filter(|t| language.is_none_or(|l| t.language_code == l))
                    .filter(|t| version.is_none_or(|v| t.version.as_deref() == Some(v)))
                    .cloned()
                    .collect(),
            })
        }
    }
}

fn get_v1<'s>(store: &'s Store, id: &str) -> Result<&'s V1Template, ApiError> {
    store
        .templates_v1
        .get(id)
        .ok_or_else(|| ApiError::not_found("Template", id))
}

/// Checks a v1 template and stamps it: every translation needs a language of its own, the
/// default translation must be one of them (the first when not given). A translation keeps
/// the version it had in `previous` while its content is unchanged and gets the next one when
/// its content changes; a new one starts at `"1"`.
fn prepare_v1(
    mut template: V1Template,
    previous: Option<&V1Template>,
) -> Result<V1Template, ApiError> {
    let now = Utc::now();
    let mut seen: Vec<String> = Vec::new();
    for (i, translation) in template.translations.iter_mut().enumerate() {
        let Some(code) = non_empty(translation.language_code.as_deref()).map(str::to_owned) else {
            return Err(ApiError::invalid(format!(
                "translations[{i}].language_code is required"
            )));
        };
        if seen.contains(&code) {
            return Err(ApiError::invalid(format!(
                "translations[{i}].language_code '{code}' is used by another translation"
            )));
        }
        let before = previous.and_then(|p| {
            p.translations
                .iter()
                .find(|t| t.language_code.as_deref() == Some(code.as_str()))
        });
        match before {
            Some(before) if before.content == translation.content => {
                translation.version = before.version.clone();
                translation.create_time = before.create_time;
                translation.update_time = before.update_time;
            }
            Some(before) => {
                let last = before
                    .version
                    .as_deref()
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(1);
                translation.version = Some(last.saturating_add(1).to_string());
                translation.create_time = before.create_time;
                translation.update_time = Some(now);
            }
            None => {
                translation.version = Some("1".to_owned());
                translation.create_time = Some(now);
                translation.update_time = Some(now);
            }
        }
        seen.push(code);
    }
    template.default_translation = default_translation(
        template.default_translation.as_deref(),
        seen.iter().map(String::as_str),
    )?;
    template.update_time = Some(now);
    Ok(template)
}

/// The five Templates v1 operations, on their own store (v1 and v2 templates are different
/// resources).
pub(crate) fn templates_v1(ctx: &Ctx<'_>, store: &mut Store) -> Result<Outcome, ApiError> {
    match ctx.route.op {
        Operation::ListTemplatesV1 => ok(&V1ListTemplatesResponse {
            templates: store.templates_v1.values().cloned().collect(),
        }),
        Operation::CreateTemplateV1 => {
            let template: V1Template = parse(ctx.body)?;
            let id = template_id(template.id.as_deref(), |id| store.templates_v1.contains(id))?;
            let mut template = prepare_v1(template, None)?;
            template.id = Some(id.clone());
            template.create_time = template.update_time;
            store.templates_v1.insert(id, template.clone());
            ok(&template)
        }
        Operation::GetTemplateV1 => ok(get_v1(store, ctx.id())?),
        Operation::UpdateTemplateV1 => {
            let stored = get_v1(store, ctx.id())?.clone();
            let paths = mask::paths_from_query(&ctx.query.0);
            let updated: V1Template =
                mask::apply::<V1Template, V1TemplatePatch>(&stored, ctx.body, &paths, &[])?;
            let mut updated = prepare_v1(updated, Some(&stored))?;
            // Output only: the id is the path's, the creation time the stored one.
            updated.id = Some(ctx.id().to_owned());
            updated.create_time = stored.create_time;
            store
                .templates_v1
                .insert(ctx.id().to_owned(), updated.clone());
            ok(&updated)
        }
        _ => {
            store
                .templates_v1
                .remove(ctx.id())
                .ok_or_else(|| ApiError::not_found("Template", ctx.id()))?;
            empty(Vec::new())
        }
    }
}
