//! The proof-of-visit stamp burnt into a photo's bottom-left corner: capture time, customer
//! number, position and technician. White text with a dark outline on a darkened box, so it
//! reads on a white wall and on a dark basement alike. The font is an embedded 8×8 bitmap
//! (font8x8, public domain): every field is ASCII, so no font file is needed on the phone.

use super::decode::RgbImage;

/// Burns `lines` into the bottom-left corner of `image`; characters outside ASCII print as `?`.
pub fn stamp(image: &mut RgbImage, lines: &[String]) {
    if lines.is_empty() || image.width < 64 || image.height < 32 {
        return;
    }
    // About 1/85 of the width per character: 24 px on a 2048 px photo, 8 px on a small one.
    let scale = (image.width.max(image.height) / 680).max(1) as usize;
    let glyph = 8 * scale;
    let pad = 2 * scale;
    let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let box_w = (longest * glyph + 2 * pad).min(image.width as usize);
    let box_h = (lines.len() * (glyph + pad) + pad).min(image.height as usize);
    let (w, h) = (image.width as usize, image.height as usize);
    let top = h - box_h;

    for y in top..h {
        for x in 0..box_w {
            let i = (y * w + x) * 3;
            for c in &mut image.pixels[i..i + 3] {
                *c = (u16::from(*c) * 2 / 5) as u8;
            }
        }
    }

    let chars: Vec<Vec<char>> = lines.iter().map(|l| l.chars().collect()).collect();
    let ink = |x: usize, y: usize| ink_at(&chars, x, y, scale, pad).unwrap_or(false);

    for y in 0..box_h {
        for x in 0..box_w {
            let i = ((top + y) * w + x) * 3;
            if ink(x, y) {
                image.pixels[i..i + 3].copy_from_slice(&[255, 255, 255]);
            } else if [(1, 0), (0, 1), (1, 1)].iter().any(|(dx, dy)| {
                (x >= *dx && y >= *dy && ink(x - dx, y - dy)) || ink(x + dx, y + dy)
            }) {
                // A dark edge around every stroke keeps the letters sharp on a light box.
                image.pixels[i..i + 3].copy_from_slice(&[0, 0, 0]);
            }
        }
    }
}

/// Whether the text covers pixel (x, y) of the box.
fn ink_at(lines: &[Vec<char>], x: usize, y: usize, scale: usize, pad: usize) -> Option<bool> {
    let glyph = 8 * scale;
    let (bx, by) = (x.checked_sub(pad)?, y.checked_sub(pad)?);
    let within_line = by % (glyph + pad);
    if within_line >= glyph {
        return None;
    }
    let ch = *lines.get(by / (glyph + pad))?.get(bx / glyph)?;
    let bitmap = font8x8::legacy::BASIC_LEGACY[if ch.is_ascii() {
        ch as usize
    } else {
        usize::from(b'?')
    }];
    let (gx, gy) = ((bx % glyph) / scale, within_line / scale);
    Some(bitmap[gy] & (1 << gx) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_is_legible_on_white_and_on_black() {
        for background in [255u8, 0] {
            let mut image = RgbImage {
                width: 640,
                height: 480,
                pixels: vec![background; 640 * 480 * 3],
            };
            stamp(
                &mut image,
                &["2026-11-02 09:31 +08:00".into(), "CUST 3300000001".into()],
            );
            let corner: Vec<u8> = (440..480)
                .flat_map(|y| (0..200).map(move |x| (y * 640 + x) * 3))
                .map(|i| image.pixels[i])
                .collect();
            let white = corner.iter().filter(|&&v| v == 255).count();
            let black = corner.iter().filter(|&&v| v == 0).count();
            assert!(
                white > 300 && black > 300,
                "text and its outline stand out: {white} white, {black} black"
            );
            // The opposite corner is untouched.
            assert_eq!(image.pixels[(10 * 640 + 600) * 3], background);
        }
    }
}
