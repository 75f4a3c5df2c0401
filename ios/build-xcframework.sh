#!/usr/bin/env bash
# ios/build-xcframework.sh: builds DoorstepCoreFFI.xcframework for iPhone (arm64), the
# simulator (arm64 and x86_64, one fat library) and the Mac (arm64 and x86_64, one fat
# library: not shipped, it lets `swift build` link on the developer's Mac), and the Swift
# bindings, into ios/DoorstepCore. Runs on a Mac with Xcode and rustup; see ios/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
package=ios/DoorstepCore
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
# The library the phones ship (Cargo.toml): cargo puts it in target/<triple>/mobile/.
profile=mobile

rustup target add "${targets[@]}"
for target in "${targets[@]}"; do
  cargo build --locked --profile "$profile" -p doorstep-ffi --target "$target"
done

# The Swift and the header come from the host's build of the same crate (library mode reads
# the interface from the compiled library; it is the same for every target).
scripts/bindings --release
cp target/bindings/swift/DoorstepCore.swift "$package/Sources/DoorstepCore/"

work=target/xcframework
rm -rf "$work" "$package/DoorstepCoreFFI.xcframework"
mkdir -p "$work/headers" "$work/simulator" "$work/macos"
cp target/bindings/swift/DoorstepCoreFFI.h "$work/headers/"
# Inside a framework the module map must be called module.modulemap.
cp target/bindings/swift/DoorstepCoreFFI.modulemap "$work/headers/module.modulemap"
lipo -create \
  "target/aarch64-apple-ios-sim/$profile/libdoorstep_ffi.a" \
  "target/x86_64-apple-ios/$profile/libdoorstep_ffi.a" \
  -output "$work/simulator/libdoorstep_ffi.a"
lipo -create \
  "target/aarch64-apple-darwin/$profile/libdoorstep_ffi.a" \
  "target/x86_64-apple-darwin/$profile/libdoorstep_ffi.a" \
  -output "$work/macos/libdoorstep_ffi.a"
xcodebuild -create-xcframework \
  -library "target/aarch64-apple-ios/$profile/libdoorstep_ffi.a" -headers "$work/headers" \
  -library "$work/simulator/libdoorstep_ffi.a" -headers "$work/headers" \
  -library "$work/macos/libdoorstep_ffi.a" -headers "$work/headers" \
  -output "$package/DoorstepCoreFFI.xcframework"
echo "built $package/DoorstepCoreFFI.xcframework and $package/Sources/DoorstepCore/DoorstepCore.swift"
