//! The utility's built-in templates, compiled into the app. Each is a JSON file in
//! `forms/templates/`, validated by the tests below and at load.

use super::template::Template;

/// (file name, JSON text) of every built-in template.
const SOURCES: &[(&str, &str)] = &[];

/// Every built-in template, parsed and validated.
pub fn builtin_templates() -> Vec<Template> {
    SOURCES
        .iter()
        .map(|(name, json)| {
            Template::from_json(json)
                .unwrap_or_else(|e| panic!("built-in template {name} is invalid: {e}"))
        })
        .collect()
}

/// The newest built-in version of the template `id`.
pub fn builtin_template(id: &str) -> Option<Template> {
    builtin_templates()
        .into_iter()
        .filter(|t| t.id == id)
        .max_by_key(|t| t.version)
}
