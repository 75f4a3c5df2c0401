//! The proof-of-visit stamp burnt into a photo's bottom-left corner: when the photo was taken,
//! the customer number, the position and the technician's badge, labelled in Chinese (English
//! when asked). White text with a dark outline on a darkened box, so it reads on a white wall and
//! on a dark basement alike.
//!
//! The stamp carries no names: its values are numbers, codes and badges, checked before anything
//! is drawn. Its glyphs are a few from GNU Unifont ([`super::glyphs`], made by `scripts/glyphs`):
//! 16 px rows, 8 px across for ASCII, 16 for Chinese, scaled by a whole number with the photo.
//!
//! Geometry, for a photo whose long edge is L: scale `s = max(L / 680, 1)` (a half-width cell of
//! 8s px, about 1/85 of L), margin `2s`, one line every `18s` px; the box of n lines is
//! `18s·n + 2s` px high, at the bottom-left corner, each line starting `2s` px from its left.

use chrono::{DateTime, Utc};

use super::decode::RgbImage;
use super::glyphs::GLYPHS;
pub use super::glyphs::Glyph;
use crate::InvalidInput;
use crate::geo::GeoPoint;
use crate::text::{Lang, Text, said};

/// The words the stamp prints besides its values. Each has its glyphs in the table: a word
/// added here without running `scripts/glyphs` fails `every_word_the_stamp_prints_has_its_glyphs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Time,
    CustomerNumber,
    Position,
    Technician,
    /// In place of a position: neither the device nor the camera knew where it was.
    NoPosition,
    /// After a time read from the device's clock (the camera's was missing or disagreed).
    DeviceClock,
}

impl Label {
    pub const ALL: [Label; 6] = [
        Label::Time,
        Label::CustomerNumber,
        Label::Position,
        Label::Technician,
        Label::NoPosition,
        Label::DeviceClock,
    ];

    pub fn text(self) -> Text {
        match self {
            Label::Time => said("时间", "TIME"),
            Label::CustomerNumber => said("户号", "CUST"),
            Label::Position => said("位置", "GPS"),
            Label::Technician => said("技师", "TECH"),
            Label::NoPosition => said("无定位", "NO FIX"),
            Label::DeviceClock => said("设备时钟", "DEVICE CLOCK"),
        }
    }
}

/// What one stamp says: values already checked (see `WatermarkContext::validate`).
#[derive(Debug, Clone, PartialEq)]
pub struct StampText<'a> {
    pub lang: Lang,
    pub time: DateTime<Utc>,
    /// The time is the device's (marked as such), not the camera's.
    pub device_clock: bool,
    pub customer_number: Option<&'a str>,
    pub position: Option<GeoPoint>,
    pub technician: &'a str,
}

impl StampText<'_> {
    /// The stamp's lines: time in the utility's zone, customer number, position, badge.
    pub fn lines(&self) -> Vec<String> {
        let word = |label: Label| label.text().get(self.lang).to_owned();
        let local = self
            .time
            .with_timezone(&crate::calendar::service_timezone());
        let mut time = format!(
            "{} {}",
            word(Label::Time),
            local.format("%Y-%m-%d %H:%M:%S %:z")
        );
        if self.device_clock {
            time = format!("{time} {}", word(Label::DeviceClock));
        }
        let mut lines = vec![time];
        if let Some(number) = self.customer_number {
            lines.push(format!("{} {number}", word(Label::CustomerNumber)));
        }
        let position = match self.position {
            Some(p) => format!(
                "{}{:.5} {}{:.5}",
                if p.lat() < 0.0 { 'S' } else { 'N' },
                p.lat().abs(),
                if p.lon() < 0.0 { 'W' } else { 'E' },
                p.lon().abs()
            ),
            None => word(Label::NoPosition),
        };
        lines.push(format!("{} {position}", word(Label::Position)));
        lines.push(format!("{} {}", word(Label::Technician), self.technician));
        lines
    }
}

/// The glyph the stamp draws for `c`, if it has one.
pub fn glyph(c: char) -> Option<&'static Glyph> {
    GLYPHS
        .binary_search_by_key(&c, |(g, _)| *g)
        .ok()
        .map(|i| &GLYPHS[i].1)
}

/// The scale of the stamp's glyphs on a photo of `width` × `height` (see the module's doc).
pub fn scale(width: u32, height: u32) -> usize {
    (width.max(height) / 680).max(1) as usize
}

const ROW: usize = 16;
const GAP: usize = 2;

/// Burns `lines` into the bottom-left corner of `image`. A character without a glyph refuses
/// the whole stamp (nothing is drawn): the stamp never prints a stand-in such as `?`.
pub fn stamp(image: &mut RgbImage, lines: &[String]) -> Result<(), InvalidInput> {
    let glyphs: Vec<Vec<&Glyph>> = lines
        .iter()
        .map(|line| line.chars().map(glyph).collect::<Option<_>>())
        .collect::<Option<_>>()
        .ok_or_else(|| {
            InvalidInput::new(
                "watermark",
                said(
                    "含有水印无法显示的字符",
                    "holds a character the stamp cannot print",
                ),
            )
        })?;
    if lines.is_empty() || image.width < 64 || image.height < 32 {
        return Ok(());
    }
    let ink = Ink::of(&glyphs);
    let scale = scale(image.width, image.height);
    let pad = GAP * scale;
    let (w, h) = (image.width as usize, image.height as usize);
    let box_w = (ink.width * scale + 2 * pad).min(w);
    let box_h = (ink.height * scale + 2 * pad).min(h);
    let top = h - box_h;

    for y in top..h {
        for x in 0..box_w {
            let i = (y * w + x) * 3;
            for c in &mut image.pixels[i..i + 3] {
                *c = (u16::from(*c) * 2 / 5) as u8;
            }
        }
    }

    let inked =
        |x: usize, y: usize| x >= pad && y >= pad && ink.at((x - pad) / scale, (y - pad) / scale);
    for y in 0..box_h {
        for x in 0..box_w {
            let i = ((top + y) * w + x) * 3;
            if inked(x, y) {
                image.pixels[i..i + 3].copy_from_slice(&[255, 255, 255]);
            } else if [(1, 0), (0, 1), (1, 1)].iter().any(|(dx, dy)| {
                (x >= *dx && y >= *dy && inked(x - dx, y - dy)) || inked(x + dx, y + dy)
            }) {
                // A dark edge around every stroke keeps the letters sharp on a light box.
                image.pixels[i..i + 3].copy_from_slice(&[0, 0, 0]);
            }
        }
    }
    Ok(())
}

/// The text's ink at glyph resolution (one pixel per font pixel), before scaling.
struct Ink {
    width: usize,
    height: usize,
    bits: Vec<bool>,
}

impl Ink {
    fn of(lines: &[Vec<&Glyph>]) -> Ink {
        let advance = |g: &Glyph| if g.wide { 16 } else { 8 };
        let width = lines
            .iter()
            .map(|l| l.iter().map(|g| advance(g)).sum::<usize>())
            .max()
            .unwrap_or(0);
        let height = lines.len() * (ROW + GAP) - GAP;
        let mut bits = vec![false; width * height];
        for (n, line) in lines.iter().enumerate() {
            let mut left = 0;
            for g in line {
                for (gy, row) in g.rows.iter().enumerate() {
                    for gx in 0..advance(g) {
                        if row & (0x8000 >> gx) != 0 {
                            bits[(n * (ROW + GAP) + gy) * width + left + gx] = true;
                        }
                    }
                }
                left += advance(g);
            }
        }
        Ink {
            width,
            height,
            bits,
        }
    }

    fn at(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.height && self.bits[y * self.width + x]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn canvas(width: u32, height: u32, background: u8) -> RgbImage {
        RgbImage {
            width,
            height,
            pixels: vec![background; (width * height * 3) as usize],
        }
    }

    fn text(lang: Lang, device_clock: bool) -> StampText<'static> {
        StampText {
            lang,
            time: Utc.with_ymd_and_hms(2026, 11, 2, 1, 31, 0).unwrap(),
            device_clock,
            customer_number: Some("3300000001"),
            position: GeoPoint::new(30.2775, 120.1301).ok(),
            technician: "T00101",
        }
    }

    #[test]
    fn stamp_is_legible_on_white_and_on_black() {
        for background in [255u8, 0] {
            let mut image = canvas(640, 480, background);
            stamp(
                &mut image,
                &["2026-11-02 09:31 +08:00".into(), "CUST 3300000001".into()],
            )
            .unwrap();
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

    /// Whether the stamp's ink at cell (`left` px into the line, line `line` of `lines`) is
    /// exactly `c`'s glyph, scaled by `scale`: white where the font has a pixel, not white elsewhere.
    fn drawn_as(image: &RgbImage, lines: usize, line: usize, left: usize, c: char) -> bool {
        let s = scale(image.width, image.height);
        let g = glyph(c).unwrap();
        let top = image.height as usize - (lines * (ROW + GAP) * s + GAP * s);
        let (x0, y0) = (GAP * s + left * s, top + GAP * s + line * (ROW + GAP) * s);
        (0..ROW * s).all(|y| {
            (0..if g.wide { 16 } else { 8 } * s).all(|x| {
                let font = g.rows[y / s] & (0x8000 >> (x / s)) != 0;
                let i = ((y0 + y) * image.width as usize + x0 + x) * 3;
                (image.pixels[i] == 255) == font
            })
        })
    }

    #[test]
    fn chinese_labels_are_drawn_with_their_glyphs_at_every_scale() {
        for (width, height) in [(640, 480), (2048, 1536), (1536, 2048)] {
            let mut image = canvas(width, height, 128);
            let lines = text(Lang::Zh, false).lines();
            assert_eq!(lines[0], "时间 2026-11-02 09:31:00 +08:00");
            stamp(&mut image, &lines).unwrap();
            assert!(drawn_as(&image, 4, 0, 0, '时'), "时 at {width}×{height}");
            assert!(drawn_as(&image, 4, 0, 16, '间'));
            assert!(
                drawn_as(&image, 4, 0, 40, '2'),
                "the year after 时间 and a space"
            );
            assert!(drawn_as(&image, 4, 1, 0, '户') && drawn_as(&image, 4, 1, 16, '号'));
            assert!(drawn_as(&image, 4, 2, 0, '位') && drawn_as(&image, 4, 2, 16, '置'));
            assert!(drawn_as(&image, 4, 3, 0, '技') && drawn_as(&image, 4, 3, 16, '师'));
            assert!(
                !drawn_as(&image, 4, 3, 0, '时'),
                "a different glyph is told apart"
            );
        }
    }

    #[test]
    fn english_labels_when_asked_and_the_device_clock_marked() {
        let lines = text(Lang::En, true).lines();
        assert_eq!(
            lines,
            [
                "TIME 2026-11-02 09:31:00 +08:00 DEVICE CLOCK",
                "CUST 3300000001",
                "GPS N30.27750 E120.13010",
                "TECH T00101",
            ]
        );
        let mut zh = text(Lang::Zh, true);
        assert_eq!(zh.lines()[0], "时间 2026-11-02 09:31:00 +08:00 设备时钟");
        zh.position = None;
        zh.customer_number = None;
        assert_eq!(zh.lines()[1..], ["位置 无定位", "技师 T00101"]);

        let mut image = canvas(640, 480, 0);
        stamp(&mut image, &lines).unwrap();
        assert!(drawn_as(&image, 4, 0, 0, 'T') && drawn_as(&image, 4, 0, 8, 'I'));
    }

    #[test]
    fn a_character_without_a_glyph_refuses_the_stamp_and_draws_nothing() {
        let mut image = canvas(640, 480, 128);
        let refused = stamp(&mut image, &["户号 王小明".into()]).unwrap_err();
        assert_eq!(refused.field, "watermark");
        assert!(image.pixels.iter().all(|&v| v == 128), "nothing drawn");
    }

    #[test]
    fn every_word_the_stamp_prints_has_its_glyphs() {
        for label in Label::ALL {
            for lang in [Lang::Zh, Lang::En] {
                let word = label.text().get(lang).to_owned();
                let missing: String = word.chars().filter(|&c| glyph(c).is_none()).collect();
                assert!(
                    missing.is_empty(),
                    "{label:?} in {lang:?} lacks {missing}: add it to scripts/glyphs and run it"
                );
            }
        }
        // Every value the stamp can print: times and positions are ASCII, and so is every
        // character a customer number or a badge may hold (checked over the whole BMP).
        for c in (' '..='~').chain((0u32..0x1_0000).filter_map(char::from_u32).filter(|&c| {
            crate::household::validate_code("x", &c.to_string()).is_ok()
                || crate::team::validate_badge("x", &c.to_string()).is_ok()
        })) {
            assert!(glyph(c).is_some(), "{c:?} has no glyph");
        }
    }
}
