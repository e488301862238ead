#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked, throw-away
# GNOME keyring (a real Secret Service), leaving nothing behind in $HOME.
set -euo pipefail
# Keep the Go caches and settings where they are (read before HOME changes),
# so this step does not download or rebuild the world.
if command -v go >/dev/null; then
  export GOCACHE="$(go env GOCACHE)" GOMODCACHE="$(go env GOMODCACHE)" GOPATH="$(go env GOPATH)" GOFLAGS="$(go env GOFLAGS)"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
exec dbus-run-session -- bash -c 'echo -n ytsum-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"' bash "$@"
