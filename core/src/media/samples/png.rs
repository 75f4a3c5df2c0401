//! PNG samples: large images written row-repeating (so an 8000×8000 file is made in a moment
//! without its 256 MB of pixels ever being in memory), odd pixel formats, and damaged files.
//! The large ones are written chunk by chunk here, with a zlib stream built by hand from
//! literals and back-references (the `png` encoder has no interlacing and needs every row).

use super::{Expect, Sample};

/// The colours of the vertical stripes of [`stripes`], RGBA, each [`STRIPE_WIDTH`] px wide in
/// turn: opaque red, opaque green, half-transparent blue, fully transparent.
pub const STRIPES: [[u8; 4]; 4] = [
    [200, 30, 30, 255],
    [30, 200, 30, 255],
    [30, 30, 200, 128],
    [0, 0, 0, 0],
];
pub const STRIPE_WIDTH: u32 = 48;

/// The hostile and large PNG files.
pub fn hostile() -> Vec<Sample> {
    let grey = grey16(64, 48);
    let mut cut = grey.clone();
    cut.truncate(idat_range(&grey).start + 20);
    let mut bad_crc = grey.clone();
    let crc_at = idat_range(&grey).end;
    bad_crc[crc_at] ^= 0xFF;
    vec![
        Sample {
            name: "png_rgba_8000",
            bytes: stripes(8000, 8000, false),
            expect: Expect::Accepted,
        },
        Sample {
            name: "png_interlaced_8000",
            bytes: stripes(8000, 8000, true),
            expect: Expect::Refused("OverBudget"),
        },
        Sample {
            name: "png_grey_16bit",
            bytes: grey,
            expect: Expect::Accepted,
        },
        Sample {
            name: "png_palette_transparency",
            bytes: palette_with_transparency(64, 48),
            expect: Expect::Accepted,
        },
        Sample {
            name: "png_cut_in_idat",
            bytes: cut,
            expect: Expect::Refused("Truncated"),
        },
        Sample {
            name: "png_bad_crc",
            bytes: bad_crc,
            expect: Expect::Refused("Corrupt"),
        },
        Sample {
            name: "png_10000_chunks",
            bytes: many_chunks(10_000),
            expect: Expect::Refused("TooComplex"),
        },
    ]
}

/// An RGBA image of vertical [`STRIPES`]; interlaced (Adam7) or not. Every row is the same:
/// the first is written out, the others are "same as above" (filter Up, all zero).
pub fn stripes(width: u32, height: u32, interlaced: bool) -> Vec<u8> {
    let pixel = |x: u32| STRIPES[(x / STRIPE_WIDTH) as usize % STRIPES.len()];
    let mut z = Zlib::new();
    let passes: &[(u32, u32, u32, u32)] = if interlaced {
        // (x start, y start, x step, y step) of the seven Adam7 passes.
        &[
            (0, 0, 8, 8),
            (4, 0, 8, 8),
            (0, 4, 4, 8),
            (2, 0, 4, 4),
            (0, 2, 2, 4),
            (1, 0, 2, 2),
            (0, 1, 1, 2),
        ]
    } else {
        &[(0, 0, 1, 1)]
    };
    for &(x0, y0, dx, dy) in passes {
        let (w, h) = (
            width.saturating_sub(x0).div_ceil(dx),
            height.saturating_sub(y0).div_ceil(dy),
        );
        if w == 0 || h == 0 {
            continue;
        }
        z.literal(0);
        for i in 0..w {
            for b in pixel(x0 + i * dx) {
                z.literal(b);
            }
        }
        let row = u64::from(w) * 4 + 1;
        if h > 1 {
            // Filter Up and zeros: a literal, a zero, the rest of the row copied from that zero,
            // then every further row copied from the row above.
            z.literal(2);
            z.literal(0);
            z.copy(row - 2, 1);
            z.copy(row * u64::from(h - 2), row);
        }
    }
    let mut file = header(width, height, 6, 8, interlaced);
    file.extend(chunk(b"IDAT", &z.finish()));
    file.extend(chunk(b"IEND", &[]));
    file
}

/// A 16-bit grey ramp (written by the `png` encoder).
pub fn grey16(width: u32, height: u32) -> Vec<u8> {
    let data: Vec<u8> = (0..width * height)
        .flat_map(|i| (((i % width) * 65535 / width.max(2).saturating_sub(1)) as u16).to_be_bytes())
        .collect();
    encode(
        width,
        height,
        png::ColorType::Grayscale,
        png::BitDepth::Sixteen,
        None,
        &data,
    )
}

/// A paletted image whose second colour is half transparent and third fully: columns of
/// index `x % 3`.
pub fn palette_with_transparency(width: u32, height: u32) -> Vec<u8> {
    let data: Vec<u8> = (0..width * height).map(|i| (i % width % 3) as u8).collect();
    let palette = (vec![10, 20, 30, 200, 100, 50, 0, 0, 255], vec![255, 128, 0]);
    encode(
        width,
        height,
        png::ColorType::Indexed,
        png::BitDepth::Eight,
        Some(palette),
        &data,
    )
}

/// A small image with `count` tiny private ancillary chunks before its image data.
pub fn many_chunks(count: usize) -> Vec<u8> {
    let mut file = header(8, 8, 0, 8, false);
    for i in 0..count {
        file.extend(chunk(b"teSt", &[i as u8]));
    }
    let rest = encode(
        8,
        8,
        png::ColorType::Grayscale,
        png::BitDepth::Eight,
        None,
        &[128; 64],
    );
    file.extend_from_slice(&rest[8 + 25..]);
    file
}

/// A PNG of `image` (RGB) with an `eXIf` chunk holding `exif` as given (with or without an
/// `Exif\0\0` prefix), before the image data.
pub fn with_exif(width: u32, height: u32, rgb: &[u8], exif: &[u8]) -> Vec<u8> {
    let plain = encode(
        width,
        height,
        png::ColorType::Rgb,
        png::BitDepth::Eight,
        None,
        rgb,
    );
    let mut file = plain[..8 + 25].to_vec();
    file.extend(chunk(b"eXIf", exif));
    file.extend_from_slice(&plain[8 + 25..]);
    file
}

/// The byte range of the first IDAT chunk's data.
pub fn idat_range(file: &[u8]) -> std::ops::Range<usize> {
    let mut at = 8;
    while at + 8 <= file.len() {
        let length =
            u32::from_be_bytes([file[at], file[at + 1], file[at + 2], file[at + 3]]) as usize;
        if &file[at + 4..at + 8] == b"IDAT" {
            return at + 8..at + 8 + length;
        }
        at += 12 + length;
    }
    0..0
}

fn encode(
    width: u32,
    height: u32,
    color: png::ColorType,
    depth: png::BitDepth,
    palette: Option<(Vec<u8>, Vec<u8>)>,
    data: &[u8],
) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(color);
    encoder.set_depth(depth);
    if let Some((palette, trns)) = palette {
        encoder.set_palette(palette);
        encoder.set_trns(trns);
    }
    let mut writer = encoder.write_header().expect("a PNG header in memory");
    writer.write_image_data(data).expect("PNG rows in memory");
    drop(writer);
    bytes
}

fn header(width: u32, height: u32, color: u8, depth: u8, interlaced: bool) -> Vec<u8> {
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[depth, color, 0, 0, u8::from(interlaced)]);
    let mut file = b"\x89PNG\r\n\x1a\n".to_vec();
    file.extend(chunk(b"IHDR", &ihdr));
    file
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 12);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&out[4..]).to_be_bytes());
    out
}

/// PNG's CRC-32 of `bytes` (a chunk's type and data).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                0xEDB8_8320 ^ (crc >> 1)
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A zlib stream in one fixed-Huffman deflate block, with its Adler-32 kept as it goes.
struct Zlib {
    bits: Vec<u8>,
    bit_count: u64,
    /// The raw bytes so far, to know what a back-reference copies (only the last 32 KiB).
    window: std::collections::VecDeque<u8>,
    adler: (u32, u32),
}

const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DISTANCE_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

impl Zlib {
    fn new() -> Self {
        let mut z = Self {
            bits: vec![0x78, 0x01],
            bit_count: 16,
            window: std::collections::VecDeque::new(),
            adler: (1, 0),
        };
        z.put(1, 1); // the last block
        z.put(1, 2); // fixed Huffman codes
        z
    }

    /// `value`'s low `count` bits, least significant first.
    fn put(&mut self, value: u32, count: u8) {
        for i in 0..count {
            if self.bit_count.is_multiple_of(8) {
                self.bits.push(0);
            }
            if value >> i & 1 != 0 {
                *self.bits.last_mut().expect("a byte was pushed") |= 1 << (self.bit_count % 8);
            }
            self.bit_count += 1;
        }
    }

    /// A Huffman code, most significant bit first.
    fn code(&mut self, code: u32, length: u8) {
        self.put(code.reverse_bits() >> (32 - length), length);
    }

    fn symbol(&mut self, symbol: u16) {
        match symbol {
            0..=143 => self.code(0x30 + u32::from(symbol), 8),
            144..=255 => self.code(0x190 + u32::from(symbol - 144), 9),
            256..=279 => self.code(u32::from(symbol - 256), 7),
            _ => self.code(0xC0 + u32::from(symbol - 280), 8),
        }
    }

    fn raw(&mut self, byte: u8) {
        self.adler.0 = (self.adler.0 + u32::from(byte)) % 65521;
        self.adler.1 = (self.adler.1 + self.adler.0) % 65521;
        if self.window.len() == 32768 {
            self.window.pop_front();
        }
        self.window.push_back(byte);
    }

    fn literal(&mut self, byte: u8) {
        self.symbol(u16::from(byte));
        self.raw(byte);
    }

    /// `length` bytes copied from `distance` back (at most 32 KiB), in back-references of at
    /// most 258 bytes.
    fn copy(&mut self, length: u64, distance: u64) {
        let mut left = length;
        while left >= 3 {
            let n = left.min(258);
            // A last piece of 1 or 2 bytes cannot be a back-reference: leave 3 for it.
            let n = if left - n > 0 && left - n < 3 {
                n - 3
            } else {
                n
            };
            let i = LENGTH_BASE
                .iter()
                .rposition(|&b| u64::from(b) <= n)
                .expect("n ≥ 3");
            self.symbol(257 + i as u16);
            self.put((n - u64::from(LENGTH_BASE[i])) as u32, LENGTH_EXTRA[i]);
            let d = DISTANCE_BASE
                .iter()
                .rposition(|&b| u64::from(b) <= distance)
                .expect("distance ≥ 1");
            self.code(d as u32, 5);
            self.put(
                (distance - u64::from(DISTANCE_BASE[d])) as u32,
                DISTANCE_EXTRA[d],
            );
            left -= n;
        }
        for _ in 0..left {
            self.symbol(u16::from(
                self.window[self.window.len() - distance as usize],
            ));
        }
        self.repeat(length, distance as usize);
    }

    /// Appends to the raw bytes `length` bytes repeating the last `period` ones: the Adler-32
    /// of whole periods in one step (so a 256 MB image costs no byte-by-byte walk), the rest
    /// byte by byte.
    fn repeat(&mut self, length: u64, period: usize) {
        const MOD: u64 = 65521;
        let pattern: Vec<u8> = self
            .window
            .range(self.window.len() - period..)
            .copied()
            .collect();
        let p = period as u64;
        let k = length / p;
        let sum: u64 = pattern.iter().map(|&x| u64::from(x)).sum::<u64>() % MOD;
        let weighted: u64 = pattern
            .iter()
            .enumerate()
            .map(|(j, &x)| (p - j as u64) % MOD * u64::from(x) % MOD)
            .sum::<u64>()
            % MOD;
        let (a, b) = (u64::from(self.adler.0), u64::from(self.adler.1));
        let pairs = (u128::from(k) * u128::from(k.saturating_sub(1)) / 2 % u128::from(MOD)) as u64;
        let b =
            (b + k % MOD * p % MOD * a + sum * (p % MOD) % MOD * pairs + k % MOD * weighted) % MOD;
        let a = (a + k % MOD * sum) % MOD;
        self.adler = (a as u32, b as u32);
        let whole = k * p;
        for i in whole - whole.min(32768)..whole {
            if self.window.len() == 32768 {
                self.window.pop_front();
            }
            self.window.push_back(pattern[(i % p) as usize]);
        }
        for &byte in &pattern[..(length % p) as usize] {
            self.raw(byte);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        self.symbol(256);
        let adler = (self.adler.1 << 16) | self.adler.0;
        self.bits.extend_from_slice(&adler.to_be_bytes());
        self.bits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-made zlib stream inflates to what it says, Adler-32 included.
    #[test]
    fn stripes_decode_as_written_by_the_png_crate() {
        for interlaced in [false, true] {
            let file = stripes(150, 37, interlaced);
            let mut decoder = png::Decoder::new(std::io::Cursor::new(&file));
            decoder.ignore_checksums(false);
            let mut reader = decoder.read_info().unwrap();
            let mut pixels = vec![0; reader.output_buffer_size()];
            reader.next_frame(&mut pixels).unwrap();
            reader.finish().unwrap();
            for (i, px) in pixels.chunks_exact(4).enumerate() {
                let x = i as u32 % 150;
                assert_eq!(
                    px,
                    STRIPES[(x / STRIPE_WIDTH) as usize % 4],
                    "pixel {i}, interlaced {interlaced}"
                );
            }
        }
    }
}
