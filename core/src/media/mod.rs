//! Photos and signatures: the evidence of every visit.
//!
//! A photo enters as a file path (the camera's output; never a big byte array across the FFI)
//! and leaves as a small, watermarked, EXIF-free JPEG with a thumbnail, named by the SHA-256 of
//! its bytes and stored encrypted ([`vault`]). Hostile input is refused with its own
//! [`MediaError`] before anything large is allocated.

pub mod decode;
pub mod exif;
mod glyphs;
pub mod pipeline;
pub mod samples;
pub mod signature;
pub mod simd;
pub mod transform;
pub mod vault;
pub mod watermark;

pub use pipeline::{IngestedPhoto, PhotoMetadata, PhotoPolicy, WatermarkContext, ingest};

/// Why a photo (or a signature) was refused. Every hostile or broken input has its own kind.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not a photo (JPEG, PNG or WebP), whatever its name says")]
    NotAnImage,
    #[error("the photo is cut short: the file ends before the image does")]
    Truncated,
    #[error(
        "the photo declares {width}×{height} pixels, above the limit of {max_pixels}: refused before decoding"
    )]
    TooLarge {
        width: u64,
        height: u64,
        max_pixels: u64,
    },
    #[error(
        "the file is in a format Doorstep does not take as a photo: {format} (photos are JPEG, PNG or still WebP)"
    )]
    Unsupported { format: &'static str },
    #[error(
        "decoding this photo would need {needed_mib} MiB, above the {budget_mib} MiB a phone can spare: refused before decoding"
    )]
    OverBudget { needed_mib: u64, budget_mib: u64 },
    /// Refused as soon as the count passes the limit, so `count` is how many were read by then.
    #[error("the photo has more than {limit} {what}: refused before it costs more")]
    TooComplex { what: Part, count: u64, limit: u64 },
    #[error("the photo is damaged: {0}")]
    Corrupt(String),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid {0}")]
    Invalid(#[from] crate::InvalidInput),
}

/// What a photo may have only so many of, each a pass or a step of work for its decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// A JPEG's scans: each is a pass over the whole image.
    Scans,
    /// A JPEG's header segments (markers) before its first scan.
    Segments,
    /// A PNG's or WebP's chunks.
    Chunks,
    /// The bytes of a PNG's metadata chunks (text, profiles).
    MetadataBytes,
}

impl Part {
    pub fn label(self) -> crate::text::Text {
        let (zh, en) = match self {
            Part::Scans => ("扫描段", "scans"),
            Part::Segments => ("标记段", "header segments"),
            Part::Chunks => ("数据块", "chunks"),
            Part::MetadataBytes => ("字节元数据", "bytes of metadata"),
        };
        crate::text::said(zh, en)
    }
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label().en)
    }
}

impl MediaError {
    /// The variant's name, as a sample's expected refusal (`samples::Expect::Refused`) and the
    /// figures name it: `TooLarge { .. }` is `"TooLarge"`.
    pub fn name(&self) -> &'static str {
        match self {
            MediaError::Empty => "Empty",
            MediaError::NotAnImage => "NotAnImage",
            MediaError::Truncated => "Truncated",
            MediaError::TooLarge { .. } => "TooLarge",
            MediaError::Unsupported { .. } => "Unsupported",
            MediaError::OverBudget { .. } => "OverBudget",
            MediaError::TooComplex { .. } => "TooComplex",
            MediaError::Corrupt(_) => "Corrupt",
            MediaError::Io(_) => "Io",
            MediaError::Invalid(_) => "Invalid",
        }
    }
}
