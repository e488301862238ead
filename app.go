package main

import (
	"context"
	"encoding/json"
	"io/fs"
	"sync"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"ytsum/backend/services"
	"ytsum/backend/ytsum"
)

// App is the one Wails-bound facade of the desktop window: every method
// validates its input, calls the shared services and returns (T, error).
// It holds no logic of its own; errors reach the UI as {"error","code"}.
type App struct {
	svc  *services.Services
	args []string // links given on the command line

	mu  sync.Mutex
	ctx context.Context // the Wails context, set at startup
}

// NewApp returns the facade over svc; args are links to submit at start.
func NewApp(svc *services.Services, args []string) *App {
	return &App{svc: svc, args: args}
}

// Run opens the window and blocks until it is closed or ctx is done.
func (a *App) Run(ctx context.Context, ui fs.FS, httpAddr string) error {
	return wails.Run(&options.App{
		Title:            "YouTube Summarizer",
		Width:            1200,
		Height:           820,
		MinWidth:         800,
		MinHeight:        600,
		BackgroundColour: options.NewRGB(250, 250, 250),
		AssetServer:      &assetserver.Options{Assets: ui},
		OnStartup: func(wctx context.Context) {
			a.mu.Lock()
			a.ctx = wctx
			a.mu.Unlock()
			go func() {
				<-ctx.Done()
				wruntime.Quit(wctx)
			}()
		},
		Bind:           []any{a},
		ErrorFormatter: formatError,
		Linux:          &linux.Options{ProgramName: "ytsum"},
	})
}

// formatError turns a bound method's error into the API's error object.
func formatError(err error) any {
	return map[string]string{"error": ytsum.ErrorMessage(err), "code": string(ytsum.ErrorCode(err))}
}

// APIStatus returns what GET /api_status returns.
func (a *App) APIStatus() (json.RawMessage, error) {
	return json.Marshal(map[string]any{"version": version})
}
