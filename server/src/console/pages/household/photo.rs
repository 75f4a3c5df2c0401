//! A household's photos for the console: the full photo as the phone stored it (watermarked
//! on the phone), and a small JPEG made here by the core's own photo code (decode scaled in
//! the DCT domain, resize, encode). Only for staff who may see the photo's household: a
//! photo's household is the one its phone named when it was taken (`PhotoTaken`); a photo of
//! no known household is the whole city's.

use std::io::Cursor;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use doorstep_core::media::PhotoPolicy;
use doorstep_core::media::decode::{Limits, decode_reader, encode_jpeg};
use doorstep_core::media::transform::{fit, resize};

use super::records;
use crate::console::{ConsoleError, Ctx};
use crate::photos::{blob_path, check_hash};

/// Photos never change (they are named by their hash), but they are personal data: kept by the
/// browser only, never by a shared cache.
const CACHE: &str = "private, max-age=86400, immutable";

pub async fn full(ctx: Ctx, Path(sha256): Path<String>) -> Result<Response, ConsoleError> {
    let jpeg = allowed_photo(&ctx, &sha256).await?;
    Ok(jpeg_response(&format!("\"{sha256}\""), jpeg))
}

pub async fn thumb(
    ctx: Ctx,
    headers: HeaderMap,
    Path(sha256): Path<String>,
) -> Result<Response, ConsoleError> {
    let etag = format!("\"{sha256}-thumb\"");
    let jpeg = allowed_photo(&ctx, &sha256).await?;
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    let small = tokio::task::spawn_blocking(move || thumbnail(&jpeg))
        .await
        .map_err(|e| ConsoleError::Internal(e.to_string()))??;
    Ok(jpeg_response(&etag, Bytes::from(small)))
}

/// The photo's bytes, once the person may see its household and the server holds all of it.
async fn allowed_photo(ctx: &Ctx, sha256: &str) -> Result<Bytes, ConsoleError> {
    let hash = check_hash(sha256).map_err(|_| ConsoleError::NotFound("photo"))?;
    let sha = hash.to_string();
    let (district, complete) = ctx
        .read(move |tx| {
            let household = match records::photo_taken(tx, &sha)? {
                Some((Some(id), _)) => Some(records::household(tx, id)?),
                _ => None,
            };
            let complete = tx.photo(&sha)?.is_some_and(|p| p.complete);
            Ok((household.and_then(|h| h.district_id), complete))
        })
        .await?;
    ctx.may_see(district)?;
    if !complete {
        return Err(ConsoleError::NotFound("photo"));
    }
    let stored = ctx
        .state
        .blobs
        .get(&blob_path(hash.as_str()))
        .await
        .map_err(|_| ConsoleError::NotFound("photo"))?;
    stored
        .bytes()
        .await
        .map_err(|e| ConsoleError::Internal(format!("photo store: {e}")))
}

/// A small JPEG of the photo, the size the phone makes its own thumbnails.
pub fn thumbnail(jpeg: &[u8]) -> Result<Vec<u8>, ConsoleError> {
    let policy = PhotoPolicy::default();
    let failed = |e: doorstep_core::media::MediaError| {
        ConsoleError::Internal(format!("thumbnail: {}", e.name()))
    };
    let decoded =
        decode_reader(Cursor::new(jpeg), policy.thumbnail_edge, &Limits::PHONE).map_err(failed)?;
    let (w, h) = fit(
        decoded.image.width,
        decoded.image.height,
        policy.thumbnail_edge,
    );
    let small = resize(&decoded.image, w, h).map_err(failed)?;
    encode_jpeg(&small, policy.thumbnail_quality).map_err(failed)
}

fn jpeg_response(etag: &str, body: Bytes) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
    if let Ok(etag) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, etag);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use doorstep_core::media::decode::RgbImage;

    #[test]
    fn a_thumbnail_is_a_jpeg_no_longer_than_the_policy_edge_and_smaller_than_the_photo() {
        let (width, height) = (1200u32, 900u32);
        let pixels = (0..width * height * 3).map(|i| (i % 251) as u8).collect();
        let photo = encode_jpeg(
            &RgbImage {
                width,
                height,
                pixels,
            },
            80,
        )
        .unwrap();
        let small = thumbnail(&photo).unwrap();
        assert!(small.starts_with(&[0xFF, 0xD8, 0xFF]));
        assert!(small.len() < photo.len());
        let decoded = decode_reader(Cursor::new(&small), 1, &Limits::PHONE).unwrap();
        assert_eq!(
            decoded.original,
            (PhotoPolicy::default().thumbnail_edge, 240)
        );
    }

    #[test]
    fn what_is_not_a_photo_is_refused_without_its_bytes_in_the_error() {
        let err = thumbnail(b"<script>not a photo</script>").unwrap_err();
        assert!(!err.to_string().contains("script"), "{err}");
    }
}
