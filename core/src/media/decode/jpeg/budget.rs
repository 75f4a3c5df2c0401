//! What a JPEG will cost in memory, from its header alone, so that a file a phone cannot afford
//! is refused before libjpeg allocates its buffers. Plain arithmetic on the [`Header`]: tested
//! without a decoder.
//!
//! The peak of an ingest is the larger of two moments, on top of the process's own baseline:
//! - decoding: libjpeg's coefficient buffer (when it keeps one) and the scaled output image;
//! - after it: the scaled image, its resize to the edge asked for, the oriented copy and the
//!   encoder's buffers, taken together as [`AFTER_DECODE_COPIES`] times the RGB at that edge.
//!
//! Measured (peak RSS by `/usr/bin/time`, release `doorstep photo ingest`, edge 2048, on the
//! files of `samples::jpeg`), against what the plan says:
//!
//! | file | measured | planned |
//! |---|---|---|
//! | 320×240 camera photo (the baseline) | 8.1 MiB | 12 MiB |
//! | 16 MP camera photo, baseline 4:2:0 | 37.7 MiB | 50 MiB |
//! | 64 MP baseline 4:2:0 (decoded at 2/8) | 37.8 MiB | 50 MiB |
//! | 6 MP, one scan per component | 33.9 MiB | 46 MiB |
//! | 12 MP progressive 4:4:4 | 88.9 MiB | 95 MiB |
//!
//! After decoding, the pipeline measured about two copies of the RGB at the edge besides the
//! decoded image; three are planned, for the margin of a phone's allocator.

use super::header::Header;

const MIB: u64 = 1024 * 1024;

/// The ingesting process before any photo: code, the allocator's arenas, the stamp's font.
pub(crate) const BASELINE: u64 = 12 * MIB;

/// Copies of the RGB at the target edge alive at once after decoding (resized, oriented,
/// encoder and thumbnail), rounded up.
pub(crate) const AFTER_DECODE_COPIES: u64 = 3;

/// Rows libjpeg keeps per output row width (main, upsampling and colour buffers of a
/// row group of up to 16 rows per component, twice over for the context rows), rounded up.
const DECODER_ROWS: u64 = 64;

/// The memory a decode of `header` at `scale`/8 and the pipeline after it will take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    /// The decoder's output size at this scale.
    pub output: (u32, u32),
    /// libjpeg's whole-image coefficient buffer, when it keeps one.
    pub coefficients: u64,
    /// The scaled RGB output.
    pub output_bytes: u64,
    /// libjpeg's row buffers.
    pub rows: u64,
    /// The pipeline's copies at `min_edge`.
    pub after_decode: u64,
}

impl Plan {
    pub fn new(header: &Header, scale: u8, min_edge: u32) -> Plan {
        let scale = u64::from(scale.clamp(1, 8));
        let output = (
            (u64::from(header.width) * scale).div_ceil(8) as u32,
            (u64::from(header.height) * scale).div_ceil(8) as u32,
        );
        let output_bytes = u64::from(output.0) * u64::from(output.1) * 3;
        let coefficients = if header.keeps_all_coefficients() {
            coefficient_bytes(header)
        } else {
            0
        };
        let (w, h) = fit(output, min_edge);
        Plan {
            output,
            coefficients,
            output_bytes,
            rows: u64::from(output.0) * 3 * DECODER_ROWS,
            after_decode: AFTER_DECODE_COPIES * w * h * 3,
        }
    }

    /// The peak, baseline included.
    pub fn needed(&self) -> u64 {
        let decoding = self.coefficients + self.output_bytes + self.rows;
        let after = self.output_bytes + self.after_decode;
        BASELINE + decoding.max(after)
    }

    /// What libjpeg itself may allocate (its `max_memory_to_use`, a backstop should its account
    /// of the file differ from ours): the budget less the baseline and the output image.
    pub fn decoder_share(&self, max_memory: u64) -> u64 {
        max_memory
            .saturating_sub(BASELINE + self.output_bytes)
            .max(MIB)
    }
}

/// libjpeg's full-image coefficient buffer (jdcoefct.c): per component, its blocks rounded up
/// to whole MCUs, 64 coefficients of 2 bytes each.
fn coefficient_bytes(header: &Header) -> u64 {
    let max_h = header.components.iter().map(|c| c.h).max().unwrap_or(1);
    let max_v = header.components.iter().map(|c| c.v).max().unwrap_or(1);
    header
        .components
        .iter()
        .map(|c| {
            let blocks_wide =
                (u64::from(header.width) * u64::from(c.h)).div_ceil(u64::from(max_h) * 8);
            let blocks_high =
                (u64::from(header.height) * u64::from(c.v)).div_ceil(u64::from(max_v) * 8);
            blocks_wide.next_multiple_of(u64::from(c.h))
                * blocks_high.next_multiple_of(u64::from(c.v))
                * 128
        })
        .sum()
}

/// The size `(w, h)` takes when its longest edge is brought down to `edge` (never up).
fn fit((w, h): (u32, u32), edge: u32) -> (u64, u64) {
    let (w, h, edge) = (u64::from(w), u64::from(h), u64::from(edge.max(1)));
    let longest = w.max(h).max(1);
    if longest <= edge {
        return (w, h);
    }
    ((w * edge).div_ceil(longest), (h * edge).div_ceil(longest))
}

#[cfg(test)]
mod tests {
    use super::super::header::{Coding, Component};
    use super::*;
    use crate::media::MediaError;
    use crate::media::decode::Limits;

    fn header(width: u32, height: u32, coding: Coding, sampling: u8, scan: usize) -> Header {
        let components = vec![
            Component {
                id: 1,
                h: sampling,
                v: sampling,
            },
            Component { id: 2, h: 1, v: 1 },
            Component { id: 3, h: 1, v: 1 },
        ];
        Header {
            width,
            height,
            coding,
            precision: 8,
            first_scan: components.iter().take(scan).map(|c| c.id).collect(),
            components,
            exif: None,
            segments: 4,
        }
    }

    #[test]
    fn a_12_mp_progressive_444_photo_needs_its_69_mib_of_coefficients_and_fits_128() {
        let plan = Plan::new(&header(4000, 3000, Coding::Progressive, 1, 3), 5, 2048);
        assert_eq!(plan.coefficients, 500 * 375 * 3 * 128, "about 69 MiB");
        assert_eq!(plan.output, (2500, 1875));
        assert!(
            Limits::PHONE.afford(plan.needed()).is_ok(),
            "{plan:?} needs {}",
            plan.needed() / MIB
        );
    }

    #[test]
    fn an_8000_square_progressive_444_photo_is_over_budget() {
        let plan = Plan::new(&header(8000, 8000, Coding::Progressive, 1, 3), 3, 2048);
        assert!(matches!(
            Limits::PHONE.afford(plan.needed()),
            Err(MediaError::OverBudget { needed_mib, budget_mib: 128 }) if needed_mib > 366
        ));
    }

    #[test]
    fn a_camera_photo_keeps_no_coefficients_and_fits_the_camera_budget() {
        let plan = Plan::new(&header(4608, 3456, Coding::Baseline, 2, 3), 4, 2048);
        assert_eq!(plan.coefficients, 0);
        assert!(plan.needed() < 64 * MIB, "{}", plan.needed() / MIB);
    }

    #[test]
    fn one_scan_per_component_costs_the_coefficients_of_420() {
        let plan = Plan::new(&header(4000, 3000, Coding::Baseline, 2, 1), 8, 4000);
        let luma = 500 * 376; // 375 block rows rounded up to whole MCUs of 2
        let chroma = 250 * 188;
        assert_eq!(plan.coefficients, (luma + 2 * chroma) * 128);
    }
}
