// The core's calls block (docs/adr/0004-bindings.md): these wrappers run them off the main
// actor so that SwiftUI views can `await` them. Everything else of the API is the generated
// DoorstepCore.swift, used as it is.
import Foundation

extension DeviceStore {
    /// Opens the store on a background thread (opening may upgrade its schema).
    public static func openInBackground(directory: String, keyHex: String) async throws -> DeviceStore {
        try await Task.detached(priority: .userInitiated) {
            try DeviceStore.open(directory: directory, keyHex: keyHex)
        }.value
    }

    /// Syncs on a background thread; `observer` is called on that thread.
    public func syncInBackground(observer: SyncObserver?) async throws -> SyncReport {
        try await Task.detached(priority: .utility) { [self] in
            try self.sync(observer: observer)
        }.value
    }

    /// Enrolls on a background thread.
    public func enrollInBackground(server: String, code: String, deviceModel: String) async throws -> TechnicianInfo {
        try await Task.detached(priority: .userInitiated) { [self] in
            try self.enroll(server: server, code: code, deviceModel: deviceModel)
        }.value
    }

    /// Takes in a camera photo on a background thread (decoding, watermark, encryption); a HEIC
    /// file is handed over as JPEG (`PhotoHandover`).
    public func attachPhotoInBackground(formId: String, item: String, path: String, position: Position?) async throws -> Photo {
        try await Task.detached(priority: .userInitiated) { [self] in
            try PhotoHandover.withCorePhoto(path) { jpeg in
                try self.attachPhoto(formId: formId, item: item, path: jpeg, position: position)
            }
        }.value
    }

    /// Takes in a camera photo for a household, on no item of a form (the one that stands in
    /// for a refused signature), on a background thread (decoding, watermark, encryption); a
    /// HEIC file is handed over as JPEG (`PhotoHandover`).
    public func takePhotoInBackground(householdId: String, path: String, position: Position?) async throws -> Photo {
        try await Task.detached(priority: .userInitiated) { [self] in
            try PhotoHandover.withCorePhoto(path) { jpeg in
                try self.takePhoto(householdId: householdId, path: jpeg, position: position)
            }
        }.value
    }
}

/// A `SyncObserver` that hands progress to the main actor, for a progress bar.
public final class MainActorSyncObserver: SyncObserver, @unchecked Sendable {
    private let handler: @MainActor (SyncProgress) -> Void

    public init(_ handler: @escaping @MainActor (SyncProgress) -> Void) {
        self.handler = handler
    }

    public func onProgress(progress: SyncProgress) {
        let handler = self.handler
        Task { @MainActor in handler(progress) }
    }
}
