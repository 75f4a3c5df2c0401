//! JPEG: our own walk of the header ([`header`]) decides what the file may cost ([`budget`])
//! before libjpeg-turbo (the `mozjpeg` crate) allocates anything; libjpeg then decodes scaled
//! in the DCT domain (progressive files too), under an error manager that counts its scans and
//! makes its warnings fatal ([`libjpeg`]). A file is accepted only when every row was decoded
//! and the decoder reached the real end of the image: completeness is the decoder's account,
//! not a marker found somewhere in the file's tail (an EXIF thumbnail ends with one too).

use std::io::{BufRead, Seek};

use super::{Decoded, Format, Limits, RgbImage, check_size};
use crate::media::MediaError;

mod budget;
mod header;
mod libjpeg;

pub(super) fn decode<R: BufRead + Seek>(
    source: &mut R,
    min_edge: u32,
    limits: &Limits,
) -> Result<Decoded, MediaError> {
    let header = header::read(source, limits.max_chunks)?;
    header.check_supported()?;
    let (width, height) = (header.width, header.height);
    check_size(u64::from(width), u64::from(height), limits.max_pixels)?;
    let scale = scale_numerator(width.max(height), min_edge);
    let plan = budget::Plan::new(&header, scale, min_edge);
    limits.afford(plan.needed())?;
    source.rewind()?;
    let watch = libjpeg::Watch::new(limits.max_scans, plan.decoder_share(limits.max_memory));
    let image = libjpeg::watched(watch, |builder| {
        let mut decoder = builder.from_reader(source)?;
        if (decoder.width(), decoder.height()) != (width as usize, height as usize) {
            // Our walk and libjpeg must judge the same frame, or the budget means nothing.
            return Err(std::io::Error::other(
                "the decoder read another size than the header",
            ));
        }
        decoder.scale(scale);
        let mut started = decoder.rgb()?;
        let (w, h) = (started.width() as u32, started.height() as u32);
        if (w, h) != plan.output {
            return Err(std::io::Error::other(
                "the decoder scaled to another size than planned",
            ));
        }
        let mut image = RgbImage::new(w, h);
        started.read_scanlines_into::<u8>(&mut image.pixels)?;
        // Reads on to the end-of-image marker: a file cut after its last row is refused too.
        started.finish()?;
        Ok(image)
    })?;
    Ok(Decoded {
        image,
        format: Format::Jpeg,
        original: (width, height),
        exif: header.exif,
    })
}

/// The encoder reports a fatal error by unwinding (mozjpeg's own error manager): catch it and
/// turn it into a typed error instead of a crash.
fn caught<T>(work: impl FnOnce() -> std::io::Result<T>) -> Result<T, MediaError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(MediaError::Corrupt(e.to_string())),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "the encoder gave up".to_owned());
            Err(MediaError::Corrupt(message))
        }
    }
}

/// The smallest `n` (of n/8, 1 ≤ n ≤ 8) whose scaled longest edge still reaches `min_edge`.
pub fn scale_numerator(longest: u32, min_edge: u32) -> u8 {
    if longest <= min_edge {
        return 8;
    }
    let n = (u64::from(min_edge) * 8).div_ceil(u64::from(longest));
    n.clamp(1, 8) as u8
}

/// Encodes RGB as a baseline JPEG (4:2:0, libjpeg-turbo's fast path), without any metadata.
pub fn encode_jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, MediaError> {
    caught(|| {
        let mut compress = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
        compress.set_fastest_defaults();
        compress.set_size(image.width as usize, image.height as usize);
        compress.set_quality(f32::from(quality.clamp(1, 100)));
        let mut started = compress.start_compress(Vec::with_capacity(image.pixels.len() / 8))?;
        started.write_scanlines(&image.pixels)?;
        started.finish()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::samples::jpeg as samples;

    #[test]
    fn libjpeg_refuses_past_its_own_memory_share_should_our_account_be_wrong() {
        // 12 MP progressive 4:2:0: libjpeg wants about 36 MB of coefficients; give it 8 MiB.
        let file = samples::repeated_last_scan(0);
        let result = libjpeg::watched(libjpeg::Watch::new(100, 8 << 20), |builder| {
            let decoder = builder.from_mem(&file)?;
            decoder.rgb().map(|_| ())
        });
        assert!(
            matches!(result, Err(MediaError::OverBudget { budget_mib: 8, .. })),
            "{result:?}"
        );
    }
}
