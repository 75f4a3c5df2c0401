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
        "the file is a {format} image, which Doorstep does not take as a photo (JPEG, PNG or WebP)"
    )]
    Unsupported { format: &'static str },
    #[error(
        "decoding this photo would need {needed_mib} MiB, above the {budget_mib} MiB a phone can spare: refused before decoding"
    )]
    OverBudget { needed_mib: u64, budget_mib: u64 },
    #[error("the photo has {count} {what}, above the limit of {limit}: refused")]
    TooComplex {
        what: &'static str,
        count: u64,
        limit: u64,
    },
    #[error("the photo is damaged: {0}")]
    Corrupt(String),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid {0}")]
    Invalid(#[from] crate::InvalidInput),
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
