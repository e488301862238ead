# YouTube Summarizer — build, run and test.
#
#   make run     install what is missing (Debian/Ubuntu), build, open the window
#   make test    install what is missing, then run every test
#
# Everything else is a step of those two; see `make help`.

SHELL        := /bin/bash
.SHELLFLAGS  := -eu -o pipefail -c
.DEFAULT_GOAL := help

export PATH := $(PATH):/usr/local/go/bin:$(shell go env GOPATH 2>/dev/null)/bin
export GOTOOLCHAIN := local

VERSION      := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0-dev)
WAILS_VERSION := v2.15.0
TAGS         := desktop,production,webkit2_41
LDFLAGS      := -w -s -X main.version=$(VERSION)
BIN          := build/bin/ytsum
OUT          := test-output

# Debian packages: GTK/WebKitGTK 4.1 to build the window; Xvfb, D-Bus, a
# keyring, xdotool and ImageMagick for the headless GUI tests; Chromium for the
# browser tests; espeak-ng and lame for the offline voice.
APT_PACKAGES := build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev \
	xvfb xauth dbus-x11 gnome-keyring libsecret-tools imagemagick x11-utils xdotool \
	chromium espeak-ng lame ca-certificates git curl

.PHONY: help run serve build build-windows test bench bench-smoke deps deps-apt deps-wails deps-npm \
	bindings frontend frontend-test go-test smoke-serve smoke-native e2e-browser e2e-native test-keychain e2e dist clean

help:
	@echo "make run            install what is missing, build, open the desktop window"
	@echo "make test           install what is missing, run every test"
	@echo "make serve          headless: HTTP API + web UI on http://127.0.0.1:5001"
	@echo "make build          release build of the desktop app -> $(BIN)"
	@echo "make build-windows  cross-compile ytsum.exe (GOOS=windows)"
	@echo "make bench          run the benchmark suite: every figure beside its target; fails on a miss"
	@echo "make bench-smoke    the reduced benchmark run CI does (targets widened 10x, < 60 s)"
	@echo "make dist           release archives"

# ---------------------------------------------------------------- set-up ----

deps: deps-apt deps-wails deps-npm

# Installs only the Debian packages that are missing (root or sudo needed then).
deps-apt:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing="$$missing nodejs npm"; fi; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

deps-wails:
	@if ! wails version 2>/dev/null | grep -q '$(WAILS_VERSION)'; then \
		echo "Installing the wails CLI $(WAILS_VERSION)"; \
		go install github.com/wailsapp/wails/v2/cmd/wails@$(WAILS_VERSION); \
	fi

deps-npm: frontend/node_modules/.package-lock.json

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# ----------------------------------------------------------------- build ----

# The window's TypeScript bindings (frontend/wailsjs, not kept in git),
# generated from app.go's bound methods and the Go types they use; the UI's
# build, tsc and vitest import them (src/lib/api/wails.ts), so they are made
# first, and again whenever a Go file changed.
BINDINGS     := frontend/wailsjs/go/main/App.d.ts
GO_SOURCES   := $(shell find . -name '*.go' -not -path './frontend/*' 2>/dev/null)

bindings: deps-wails $(BINDINGS)

$(BINDINGS): $(GO_SOURCES) go.mod
	wails generate module
	@touch $@

frontend: deps-npm bindings
	cd frontend && npm run build

build: deps frontend
	go build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) .
	@echo "built $(BIN)"

# The wails CLI cross-compiles (no cgo on Windows) and embeds the icon,
# manifest and version info of build/windows/.
build-windows: deps-wails frontend
	wails build -platform windows/amd64 -m -skipbindings -s -trimpath -ldflags "-X main.version=$(VERSION)" -o ytsum.exe
	GOOS=windows go vet ./...   # the tests too: they must build on Windows
	@echo "built build/bin/ytsum.exe"

run: build
	./$(BIN)

serve: deps-npm frontend
	go run . serve --addr 127.0.0.1:5001

# ----------------------------------------------------------------- tests ----

# step runs one make target and records its wall time in $(OUT)/timings.txt.
step = @s=$$(date +%s); $(MAKE) --no-print-directory $(1); echo "make test: $(1) took $$(( $$(date +%s) - s )) s" | tee -a $(OUT)/timings.txt

test: deps
	@mkdir -p $(OUT); : > $(OUT)/timings.txt
	$(call step,go-test)
	$(call step,bench-smoke)
	$(call step,frontend-test)
	$(call step,build)
	$(call step,build-windows)
	$(call step,test-keychain)
	$(call step,smoke-serve)
	$(call step,e2e-browser)
	$(call step,smoke-native)
	$(call step,e2e-native)
	@echo "make test: all steps passed"

go-test:
	go vet ./...
	go test -race -count=1 ./...
	CGO_ENABLED=0 go test -count=1 ./backend/...

# tsc over the real import of the generated bindings is the check that
# every call still fits its Go signature; then the vitest suites.
frontend-test: deps-npm bindings
	cd frontend && npx tsc --noEmit && npm test

# A real Secret Service on a private session bus (no prompts, temp keyring).
test-keychain:
	scripts/with-keyring.sh go test -count=1 -tags secretservice ./backend/keychain/

# `ytsum serve` with no display: first line, the page in headless Chromium, SIGTERM.
smoke-serve:
	scripts/smoke-serve.sh $(BIN) $(OUT)

# The real window under Xvfb: it must map, render and take a screenshot.
smoke-native:
	xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- scripts/smoke-native.sh $(BIN) $(OUT)

# The real `ytsum serve` against the fake YouTube (scripts/fakeupstream), driven
# in headless Chromium: playlist to 100 %, search, audio, delete, cancel, screenshots.
e2e-browser:
	scripts/e2e-browser.sh $(BIN) $(OUT) nokeys
	scripts/e2e-browser.sh $(BIN) $(OUT) gemini
	scripts/e2e-browser.sh $(BIN) $(OUT) openai

# The real window under Xvfb against the fake YouTube: type a link, Ctrl+Enter,
# the summary reaches the library and shows in the window.
e2e-native:
	xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- scripts/e2e-native.sh $(BIN) $(OUT) nokeys
	xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- scripts/e2e-native.sh $(BIN) $(OUT) gemini

# The full suite (minutes; the 5,000-video job and the window included).
bench:
	scripts/bench.sh full

# What CI runs on every submission (a step of `make test`): the same
# benchmarks, reduced, with every target widened 10x.
bench-smoke:
	scripts/bench.sh smoke

dist: build build-windows
	scripts/dist.sh $(VERSION)

clean:
	rm -rf build/bin dist $(OUT) frontend/dist/assets frontend/dist/index.html
