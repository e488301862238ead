// Package services assembles the backend — store, YouTube client,
// summarizer, job engine, event broker, speech, settings — into the one set
// of services that both front doors (the desktop window in package main and
// the HTTP API) call. It holds wiring and adapters, no domain logic.
package services

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"ytsum/backend/ytsum"
)

// Options configure Open. Zero values are sensible defaults.
type Options struct {
	Version string
	// Stderr receives log lines (default os.Stderr).
	Stderr io.Writer
	// Getenv reads the environment (default os.LookupEnv); tests inject their own.
	Getenv func(string) (string, bool)
}

// Services is the assembled backend. Its methods are safe for concurrent use.
type Services struct {
	opts    Options
	log     *slog.Logger
	notices []string
}

// Open builds every service. The caller must Close it.
func Open(ctx context.Context, opts Options) (*Services, error) {
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	if opts.Getenv == nil {
		opts.Getenv = os.LookupEnv
	}
	s := &Services{opts: opts, log: slog.New(slog.NewTextHandler(opts.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	return s, nil
}

// Close releases everything Open acquired.
func (s *Services) Close() error { return nil }

// Notices are sentences for the user about what happened while opening
// (for example a corrupt database that was moved aside).
func (s *Services) Notices() []string { return s.notices }

// Logger is the shared structured logger.
func (s *Services) Logger() *slog.Logger { return s.log }

// Sentence returns the user-facing sentence for err.
func Sentence(err error) string {
	var e *ytsum.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// Serve runs the HTTP API and web UI on addr until ctx is done, then drains.
// onListen is called with the base URL once the listener is bound.
func (s *Services) Serve(ctx context.Context, addr string, ui fs.FS, onListen func(url string)) error {
	if addr == "" {
		addr = "127.0.0.1:5001"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(ui))
	mux.HandleFunc("GET /api_status", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"version": s.opts.Version})
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	onListen("http://" + ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// CLIRequest is what `ytsum summarize` was asked to do.
type CLIRequest struct {
	URLs                             []string
	Model, Style, Length, Language   string
	PreferPlaylist, Regenerate, JSON bool
}

// SummarizeCLI runs req through the job engine, progress on stderr and
// results on stdout, and returns the exit status of API.md §1.
func (s *Services) SummarizeCLI(ctx context.Context, req CLIRequest, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ytsum: summarize is not wired yet")
	return 1
}

// ImportCLI imports the original app's cache at path.
func (s *Services) ImportCLI(ctx context.Context, path string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ytsum: import is not wired yet")
	return 1
}
