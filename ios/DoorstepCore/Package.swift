// swift-tools-version:5.9
// DoorstepCore: the Swift face of the Rust core. `ios/build-xcframework.sh` builds
// DoorstepCoreFFI.xcframework (the static library for device, simulator and Mac, its C header
// and module map; the Mac slice lets `swift build` link on a Mac) and copies the generated
// `DoorstepCore.swift` into Sources/DoorstepCore; neither is committed. The app depends on this
// package and nothing else of the core.
import PackageDescription

let package = Package(
    name: "DoorstepCore",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "DoorstepCore", targets: ["DoorstepCore"]),
    ],
    targets: [
        .binaryTarget(name: "DoorstepCoreFFI", path: "DoorstepCoreFFI.xcframework"),
        .target(
            name: "DoorstepCore",
            dependencies: ["DoorstepCoreFFI"],
            path: "Sources/DoorstepCore"
        ),
    ]
)
