//! The page's pictures as files beside it (`page/`): each photo as the server stored it (the
//! proof-of-visit watermark the phone's pipeline burned in), fetched by its hash from the blob
//! store, and each signature drawn from its strokes by the core's renderer (the same as
//! `doorstep signature render`).

use std::collections::HashMap;
use std::path::Path;

use doorstep_core::media::signature::{RenderOptions, render_png};
use object_store::ObjectStore;

use super::super::{DemoError, DemoResult};
use super::visits::Visit;
use crate::photos::blob_path;

/// The folder beside `index.html` the pictures are written to.
pub const FOLDER: &str = "page";

/// Where each picture was written, as `index.html` links it; a picture missing here could not
/// be had (a photo the server has not received whole yet).
#[derive(Debug, Default)]
pub struct Pictures {
    /// By photo hash.
    pub photos: HashMap<String, String>,
    /// By form id and signature item.
    pub signatures: HashMap<(String, String), String>,
}

/// Writes every picture of the day's visits into `data/page/` (emptied first: the page is
/// written anew each time).
pub fn save(data: &Path, blobs: &dyn ObjectStore, visits: &[Visit]) -> DemoResult<Pictures> {
    let dir = data.join(FOLDER);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut pictures = Pictures::default();
    for visit in visits {
        for photo in visit.form.evidence_photos() {
            let sha = photo.sha256.as_str();
            if pictures.photos.contains_key(sha) {
                continue;
            }
            let Some(jpeg) = runtime.block_on(photo_bytes(blobs, sha))? else {
                continue;
            };
            let name = format!("{sha}.jpg");
            std::fs::write(dir.join(&name), jpeg)?;
            pictures
                .photos
                .insert(sha.to_owned(), format!("{FOLDER}/{name}"));
        }
        let form = visit.form.id.0.simple().to_string();
        for (item, signature) in &visit.form.signatures {
            let options = RenderOptions {
                width: 480,
                pen_px: 5.0,
            };
            let Ok(png) = render_png(&signature.capture, &options) else {
                continue;
            };
            let name = format!("sig-{form}-{}.png", file_safe(item));
            std::fs::write(dir.join(&name), png)?;
            pictures.signatures.insert(
                (visit.form.id.to_string(), item.clone()),
                format!("{FOLDER}/{name}"),
            );
        }
    }
    Ok(pictures)
}

/// A photo's bytes as the blob store holds them; none when it is not there (yet).
async fn photo_bytes(blobs: &dyn ObjectStore, sha256: &str) -> DemoResult<Option<Vec<u8>>> {
    let unreadable = |e: object_store::Error| DemoError::Server(format!("the photo store: {e}"));
    match blobs.get(&blob_path(sha256)).await {
        Ok(found) => Ok(Some(found.bytes().await.map_err(unreadable)?.to_vec())),
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(unreadable(e)),
    }
}

/// A template's item id as part of a file name: letters, digits, `-` and `_` only.
fn file_safe(item: &str) -> String {
    item.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
