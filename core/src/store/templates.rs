//! Form templates on the device: the versions forms were started on and those the back office
//! published, beside the built-in ones. A version, once kept, is never replaced: a form keeps
//! the template version it was started on for good.

use rusqlite::{Connection, OptionalExtension, params};

use super::Store;
use crate::InvalidInput;
use crate::error::{Error, Result};
use crate::forms::Template;
use crate::forms::builtin::builtin_template;
use crate::words::said;

impl Store {
    /// The template `id` at `version`: one a form was started on (kept in the store), else a
    /// built-in one.
    pub fn template(&self, id: &str, version: u32) -> Result<Template> {
        template_in(&self.conn, id, version)
    }

    /// The newest version of template `id` this device knows: published by the back office and
    /// received, or built in, whichever is newer. A new form starts on it.
    pub fn newest_template(&self, id: &str) -> Result<Template> {
        let doc: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT doc FROM templates WHERE id = ?1 ORDER BY version DESC LIMIT 1",
            )?
            .query_row([id], |r| r.get(0))
            .optional()?;
        let received = doc
            .map(|d| serde_json::from_str::<Template>(&d))
            .transpose()?;
        match (received, builtin_template(id)) {
            (Some(r), Some(b)) => Ok(if b.version > r.version { b } else { r }),
            (Some(t), None) | (None, Some(t)) => Ok(t),
            (None, None) => Err(Error::NotFound {
                what: "form template",
            }),
        }
    }

    /// Stores template versions published by the back office. An existing version is never
    /// replaced.
    pub fn receive_templates(&mut self, templates: &[Template]) -> Result<()> {
        for t in templates {
            t.validate()?;
        }
        self.receive(|tx| {
            for t in templates {
                keep_template(tx, t)?;
            }
            Ok(())
        })
    }
}

pub(super) fn template_in(conn: &Connection, id: &str, version: u32) -> Result<Template> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM templates WHERE id = ?1 AND version = ?2")?
        .query_row(params![id, version], |r| r.get(0))
        .optional()?;
    match doc {
        Some(doc) => Ok(serde_json::from_str(&doc)?),
        None => builtin_template(id)
            .filter(|t| t.version == version)
            .ok_or(Error::NotFound {
                what: "form template version",
            }),
    }
}

pub(super) fn keep_template(conn: &Connection, t: &Template) -> Result<()> {
    let existing: Option<String> = conn
        .prepare_cached("SELECT doc FROM templates WHERE id = ?1 AND version = ?2")?
        .query_row(params![t.id, t.version], |r| r.get(0))
        .optional()?;
    match existing {
        Some(doc) if serde_json::from_str::<Template>(&doc)? != *t => Err(InvalidInput::new(
            "template.version",
            said(
                "此版本号下已发布了另一个模板",
                "a different template was already published under this version",
            ),
        )
        .into()),
        Some(_) => Ok(()),
        None => {
            conn.prepare_cached("INSERT INTO templates(id, version, doc) VALUES (?1, ?2, ?3)")?
                .execute(params![t.id, t.version, serde_json::to_string(t)?])?;
            Ok(())
        }
    }
}
