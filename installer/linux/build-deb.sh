#!/usr/bin/env bash
# Build the frozen a7desktop and its Debian package, dist/a7desktop_VERSION_ARCH.deb.
#
#   installer/linux/build-deb.sh                  # freeze, then package
#   installer/linux/build-deb.sh --bundle DIR     # package an existing one-folder build
#
# The package puts the bundle in /opt/a7desktop, the command a7desktop on the
# PATH (/usr/bin/a7desktop, a symlink), the desktop entry, the hicolor icons
# and the AppStream metainfo under /usr/share. It has no maintainer scripts:
# the icon cache, the desktop database and the AppStream cache are refreshed
# by their own packages' triggers, and removing the package removes every
# file it installed. Nothing here uses the network.
#
# Needs: dpkg-deb, objdump (binutils), desktop-file-validate
# (desktop-file-utils) and appstreamcli (appstream); for the freeze, the
# venv with the package extra (see packaging/build-frozen).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"

bundle=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) bundle=${2:?--bundle needs a folder}; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

for tool in dpkg-deb objdump desktop-file-validate appstreamcli; do
  command -v "$tool" >/dev/null || {
    echo "$tool is missing: apt-get install dpkg binutils desktop-file-utils appstream" >&2
    exit 1
  }
done

python=${A7_PYTHON:-.venv/bin/python}
[ -x "$python" ] || python=python3
started=$(date +%s)

if [ -z "$bundle" ]; then
  packaging/build-frozen
  bundle=dist/a7desktop
fi
[ -x "$bundle/a7desktop" ] || { echo "no a7desktop executable in $bundle" >&2; exit 1; }
if [ ! -f build/icons/png/256.png ]; then
  QT_QPA_PLATFORM=offscreen "$python" packaging/icons.py build/icons
fi

name=a7desktop
app_id=ai.agent700.a7desktop
version=$("$python" -c 'import sys; sys.path.insert(0, "packaging"); import bundle; print(bundle.project_version())')
arch=$(dpkg --print-architecture)
deb="dist/${name}_${version}_${arch}.deb"
# Timestamps in the package follow the last commit, so a rebuild of the same
# commit gives the same archive headers.
if [ -z "${SOURCE_DATE_EPOCH:-}" ] && git rev-parse --git-dir >/dev/null 2>&1; then
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
  export SOURCE_DATE_EPOCH
fi

stage=build/deb/root
rm -rf build/deb
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" \
  "$stage/usr/share/applications" "$stage/usr/share/metainfo" \
  "$stage/usr/share/doc/$name" "$stage/usr/share/icons/hicolor/scalable/apps"

cp -a "$bundle" "$stage/opt/$name"
ln -s "/opt/$name/$name" "$stage/usr/bin/$name"
install -m 644 "resources/$app_id.desktop" "$stage/usr/share/applications/"
install -m 644 "resources/$app_id.metainfo.xml" "$stage/usr/share/metainfo/"
install -m 644 "resources/$app_id.svg" "$stage/usr/share/icons/hicolor/scalable/apps/"
for size in 16 24 32 48 64 128 256 512; do
  folder="$stage/usr/share/icons/hicolor/${size}x${size}/apps"
  mkdir -p "$folder"
  install -m 644 "build/icons/png/$size.png" "$folder/$app_id.png"
done
install -m 644 installer/linux/copyright "$stage/usr/share/doc/$name/copyright"
chmod -R u=rwX,go=rX "$stage"

echo "== desktop-file-validate"
desktop-file-validate "$stage/usr/share/applications/$app_id.desktop"
echo "== appstreamcli validate"
appstreamcli validate --no-net "$stage/usr/share/metainfo/$app_id.metainfo.xml"

# The oldest C library that has every versioned symbol the bundle uses.
glibc=$(find "$stage/opt/$name" -type f \( -name '*.so*' -o -name "$name" \) \
  -exec objdump -T {} + 2>/dev/null \
  | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
depends=$(grep -v -e '^#' -e '^[[:space:]]*$' installer/linux/depends \
  | sed "s/^libc6\$/libc6 (>= $glibc)/" | paste -sd, - | sed 's/,/, /g')
installed_kib=$(du -sk --apparent-size "$stage" | cut -f1)

cat >"$stage/DEBIAN/control" <<EOF
Package: $name
Version: $version
Architecture: $arch
Maintainer: ${A7_DEB_MAINTAINER:-Agent700 <support@agent700.ai>}
Installed-Size: $installed_kib
Depends: $depends
Recommends: gnome-keyring | keepassxc | kwalletmanager, xdg-utils
Section: utils
Priority: optional
Homepage: https://agent700.ai
Description: credential manager for the Agent700 API
 Agent700 Desktop signs in to the Agent700 API (email and password, Google,
 or an app password), keeps the session alive with rotating refresh tokens,
 stores every secret in the desktop keyring (Secret Service), manages app
 passwords, and hands a valid token to tools: a7desktop token.
EOF
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' \
  | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

mkdir -p dist
rm -f "$deb"
dpkg-deb --root-owner-group -Zxz -z6 --build "$stage" "$deb" >/dev/null

size=$(stat -c %s "$deb")
echo "built $deb: $(( size / 1024 / 1024 )) MiB ($size bytes)," \
  "installed $(( installed_kib / 1024 )) MiB, in $(( $(date +%s) - started )) s"
