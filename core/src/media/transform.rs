//! Resizing (SIMD convolution, fast_image_resize) and turning a photo upright.

use fast_image_resize::images::{TypedImage, TypedImageRef};
use fast_image_resize::pixels::U8x3;
use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};

use super::MediaError;
use super::decode::RgbImage;
use super::exif::Orientation;

/// The size that fits `width`×`height` within `max_edge` on its longest side, keeping the aspect
/// ratio; images already small enough keep their size.
pub fn fit(width: u32, height: u32, max_edge: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= max_edge {
        return (width, height);
    }
    let scale = |side: u32| {
        ((u64::from(side) * u64::from(max_edge) + u64::from(longest) / 2) / u64::from(longest))
            .max(1) as u32
    };
    (scale(width), scale(height))
}

/// Resizes with a Lanczos-3 filter (Catmull-Rom for small thumbnails, sharper at that size).
pub fn resize(image: &RgbImage, width: u32, height: u32) -> Result<RgbImage, MediaError> {
    if (width, height) == (image.width, image.height) {
        return Ok(image.clone());
    }
    let filter = if width.max(height) <= 512 {
        FilterType::CatmullRom
    } else {
        FilterType::Lanczos3
    };
    // The typed call, not `Resizer::resize`: that one dispatches on the pixel type at run time,
    // which links the SIMD kernels of all thirteen pixel types (2.3 MB of the phones' library)
    // for the one (8-bit RGB) photos have.
    let source = TypedImageRef::<U8x3>::from_buffer(image.width, image.height, &image.pixels)
        .map_err(|e| MediaError::Corrupt(e.to_string()))?;
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    let mut target = TypedImage::<U8x3>::from_buffer(width, height, &mut pixels)
        .map_err(|e| MediaError::Corrupt(e.to_string()))?;
    Resizer::new()
        .resize_typed(
            &source,
            &mut target,
            &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(filter)),
        )
        .map_err(|e| MediaError::Corrupt(e.to_string()))?;
    drop(target);
    Ok(RgbImage {
        width,
        height,
        pixels,
    })
}

/// Turns the stored pixels upright according to the EXIF orientation (1–8).
pub fn orient(image: RgbImage, orientation: Orientation) -> RgbImage {
    if orientation == Orientation::UPRIGHT {
        return image;
    }
    let (w, h) = (image.width as usize, image.height as usize);
    let (out_w, out_h) = if orientation.swaps_axes() {
        (h, w)
    } else {
        (w, h)
    };
    let mut out = vec![0u8; image.pixels.len()];
    for y in 0..h {
        for x in 0..w {
            // Where the stored pixel (x, y) lands in the upright picture.
            let (nx, ny) = match orientation.0 {
                2 => (w - 1 - x, y),
                3 => (w - 1 - x, h - 1 - y),
                4 => (x, h - 1 - y),
                5 => (y, x),
                6 => (h - 1 - y, x),
                7 => (h - 1 - y, w - 1 - x),
                8 => (y, w - 1 - x),
                _ => (x, y),
            };
            let from = (y * w + x) * 3;
            let to = (ny * out_w + nx) * 3;
            out[to..to + 3].copy_from_slice(&image.pixels[from..from + 3]);
        }
    }
    RgbImage {
        width: out_w as u32,
        height: out_h as u32,
        pixels: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_the_longest_edge() {
        assert_eq!(fit(4000, 3000, 2048), (2048, 1536));
        assert_eq!(fit(3000, 4000, 2048), (1536, 2048));
        assert_eq!(fit(800, 600, 2048), (800, 600));
        assert_eq!(fit(10000, 1, 320), (320, 1));
    }

    /// A 2×3 image with distinct pixels, turned by each orientation, matches the EXIF
    /// definition of where row 0 / column 0 go.
    #[test]
    fn all_eight_orientations_turn_the_picture_upright() {
        // Stored pixels numbered 0..6, row by row (width 2, height 3).
        let stored = RgbImage {
            width: 2,
            height: 3,
            pixels: (0..6u8).flat_map(|v| [v, v, v]).collect(),
        };
        let upright = |o: u8| {
            let img = orient(stored.clone(), Orientation(o));
            (
                img.width,
                img.height,
                img.pixels.chunks(3).map(|p| p[0]).collect::<Vec<_>>(),
            )
        };
        assert_eq!(upright(1), (2, 3, vec![0, 1, 2, 3, 4, 5]));
        assert_eq!(
            upright(2),
            (2, 3, vec![1, 0, 3, 2, 5, 4]),
            "mirrored left-right"
        );
        assert_eq!(
            upright(3),
            (2, 3, vec![5, 4, 3, 2, 1, 0]),
            "turned half round"
        );
        assert_eq!(
            upright(4),
            (2, 3, vec![4, 5, 2, 3, 0, 1]),
            "mirrored top-bottom"
        );
        assert_eq!(upright(5), (3, 2, vec![0, 2, 4, 1, 3, 5]), "transposed");
        assert_eq!(
            upright(6),
            (3, 2, vec![4, 2, 0, 5, 3, 1]),
            "turned a quarter clockwise"
        );
        assert_eq!(upright(7), (3, 2, vec![5, 3, 1, 4, 2, 0]), "transversed");
        assert_eq!(
            upright(8),
            (3, 2, vec![1, 3, 5, 0, 2, 4]),
            "turned a quarter anticlockwise"
        );
    }
}
