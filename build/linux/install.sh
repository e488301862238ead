#!/bin/sh
# Installs YouTube Summarizer from the release archive: the ytsum binary, its
# menu entry (ytsum.desktop) and icons, and registers it as the handler of
# ytsum:// links.
#
#   ./install.sh                 as a user: into ~/.local; as root: into /usr/local
#   ./install.sh --user          into ~/.local (no root needed)
#   ./install.sh --system        into /usr/local (needs root)
#   ./install.sh --prefix DIR    into DIR/bin, DIR/share/...
#   ./install.sh --uninstall     removes what the same options installed
#
# Needs the GTK 3 and WebKitGTK 4.1 runtime libraries (Debian/Ubuntu:
# apt install libgtk-3-0 libwebkit2gtk-4.1-0).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
mode=
prefix=
uninstall=0
while [ $# -gt 0 ]; do
	case $1 in
	--user) mode=user ;;
	--system) mode=system ;;
	--prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }; prefix=$2; shift ;;
	--prefix=*) prefix=${1#--prefix=} ;;
	--uninstall) uninstall=1 ;;
	-h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "install.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done
if [ -z "$mode" ]; then
	if [ "$(id -u)" = 0 ]; then mode=system; else mode=user; fi
fi
if [ -z "$prefix" ]; then
	if [ "$mode" = system ]; then prefix=/usr/local; else prefix=$HOME/.local; fi
fi
if [ "$mode" = user ]; then
	datadir=${XDG_DATA_HOME:-$HOME/.local/share}
	[ "$prefix" = "$HOME/.local" ] || datadir=$prefix/share
else
	datadir=$prefix/share
fi
bindir=$prefix/bin
appdir=$datadir/applications
icondir=$datadir/icons/hicolor

refresh() {
	if command -v update-desktop-database >/dev/null 2>&1; then
		update-desktop-database -q "$appdir" 2>/dev/null || true
	fi
	if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -d "$icondir" ]; then
		gtk-update-icon-cache -q -t -f "$icondir" 2>/dev/null || true
	fi
}

if [ "$uninstall" = 1 ]; then
	rm -f "$bindir/ytsum" "$appdir/ytsum.desktop"
	rm -f "$icondir"/*/apps/ytsum.png
	rmdir "$icondir"/*/apps "$icondir"/* 2>/dev/null || true   # only the empty ones
	refresh
	echo "Removed ytsum from $prefix. Your library stays in the data folder (see README: YTSUM_DATA_DIR)."
	exit 0
fi

[ -x "$here/ytsum" ] || { echo "install.sh: run me from the unpacked release folder (ytsum not found beside me)" >&2; exit 1; }
mkdir -p "$bindir" "$appdir" 2>/dev/null || {
	echo "install.sh: cannot write to $prefix; use --user, or run as root for --system" >&2
	exit 1
}

install -m 0755 "$here/ytsum" "$bindir/ytsum"
# The menu entry names the binary by its full path, so it works even when
# $bindir is not on PATH (often the case for ~/.local/bin).
sed -e "s|^Exec=ytsum |Exec=$bindir/ytsum |" -e "s|^TryExec=ytsum\$|TryExec=$bindir/ytsum|" \
	"$here/ytsum.desktop" >"$appdir/ytsum.desktop"
chmod 0644 "$appdir/ytsum.desktop"
for png in "$here"/icons/hicolor/*/apps/ytsum.png; do
	size=$(basename "$(dirname "$(dirname "$png")")")
	mkdir -p "$icondir/$size/apps"
	install -m 0644 "$png" "$icondir/$size/apps/ytsum.png"
done
refresh

# ytsum:// links: the .desktop file declares MimeType=x-scheme-handler/ytsum;
# make it the default handler for this user.
if [ "$mode" = user ] && command -v xdg-mime >/dev/null 2>&1; then
	xdg-mime default ytsum.desktop x-scheme-handler/ytsum || true
fi

echo "Installed ytsum into $bindir, its menu entry and icons into $datadir."
case ":$PATH:" in
*":$bindir:"*) ;;
*) echo "Note: $bindir is not on your PATH; add it to run 'ytsum' from a terminal." ;;
esac
if [ "$mode" = system ]; then
	echo "Each user can make it the handler of ytsum:// links with: xdg-mime default ytsum.desktop x-scheme-handler/ytsum"
fi
