#!/usr/bin/env bash
# Release packaging (`make dist`): turns the binaries that `make build` and
# `make build-windows` left in build/bin/ into the files of a release, in dist/:
#
#   ytsum-VERSION-linux-ARCH                the Linux binary on its own
#   ytsum-VERSION-linux-ARCH.tar.gz         binary, .desktop, hicolor icons, install.sh, README, LICENSE
#   ytsum_DEBVERSION_ARCH.deb               Debian/Ubuntu package (dpkg-deb --build)
#   ytsum-VERSION-windows-amd64.exe         the cross-compiled Windows binary
#   ytsum-VERSION-windows-amd64-installer.exe  only when makensis is installed
#   SHA256SUMS
#
# Usage: scripts/dist.sh [VERSION]   (the version build/bin/ytsum reports wins;
#                                     VERSION, then git describe, are fallbacks)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=build/bin/ytsum
EXE=build/bin/ytsum.exe
DIST=dist
ARCH=$(dpkg --print-architecture 2>/dev/null || go env GOARCH)

die() { echo "dist: $*" >&2; exit 1; }
[ -x "$BIN" ] || die "$BIN is missing; run 'make build' first (or 'make dist', which does)."
# The version the binary itself reports wins over the argument, so file
# names always match what `ytsum version` prints.
VERSION=$("$BIN" version 2>/dev/null | awk '{print $2}') || true
VERSION=${VERSION:-${1:-$(git describe --tags --always --dirty 2>/dev/null || echo 0.1.0-dev)}}
VERSION=${VERSION#v}
NAME=ytsum-$VERSION-linux-$ARCH
[ -f "$EXE" ] || die "$EXE is missing; run 'make build-windows' first (or 'make dist', which does)."
# The untagged stub build prints a warning and does nothing; refuse to ship it.
if strings "$BIN" 2>/dev/null | grep -q 'Wails applications will not build without the correct build tags'; then
	die "$BIN was built without the desktop,production tags; run 'make build'."
fi
if ! readelf -d "$BIN" 2>/dev/null | grep -q 'libwebkit2gtk-4.1'; then
	die "$BIN is not linked against WebKitGTK 4.1 (build it with -tags webkit2_41)."
fi

# A Debian version must start with a digit and sort like releases do:
#   1.2.0                    -> 1.2.0
#   1.2.0-4-gabc1234[-dirty] -> 1.2.0+4.gabc1234[.dirty]   (commits after a tag: later)
#   1.2.0-rc1 / 0.1.0-dev    -> 1.2.0~rc1 / 0.1.0~dev      (pre-releases: earlier)
#   abc1234[-dirty] (no tag) -> PRODUCT+git.abc1234[.dirty], PRODUCT from wails.json
product=$(sed -n 's/.*"productVersion": *"\([^"]*\)".*/\1/p' wails.json | head -1)
if [[ $VERSION =~ ^([0-9][^-]*)-([0-9]+)-g([0-9a-f]+)(-dirty)?$ ]]; then
	DEBVERSION=${BASH_REMATCH[1]}+${BASH_REMATCH[2]}.g${BASH_REMATCH[3]}${BASH_REMATCH[4]:+.dirty}
elif [[ $VERSION =~ ^[0-9]+\.[0-9]+ ]]; then
	DEBVERSION=${VERSION/-/\~}
else
	DEBVERSION=${product:-0.1.0}+git.$VERSION
fi
DEBVERSION=$(printf '%s' "$DEBVERSION" | tr -c 'A-Za-z0-9.+~\n' '.')   # no '-': no Debian revision
[[ $DEBVERSION =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || die "cannot make a Debian version out of '$VERSION'"

rm -rf "$DIST"
mkdir -p "$DIST"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# ------------------------------------------------------------ binaries ----
install -m 0755 "$BIN" "$DIST/$NAME"
install -m 0644 "$EXE" "$DIST/ytsum-$VERSION-windows-amd64.exe"

# ------------------------------------------------------------- tarball ----
t=$stage/tar/$NAME
mkdir -p "$t"
install -m 0755 "$BIN" "$t/ytsum"
install -m 0644 build/linux/ytsum.desktop "$t/ytsum.desktop"
for png in build/linux/icons/*/ytsum.png; do
	size=$(basename "$(dirname "$png")")
	install -D -m 0644 "$png" "$t/icons/hicolor/$size/apps/ytsum.png"
done
install -m 0755 build/linux/install.sh "$t/install.sh"
install -m 0644 README.md "$t/README.md"
install -m 0644 LICENSE "$t/LICENSE"
# Reproducible-ish: fixed owner, sorted names, the commit's time as mtime.
mtime=$(git log -1 --format=%cI 2>/dev/null || date -u +%FT%TZ)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="$mtime" \
	-C "$stage/tar" -czf "$DIST/$NAME.tar.gz" "$NAME"

# ----------------------------------------------------------------- deb ----
d=$stage/deb
install -D -m 0755 "$BIN" "$d/usr/bin/ytsum"
install -D -m 0644 build/linux/ytsum.desktop "$d/usr/share/applications/ytsum.desktop"
for png in build/linux/icons/*/ytsum.png; do
	size=$(basename "$(dirname "$png")")
	install -D -m 0644 "$png" "$d/usr/share/icons/hicolor/$size/apps/ytsum.png"
done
install -D -m 0644 README.md "$d/usr/share/doc/ytsum/README.md"
{
	echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
	echo "Upstream-Name: ytsum"
	echo
	echo "Files: *"
	echo "Copyright: YouTube Summarizer developers"
	echo "License: MIT"
	sed 's/^$/./; s/^/ /' LICENSE
} >"$d/usr/share/doc/ytsum/copyright"
chmod 0644 "$d/usr/share/doc/ytsum/copyright"

mkdir -p "$d/DEBIAN"
installed_kb=$(du -sk --exclude=DEBIAN "$d" | cut -f1)
cat >"$d/DEBIAN/control" <<EOF
Package: ytsum
Version: $DEBVERSION
Architecture: $ARCH
Maintainer: YouTube Summarizer developers <ytsum@users.noreply.github.com>
Installed-Size: $installed_kb
Depends: libc6 (>= 2.34), libgtk-3-0, libwebkit2gtk-4.1-0
Recommends: espeak-ng, lame
Suggests: gnome-keyring, yt-dlp
Section: video
Priority: optional
Description: summaries of YouTube videos and playlists
 YouTube Summarizer turns YouTube videos and whole playlists into summaries
 you can read, search offline and listen to. Paste links, watch the summaries
 being written, and keep everything in a local library. Works with Gemini,
 OpenAI or OpenAI-compatible servers (Ollama, LM Studio), or with a built-in
 offline summarizer. Also a headless HTTP API ("ytsum serve") and a CLI
 ("ytsum summarize"). Registers the ytsum:// link scheme.
EOF
# postinst/postrm: refresh the desktop database (ytsum:// handler) and the
# icon cache when the tools are there; never fail the installation for them.
for script in postinst postrm; do
	cat >"$d/DEBIAN/$script" <<'EOF'
#!/bin/sh
set -e
if command -v update-desktop-database >/dev/null 2>&1; then
	update-desktop-database -q /usr/share/applications || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f /usr/share/icons/hicolor/index.theme ]; then
	gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
fi
exit 0
EOF
	chmod 0755 "$d/DEBIAN/$script"
done
(cd "$d" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$d/DEBIAN/md5sums"
chmod 0644 "$d/DEBIAN/control" "$d/DEBIAN/md5sums"
DEB=ytsum_${DEBVERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$d" "$DIST/$DEB" >/dev/null

# ------------------------------------------- Windows installer (optional) ----
# wails builds the NSIS installer (which registers ytsum://) when makensis is
# on PATH: apt-get install nsis.
if command -v makensis >/dev/null 2>&1 && command -v wails >/dev/null 2>&1; then
	wails build -platform windows/amd64 -nsis -m -skipbindings -s -trimpath \
		-ldflags "-X main.version=$VERSION" -o ytsum.exe >"$stage/nsis.log" 2>&1 ||
		{ cat "$stage/nsis.log" >&2; die "the Windows installer could not be built"; }
	inst=$(ls -t build/bin/*installer*.exe 2>/dev/null | head -1)
	[ -n "$inst" ] && install -m 0644 "$inst" "$DIST/ytsum-$VERSION-windows-amd64-installer.exe"
else
	echo "dist: makensis not found: no Windows installer (apt-get install nsis to build one)"
fi

(cd "$DIST" && sha256sum -- * >SHA256SUMS)
echo "dist: version $VERSION (Debian $DEBVERSION) in $DIST/:"
ls -l "$DIST" | awk 'NR>1 {printf "  %-52s %10s bytes\n", $9, $5}'
