//! Shrinking rows as they come by an integer box factor: each output pixel is the mean of a
//! `factor × factor` box (smaller at the right and bottom edges), alpha composited over white
//! first. Holds one output-wide row of sums, never the full-size image.

use crate::media::MediaError;
use crate::media::decode::{RgbImage, to_rgb};

/// The largest integer factor that keeps the longest edge at least `min_edge` (1 when the
/// image is no larger than that).
pub(super) fn factor(width: u32, height: u32, min_edge: u32) -> u32 {
    (width.max(height) / min_edge.max(1)).max(1)
}

pub(super) struct BoxShrink {
    width: usize,
    factor: usize,
    channels: usize,
    image: RgbImage,
    rgb: Vec<u8>,
    sums: Vec<u64>,
    rows_in_band: usize,
    rows_out: usize,
}

impl BoxShrink {
    pub(super) fn new(width: u32, height: u32, factor: u32, channels: usize) -> Self {
        let out_width = width.div_ceil(factor);
        Self {
            width: width as usize,
            factor: factor as usize,
            channels,
            image: RgbImage::new(out_width, height.div_ceil(factor)),
            rgb: vec![0; width as usize * 3],
            sums: vec![0; out_width as usize * 3],
            rows_in_band: 0,
            rows_out: 0,
        }
    }

    /// One decoded row of `channels` bytes per pixel (grey, grey+alpha, RGB or RGBA).
    pub(super) fn push_row(&mut self, row: &[u8]) {
        if self.rows_out == self.image.height as usize {
            return;
        }
        let row = &row[..(self.width * self.channels).min(row.len())];
        match self.channels {
            3 => self.rgb[..row.len()].copy_from_slice(row),
            n => to_rgb(row, n, &mut self.rgb),
        }
        if self.factor == 1 {
            let line = self.width * 3;
            let start = self.rows_out * line;
            self.image.pixels[start..start + line].copy_from_slice(&self.rgb);
            self.rows_out += 1;
            return;
        }
        for (sum, pixels) in self
            .sums
            .chunks_exact_mut(3)
            .zip(self.rgb.chunks(self.factor * 3))
        {
            for pixel in pixels.chunks_exact(3) {
                sum[0] += u64::from(pixel[0]);
                sum[1] += u64::from(pixel[1]);
                sum[2] += u64::from(pixel[2]);
            }
        }
        self.rows_in_band += 1;
        if self.rows_in_band == self.factor {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let out_width = self.image.width as usize;
        let start = self.rows_out * out_width * 3;
        let out = &mut self.image.pixels[start..start + out_width * 3];
        for (x, (sum, dst)) in self
            .sums
            .chunks_exact_mut(3)
            .zip(out.chunks_exact_mut(3))
            .enumerate()
        {
            let box_width = self.factor.min(self.width - x * self.factor);
            let count = (box_width * self.rows_in_band) as u64;
            for (s, d) in sum.iter_mut().zip(dst) {
                *d = ((*s + count / 2) / count) as u8;
                *s = 0;
            }
        }
        self.rows_in_band = 0;
        self.rows_out += 1;
    }

    /// The shrunk image, once every row of the file was pushed; a file whose rows stop early
    /// is refused, never handed over half drawn.
    pub(super) fn finish(mut self) -> Result<RgbImage, MediaError> {
        if self.rows_in_band > 0 {
            self.flush();
        }
        if self.rows_out != self.image.height as usize {
            return Err(MediaError::Corrupt(
                "the image data ends before its last row".into(),
            ));
        }
        Ok(self.image)
    }
}
