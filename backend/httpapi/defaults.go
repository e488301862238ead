package httpapi

import (
	"context"

	"ytsum/backend/summarize"
	"ytsum/backend/summarize/discover"
)

// LocalServer is one local LLM server found on this machine (Ollama, LM
// Studio, llama.cpp, or an added address): "local_servers" of /api_status,
// shown in Settings.
type LocalServer struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	BaseURL string `json:"base_url"`
	Up      bool   `json:"up"`
	// Problem is one sentence on why it is down; "" when up.
	Problem string `json:"problem,omitempty"`
	Models  int    `json:"models"`
}

// serverLister is optionally implemented by the Models service
// (*summarize.Service): the local servers found by the last probe.
type serverLister interface {
	Servers() []discover.Server
}

// Defaults are the saved defaults a summarize request without them gets
// (the "defaults" of /api_status, API.md §5).
type Defaults struct {
	Style    string `json:"style"`
	Length   string `json:"length"`
	Language string `json:"language"`
}

// StatusDefaults are the settings /api_status reports for the front ends
// to start their forms from (Config.Defaults).
type StatusDefaults struct {
	Defaults
	// Theme is the UI theme setting ("system", "light", "dark").
	Theme string
}

// defaultModeler is optionally implemented by the Models service
// (*summarize.Service): the model a request without one gets.
type defaultModeler interface {
	DefaultModel(ctx context.Context) string
}

// engineNamer is optionally implemented by the Speech service
// (*tts.Service): "cloud", "offline" or "".
type engineNamer interface {
	Engine(ctx context.Context) string
}

// statusDefaults fills the members of st that say what a request without
// options gets: default_model, defaults, theme and tts_engine.
func (s *Server) statusDefaults(ctx context.Context, st *APIStatus) {
	st.DefaultModel = summarize.ModelLocal
	if dm, ok := s.svc.Models.(defaultModeler); ok && s.svc.Models != nil {
		if m := dm.DefaultModel(ctx); m != "" {
			st.DefaultModel = m
		}
	}
	if sl, ok := s.svc.Models.(serverLister); ok && s.svc.Models != nil {
		for _, srv := range sl.Servers() {
			st.LocalServers = append(st.LocalServers, LocalServer{ID: srv.ID, Name: srv.Name, BaseURL: srv.BaseURL,
				Up: srv.Up, Problem: srv.Problem, Models: len(srv.Models)})
		}
	}
	if s.cfg.Defaults != nil {
		d := s.cfg.Defaults()
		st.Defaults, st.Theme = d.Defaults, d.Theme
	}
	if en, ok := s.svc.Speech.(engineNamer); ok && s.svc.Speech != nil {
		st.TTSEngine = en.Engine(ctx)
	}
}
