//! The Template Management API v2 (the spec's `Templates V2` tag), served on the same address.
//!
//! The Template Management v1 endpoints are gone (the official document: unreachable since
//! 2026-01-31); `/v1/projects/{project}/templates` routes to nothing and answers 404.

use axum::http::StatusCode;
use chrono::Utc;
use sinch_conversation::types::{V2ListTemplatesResponse, V2ListTranslationsResponse, V2Template};

use super::ctx::{Ctx, Outcome, empty, non_empty, ok, parse};
use crate::{
    error::ApiError,
    ops::Operation,
    store::{Store, new_id},
};

fn get<'s>(store: &'s Store, id: &str) -> Result<&'s V2Template, ApiError> {
    store
        .templates
        .get(id)
        .ok_or_else(|| ApiError::not_found("Template", id))
}

/// Checks a template body and stamps its translations.
fn prepare(mut template: V2Template, version: i64, created: bool) -> Result<V2Template, ApiError> {
    if template.translations.is_empty() {
        return Err(ApiError::invalid(
            "translations must contain at least one translation",
        ));
    }
    let now = Utc::now();
    for (i, translation) in template.translations.iter_mut().enumerate() {
        let translation = &mut translation.common;
        if non_empty(translation.language_code.as_deref()).is_none() {
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
            .filter_map(|t| t.common.language_code.as_deref()),
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

/// The six Template Management v2 operations.
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
                    .filter(|t| {
                        language.is_none_or(|l| t.common.language_code.as_deref() == Some(l))
                    })
                    .filter(|t| version.is_none_or(|v| t.common.version.as_deref() == Some(v)))
                    .cloned()
                    .collect(),
            })
        }
    }
}
