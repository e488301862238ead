// Command ytsum is YouTube Summarizer: a desktop window (default), a headless
// localhost HTTP server (`ytsum serve`), a one-shot CLI (`ytsum summarize`)
// and an importer for the original app's cache (`ytsum import`).
//
// This file is wiring only: it parses the mode and its flags, opens the
// services, and hands over to Wails, the HTTP server or the CLI.
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"ytsum/backend/ytsum"
)

//go:embed all:frontend/dist
var assets embed.FS

// version is set at release time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

const usage = `YouTube Summarizer %s

Usage:
  ytsum [--http ADDR] [URL...]          open the desktop window (URLs are submitted)
  ytsum serve [--addr 127.0.0.1:5001]   headless: HTTP API and web UI, no window
  ytsum summarize [--model KEY] [--style S] [--length L] [--language LANG] [--playlist] [--limit N] [--json] URL...
                                        summarize once; results on stdout, progress on stderr
                                        (--limit: how many of a channel's newest videos)
  ytsum doctor [--json] URL             explain where a video's transcript comes from (sources, tracks, choice)
  ytsum import PATH                     import the original app's summary_cache.json (and audio_cache/)
  ytsum version                         print the version

Environment variables (YTSUM_DATA_DIR, GEMINI_API_KEY, OPENAI_API_KEY, ...) are described in the README.
`

// exitUsage is the exit status for bad usage, as API.md §1 requires.
const exitUsage = 2

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a mode and returns the process exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			return serveMain(args[1:], stdout, stderr)
		case "summarize":
			return summarizeMain(args[1:], stdout, stderr)
		case "import":
			return importMain(args[1:], stdout, stderr)
		case "doctor":
			return doctorMain(args[1:], stdout, stderr)
		case "version", "--version", "-version":
			fmt.Fprintln(stdout, "ytsum", version)
			return 0
		case "help", "-h", "--help", "-help":
			fmt.Fprintf(stdout, usage, version)
			return 0
		}
	}
	return desktopMain(args, stdout, stderr)
}

// newFlagSet returns a flag set that reports errors in one line and never exits.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// usageError prints a one-line explanation and returns exitUsage.
func usageError(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "ytsum: "+format+"\n", args...)
	fmt.Fprintln(stderr, "Run 'ytsum help' for usage.")
	return exitUsage
}

// parseFlags parses args into fs; -h prints usage.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (ok bool, code int) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stdout, usage, version)
			return false, 0
		}
		return false, usageError(stderr, "%s: %v", fs.Name(), err)
	}
	return true, 0
}

// withServices opens the shared services (reporting a failure in one line),
// runs fn until it returns or SIGINT/SIGTERM cancels its context, and closes
// them. The one-shot commands log only errors, so their stderr stays readable.
func withServices(stderr io.Writer, level slog.Level, fn func(context.Context, *Backend) int) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	svc, err := openBackend(ctx, backendOptions{Version: version, Stderr: stderr, UI: uiFS(), LogLevel: level})
	if err != nil {
		fmt.Fprintf(stderr, "ytsum: %s\n", Sentence(err))
		return 1
	}
	defer svc.Close()
	for _, n := range svc.Notices() {
		fmt.Fprintf(stderr, "ytsum: %s\n", n)
	}
	return fn(ctx, svc)
}

func uiFS() fs.FS {
	sub, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

func serveMain(args []string, stdout, stderr io.Writer) int {
	fl := newFlagSet("serve", stderr)
	addr := fl.String("addr", "", "address to listen on (default: the saved setting, 127.0.0.1:5001)")
	if ok, code := parseFlags(fl, args, stdout, stderr); !ok {
		return code
	}
	if fl.NArg() > 0 {
		return usageError(stderr, "serve: unexpected argument %q", fl.Arg(0))
	}
	return withServices(stderr, slog.LevelInfo, func(ctx context.Context, svc *Backend) int {
		return serve(ctx, svc, *addr, stdout, stderr)
	})
}

// serve runs the HTTP API until ctx ends (SIGINT/SIGTERM), then drains.
func serve(ctx context.Context, svc *Backend, addr string, stdout, stderr io.Writer) int {
	err := svc.Serve(ctx, addr, func(url string) {
		svc.StartSubscriptions(nil) // followed channels are checked while serving (a log line per find)
		fmt.Fprintf(stdout, "listening on %s\n", url)
		if f, ok := stdout.(*os.File); ok {
			f.Sync()
		}
	})
	if err != nil {
		fmt.Fprintf(stderr, "ytsum: %s\n", Sentence(err))
		if ytsum.ErrorKind(err) == "bad_address" {
			return exitUsage // a malformed --addr is bad usage
		}
		return 1
	}
	return 0
}

func summarizeMain(args []string, stdout, stderr io.Writer) int {
	fl := newFlagSet("summarize", stderr)
	var req CLIRequest
	fl.StringVar(&req.Model, "model", "", "model key (default: the saved default)")
	fl.StringVar(&req.Style, "style", "", "audio, key_points, chapters, detailed or custom")
	fl.StringVar(&req.Length, "length", "", "short, medium or long")
	fl.StringVar(&req.Language, "language", "", "output language code, or 'same'")
	fl.BoolVar(&req.PreferPlaylist, "playlist", false, "summarize the whole playlist of a link that has both a video and a playlist")
	fl.BoolVar(&req.Regenerate, "regenerate", false, "ignore cached summaries")
	fl.BoolVar(&req.JSON, "json", false, "print the result items as a JSON array")
	fl.IntVar(&req.Limit, "limit", 0, "how many of a channel link's newest videos to summarize, 1-500 (default: the saved setting, 10)")
	ordered, err := interleave(args, "json", "playlist", "regenerate")
	if err != nil {
		return usageError(stderr, "summarize: %v", err)
	}
	if ok, code := parseFlags(fl, ordered, stdout, stderr); !ok {
		return code
	}
	if req.Limit < 0 || req.Limit > 500 {
		return usageError(stderr, "summarize: --limit is a number from 1 to 500")
	}
	req.URLs = fl.Args()
	if len(req.URLs) == 0 {
		return usageError(stderr, "summarize: give at least one YouTube link")
	}
	return withServices(stderr, slog.LevelError, func(ctx context.Context, svc *Backend) int {
		return svc.SummarizeCLI(ctx, req, stdout, stderr)
	})
}

// interleave moves flags that follow positional arguments in front of them,
// so `ytsum summarize URL --json` works like `ytsum summarize --json URL`.
// boolFlags names the flags that take no value. A flag that needs a value
// but ends the list is an error.
func interleave(args []string, boolFlags ...string) ([]string, error) {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			isBool := strings.Contains(name, "=") || name == "h" || name == "help"
			for _, b := range boolFlags {
				isBool = isBool || name == b
			}
			if !isBool {
				if i+1 >= len(args) {
					return nil, fmt.Errorf("flag needs an argument: %s", a)
				}
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		rest = append(rest, a)
	}
	return append(flags, rest...), nil
}

// doctorMain is `ytsum doctor [--json] URL`: exit 0 when a transcript was
// found, 1 when none was, 2 on bad usage (API.md §1).
func doctorMain(args []string, stdout, stderr io.Writer) int {
	fl := newFlagSet("doctor", stderr)
	asJSON := fl.Bool("json", false, "print the diagnosis as JSON (the answer of POST /diagnose)")
	ordered, err := interleave(args, "json")
	if err != nil {
		return usageError(stderr, "doctor: %v", err)
	}
	if ok, code := parseFlags(fl, ordered, stdout, stderr); !ok {
		return code
	}
	if fl.NArg() != 1 {
		return usageError(stderr, "doctor: give one YouTube video link")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	svc, closeFn, err := openDoctorBackend(ctx, backendOptions{Version: version, Stderr: stderr, LogLevel: slog.LevelError})
	if err != nil {
		fmt.Fprintf(stderr, "ytsum: %s\n", Sentence(err))
		return 1
	}
	defer closeFn()
	return svc.DoctorCLI(ctx, fl.Arg(0), *asJSON, stdout, stderr)
}

// openDoctorBackend opens the backend for `ytsum doctor`. The diagnosis
// needs no library, so while the window or `ytsum serve` holds it (the
// database is locked), doctor runs on an empty, temporary data folder with
// the default YouTube settings and says so on stderr, instead of failing
// with "already running". The returned function closes the backend and
// removes that folder.
func openDoctorBackend(ctx context.Context, opts backendOptions) (*Backend, func(), error) {
	svc, err := openBackend(ctx, opts)
	if err == nil {
		return svc, func() { svc.Close() }, nil
	}
	if ytsum.ErrorKind(err) != "already_running" {
		return nil, nil, err
	}
	dir, derr := os.MkdirTemp("", "ytsum-doctor-")
	if derr != nil {
		return nil, nil, err
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.LookupEnv
	}
	opts.Getenv = func(k string) (string, bool) {
		if k == "YTSUM_DATA_DIR" {
			return dir, true
		}
		return getenv(k)
	}
	svc, err = openBackend(ctx, opts)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	out := opts.Stderr
	if out == nil {
		out = os.Stderr
	}
	fmt.Fprintln(out, "ytsum: the app is running and holds your library, so doctor uses the default YouTube settings (transcript languages, player clients), not your saved ones.")
	return svc, func() { svc.Close(); os.RemoveAll(dir) }, nil
}

func importMain(args []string, stdout, stderr io.Writer) int {
	fl := newFlagSet("import", stderr)
	if ok, code := parseFlags(fl, args, stdout, stderr); !ok {
		return code
	}
	if fl.NArg() != 1 {
		return usageError(stderr, "import: give the path of the original app's summary_cache.json (or its folder)")
	}
	return withServices(stderr, slog.LevelError, func(ctx context.Context, svc *Backend) int {
		return svc.ImportCLI(ctx, fl.Arg(0), stdout, stderr)
	})
}

func desktopMain(args []string, stdout, stderr io.Writer) int {
	fl := newFlagSet("ytsum", stderr)
	httpAddr := fl.String("http", "", "also serve the HTTP API on this address (e.g. 127.0.0.1:5001)")
	if ok, code := parseFlags(fl, args, stdout, stderr); !ok {
		return code
	}
	if bindingsBuild {
		return writeBindings(stderr)
	}
	if runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		fmt.Fprintln(stderr, "ytsum: no display found (DISPLAY and WAYLAND_DISPLAY are unset); run 'ytsum serve' for the headless server, or start the window from a desktop session.")
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	svc, err := openBackend(ctx, backendOptions{Version: version, Stderr: stderr, UI: uiFS()})
	if err != nil {
		if ytsum.ErrorKind(err) == "already_running" {
			// Another window (or `ytsum serve`) holds the library: hand the
			// links to the running window, or say why none opens.
			if err := handOff(uiFS(), Sentence(err)); err != nil {
				fmt.Fprintf(stderr, "ytsum: %s\n", Sentence(err))
			}
			return 1
		}
		fmt.Fprintf(stderr, "ytsum: %s\n", Sentence(err))
		return 1
	}
	for _, n := range svc.Notices() {
		fmt.Fprintf(stderr, "ytsum: %s\n", n)
	}
	defer svc.Close()
	app := NewApp(ctx, svc, fl.Args())
	if err := app.run(ctx, uiFS(), *httpAddr); err != nil {
		fmt.Fprintf(stderr, "ytsum: %s\n", Sentence(err))
		return 1
	}
	return 0
}
