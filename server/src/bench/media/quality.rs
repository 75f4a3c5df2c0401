//! How close a resized photo is to the ideal: PSNR against a floating-point Lanczos-3 resize of
//! the whole decoded original, so that speed is never bought with quality unseen. The reference
//! is written out here in plain f64 (no SIMD, no fixed point, no shrink-on-load): slow and
//! obviously right.

use doorstep_core::media::decode::RgbImage;

/// The original resized to `width`×`height` with Lanczos-3 in f64, unrounded, RGB.
pub struct Reference {
    pub width: u32,
    pub height: u32,
    samples: Vec<f64>,
}

impl Reference {
    pub fn lanczos3(original: &RgbImage, width: u32, height: u32) -> Self {
        let (src_w, src_h) = (original.width as usize, original.height as usize);
        let (dst_w, dst_h) = (width as usize, height as usize);
        let across = taps(src_w, dst_w);
        let mut rows = vec![0.0f64; src_h * dst_w * 3];
        for y in 0..src_h {
            let line = &original.pixels[y * src_w * 3..(y + 1) * src_w * 3];
            for (x, (first, weights)) in across.iter().enumerate() {
                for c in 0..3 {
                    rows[(y * dst_w + x) * 3 + c] = weights
                        .iter()
                        .enumerate()
                        .map(|(k, w)| w * f64::from(line[(first + k) * 3 + c]))
                        .sum();
                }
            }
        }
        let down = taps(src_h, dst_h);
        let mut samples = vec![0.0f64; dst_h * dst_w * 3];
        for (y, (first, weights)) in down.iter().enumerate() {
            for i in 0..dst_w * 3 {
                samples[y * dst_w * 3 + i] = weights
                    .iter()
                    .enumerate()
                    .map(|(k, w)| w * rows[(first + k) * dst_w * 3 + i])
                    .sum();
            }
        }
        Self {
            width,
            height,
            samples,
        }
    }

    /// Peak signal-to-noise ratio of `image` against this reference, in dB (higher is closer).
    pub fn psnr_db(&self, image: &RgbImage) -> Result<f64, String> {
        if (image.width, image.height) != (self.width, self.height) {
            return Err(format!(
                "{}×{} compared with a {}×{} reference",
                image.width, image.height, self.width, self.height
            ));
        }
        let squared: f64 = self
            .samples
            .iter()
            .zip(&image.pixels)
            .map(|(r, &p)| (r.clamp(0.0, 255.0) - f64::from(p)).powi(2))
            .sum();
        let mse = squared / self.samples.len() as f64;
        Ok(10.0 * (255.0f64 * 255.0 / mse).log10())
    }
}

/// For each of `dst` output positions: the first input index and its Lanczos-3 weights
/// (normalised), pixel centres aligned as every resizer aligns them.
fn taps(src: usize, dst: usize) -> Vec<(usize, Vec<f64>)> {
    let scale = src as f64 / dst as f64;
    let stretch = scale.max(1.0);
    let support = 3.0 * stretch;
    (0..dst)
        .map(|x| {
            let centre = (x as f64 + 0.5) * scale;
            let first = (centre - support).floor().max(0.0) as usize;
            let last = ((centre + support).ceil() as usize).min(src);
            let mut weights: Vec<f64> = (first..last)
                .map(|i| lanczos3((i as f64 + 0.5 - centre) / stretch))
                .collect();
            let total: f64 = weights.iter().sum();
            weights.iter_mut().for_each(|w| *w /= total);
            (first, weights)
        })
        .collect()
}

fn lanczos3(x: f64) -> f64 {
    if x == 0.0 {
        return 1.0;
    }
    if x.abs() >= 3.0 {
        return 0.0;
    }
    let px = std::f64::consts::PI * x;
    3.0 * px.sin() * (px / 3.0).sin() / (px * px)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_image_resizes_to_itself_and_compares_as_equal() {
        let mut flat = RgbImage::new(40, 30);
        flat.pixels.fill(117);
        let reference = Reference::lanczos3(&flat, 16, 12);
        assert!(reference.samples.iter().all(|v| (v - 117.0).abs() < 1e-9));
        let mut small = RgbImage::new(16, 12);
        small.pixels.fill(117);
        assert!(reference.psnr_db(&small).unwrap() > 200.0);
        small.pixels[0] = 118;
        let one_off = reference.psnr_db(&small).unwrap();
        assert!((one_off - 10.0 * (255.0f64 * 255.0 * 576.0).log10()).abs() < 1e-6);
    }

    /// The reference and the pipeline's resizer (Lanczos-3 in fixed point, SIMD) agree closely:
    /// the figures measure the pipeline's losses, not a misaligned reference.
    #[test]
    fn the_reference_agrees_with_the_pipelines_lanczos_resize() {
        let photo = doorstep_core::media::samples::photo_like(600, 450);
        let ours = doorstep_core::media::transform::resize(&photo, 256, 192).unwrap();
        let db = Reference::lanczos3(&photo, 256, 192)
            .psnr_db(&ours)
            .unwrap();
        assert!(db > 45.0, "{db:.2} dB");
    }
}
