// The core takes JPEG, PNG and WebP photos (docs/adr/0002-photo-pipeline.md) and refuses HEIC,
// naming it. An iPhone's camera saves HEIC by default and the Photos library holds HEIC, so the
// shell hands the core JPEG: the camera is asked for JPEG (`AVCapturePhotoSettings(format:
// [AVVideoCodecKey: AVVideoCodecType.jpeg])`), and any HEIC or HEIF file (a gallery pick, a
// camera that was not asked) is re-encoded here with ImageIO first, keeping its metadata
// (orientation, capture time, GPS), which the core reads as evidence.
import Foundation
import ImageIO
import UniformTypeIdentifiers

public enum PhotoHandoverError: Error {
    /// ImageIO could not write the JPEG (no space left, for example).
    case reencodeFailed
}

public enum PhotoHandover {
    /// The path of a file the core takes: `path` itself when it is not HEIC/HEIF (the core
    /// then judges it and names what it is), else a JPEG written beside the app's temporary
    /// files, which the caller removes after the core took it in.
    public static func corePhotoPath(for path: String) throws -> String {
        let url = URL(fileURLWithPath: path)
        guard let source = CGImageSourceCreateWithURL(url as CFURL, nil),
              let identifier = CGImageSourceGetType(source) as String?,
              let type = UTType(identifier),
              type.conforms(to: .heic) || type.conforms(to: .heif)
        else {
            return path
        }
        let out = FileManager.default.temporaryDirectory
            .appendingPathComponent(UUID().uuidString)
            .appendingPathExtension("jpg")
        guard let destination = CGImageDestinationCreateWithURL(
            out as CFURL, UTType.jpeg.identifier as CFString, 1, nil)
        else {
            throw PhotoHandoverError.reencodeFailed
        }
        // The first image with its properties (EXIF, GPS, orientation) carried over.
        let options = [kCGImageDestinationLossyCompressionQuality: 0.92] as CFDictionary
        CGImageDestinationAddImageFromSource(destination, source, 0, options)
        guard CGImageDestinationFinalize(destination) else {
            try? FileManager.default.removeItem(at: out)
            throw PhotoHandoverError.reencodeFailed
        }
        return out.path
    }

    /// Runs `work` on the path the core takes, and removes a JPEG made for it afterwards.
    static func withCorePhoto<T>(_ path: String, _ work: (String) throws -> T) throws -> T {
        let handed = try corePhotoPath(for: path)
        defer {
            if handed != path { try? FileManager.default.removeItem(atPath: handed) }
        }
        return try work(handed)
    }
}
