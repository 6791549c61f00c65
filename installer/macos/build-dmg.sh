#!/usr/bin/env bash
# On a Mac: build "Agent700 Desktop.app" and a disk image to hand out,
# dist/a7desktop-VERSION-macos-ARCH.dmg (the app beside a link to /Applications).
#
#   python3 -m venv .venv && .venv/bin/pip install -c constraints.txt -e '.[package]'
#   installer/macos/build-dmg.sh
#
# Signing and notarization are optional and need Apple credentials:
#   A7_CODESIGN_IDENTITY="Developer ID Application: ..."   sign the app (hardened runtime)
#   A7_NOTARY_PROFILE=name    also notarize and staple, with a profile stored
#                             by `xcrun notarytool store-credentials`
# Without them the app is unsigned: Gatekeeper asks the user to confirm the
# first start (right-click, Open), which managed Macs can pre-approve.
#
# Needs Xcode's command line tools (hdiutil, codesign, xcrun ship with macOS).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
[ "$(uname -s)" = Darwin ] || { echo "build-dmg.sh runs on macOS only" >&2; exit 1; }

python=${A7_PYTHON:-.venv/bin/python}
app_name="Agent700 Desktop"
app="dist/$app_name.app"
started=$(date +%s)

packaging/build-frozen
[ -x "$app/Contents/MacOS/a7desktop" ] || { echo "no $app was built" >&2; exit 1; }

version=$("$python" -c 'import sys; sys.path.insert(0, "packaging"); import bundle; print(bundle.project_version())')
arch=$(uname -m)
dmg="dist/a7desktop-$version-macos-$arch.dmg"

# The frozen program must start before anything is signed or shipped.
QT_QPA_PLATFORM=offscreen "$app/Contents/MacOS/a7desktop" --self-test

if [ -n "${A7_CODESIGN_IDENTITY:-}" ]; then
  codesign --force --deep --options runtime --timestamp \
    --sign "$A7_CODESIGN_IDENTITY" "$app"
  codesign --verify --strict --verbose=2 "$app"
fi

stage=build/dmg
rm -rf "$stage" "$dmg"
mkdir -p "$stage"
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
hdiutil create -volname "$app_name" -srcfolder "$stage" -fs HFS+ \
  -format UDZO -imagekey zlib-level=9 -ov "$dmg" >/dev/null

if [ -n "${A7_CODESIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$A7_CODESIGN_IDENTITY" "$dmg"
  if [ -n "${A7_NOTARY_PROFILE:-}" ]; then
    xcrun notarytool submit "$dmg" --keychain-profile "$A7_NOTARY_PROFILE" --wait
    xcrun stapler staple "$dmg"
  fi
fi

size=$(stat -f %z "$dmg")
echo "built $dmg: $(( size / 1048576 )) MiB ($size bytes) in $(( $(date +%s) - started )) s"
