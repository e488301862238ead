package summarize

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"ytsum/backend/summarize/discover"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/summarize/openai"
	"ytsum/backend/ytsum"
)

// Deadlines of calls to discovered local servers: a server that hangs,
// stalls or streams forever is cut off with one sentence saying so.
const (
	serverFirstText   = 90 * time.Second // loading a model can take a while
	serverIdle        = 30 * time.Second
	serverMaxAnswer   = 200_000 // bytes; a summary is a few thousand
	serverConcurrency = 1       // a local machine runs one generation well
)

// Discover probes for local LLM servers now, unless a probe is under a
// minute old, and returns when it is done (within about a second and a
// half). Call it in a goroutine at start so the model list is ready when
// first opened; Models and DefaultModel(ctx) probe on their own as well.
func (s *Service) Discover(ctx context.Context) {
	s.disc.Servers(ctx)
}

// Servers returns the local LLM servers found by the last probe, without
// probing: for a status line or Settings ("Ollama at 127.0.0.1:11434: 3
// models", or its Problem when down).
func (s *Service) Servers() []discover.Server { return s.disc.Cached() }

// server returns the discovered server whose ID is provider.
func (s *Service) server(provider string) (discover.Server, bool) {
	for _, srv := range s.disc.Cached() {
		if srv.ID == provider {
			return srv, true
		}
	}
	return discover.Server{}, false
}

// serverModels lists the models of every discovered server, unavailable
// when their server is down.
func (s *Service) serverModels() []Model {
	var out []Model
	for _, srv := range s.disc.Cached() {
		for _, m := range srv.Models {
			out = append(out, Model{Key: srv.Key(m.ID), Provider: srv.ID, DisplayName: srv.Name + " · " + m.ID,
				Available: srv.Up, ContextTokens: m.ContextTokens})
		}
	}
	return out
}

// lookupServer resolves a key of a discovered server's model ("ollama/llama3.2:3b").
// known is false when the key names no discovered server.
func (s *Service) lookupServer(key string) (r resolved, known bool) {
	id, model, ok := strings.Cut(key, "/")
	if !ok {
		return resolved{}, false
	}
	srv, ok := s.server(id)
	if !ok {
		return resolved{}, false
	}
	for _, m := range srv.Models {
		if m.ID == model {
			return resolved{Model: Model{Key: key, Provider: srv.ID, DisplayName: srv.Name + " · " + m.ID,
				Available: srv.Up, ContextTokens: m.ContextTokens}, apiModel: model}, true
		}
	}
	return resolved{Model: Model{Key: key, Provider: srv.ID, DisplayName: srv.Name + " · " + model}, apiModel: model}, true
}

// serverKey reports whether key looks like a discovered server's model key:
// its prefix is a well-known kind, a host:port, or a server found now.
func (s *Service) serverKey(key string) bool {
	id, _, ok := strings.Cut(key, "/")
	if !ok {
		return false
	}
	switch id {
	case discover.KindOllama, discover.KindLMStudio, discover.KindLlamaCpp:
		return true
	}
	if _, port, err := net.SplitHostPort(id); err == nil && port != "" {
		return true // an added address, host:port
	}
	_, found := s.server(id)
	return found
}

// usableServerModel reports whether key is a model a discovered server that
// is up lists now.
func (s *Service) usableServerModel(key string) bool {
	r, known := s.lookupServer(key)
	return known && r.Available
}

// fallback returns the model a request for key gets, and a note when it is
// not key: a discovered server's model that is gone (the server stopped, or
// no longer has it) falls back to the default model.
func (s *Service) fallback(k apiKeys, key string) (string, string) {
	if !s.serverKey(key) || s.usableServerModel(key) {
		return key, ""
	}
	def := s.defaultModel(k)
	id, model, _ := strings.Cut(key, "/")
	name := id
	if srv, ok := s.server(id); ok {
		name = srv.Name
		if !srv.Up {
			return def, fmt.Sprintf("%s · %s is not available (%s), so %s made this summary instead.",
				srv.Name, model, strings.TrimSuffix(srv.Problem, "."), s.displayName(k, def))
		}
	}
	return def, fmt.Sprintf("%s no longer has the model %s, so %s made this summary instead.", name, model, s.displayName(k, def))
}

func (s *Service) displayName(k apiKeys, key string) string {
	if r, err := s.lookup(k, key); err == nil && r.DisplayName != "" {
		return r.DisplayName
	}
	return key
}

// firstServerModel returns the key of the first model of the first
// discovered server that is up ("" when none): Ollama, then LM Studio, then
// llama.cpp, then added addresses, each in its own listing order.
func (s *Service) firstServerModel() string {
	for _, srv := range s.disc.Cached() {
		if srv.Up && len(srv.Models) > 0 {
			return srv.Key(srv.Models[0].ID)
		}
	}
	return ""
}

// providerFor returns the provider of a resolved model: a built-in one, or
// an OpenAI-compatible client of the discovered server (made once per server
// address, with no key and the local deadlines).
func (s *Service) providerFor(name string) (Provider, error) {
	if p, ok := s.providers[name]; ok {
		return p, nil
	}
	srv, ok := s.server(name)
	if !ok {
		return nil, ytsum.Errorf(ytsum.CodeUnavailable, llm.KindOffline,
			"The local server %q is not running any more; start it again, or choose another model.", name)
	}
	s.provMu.Lock()
	defer s.provMu.Unlock()
	k := srv.ID + " " + srv.BaseURL
	if p, ok := s.servers[k]; ok {
		return p, nil
	}
	base := srv.BaseURL
	p := openai.New(openai.Options{
		BaseURL:          func() string { return base },
		HTTPClient:       s.opts.HTTPClient,
		ProviderName:     srv.ID,
		Who:              srv.Name + " at " + llm.Host(base),
		FirstTextTimeout: s.opts.ServerFirstText,
		IdleTimeout:      s.opts.ServerIdle,
		MaxAnswerBytes:   serverMaxAnswer,
	})
	s.servers[k] = p
	return p, nil
}

// limiterFor returns the concurrency limiter of a provider, made on first use.
func (s *Service) limiterFor(name string) *limiter {
	s.provMu.Lock()
	defer s.provMu.Unlock()
	l, ok := s.limits[name]
	if !ok {
		l = &limiter{size: func() int { return s.limit(name) }, recheck: time.Second}
		s.limits[name] = l
	}
	return l
}

// serverDown is called when a call to a discovered server found it gone, so
// the model list shows it unavailable at once.
func (s *Service) serverDown(provider string, err error) {
	if srv, ok := s.server(provider); ok && ytsum.ErrorKind(err) == llm.KindOffline {
		s.disc.MarkDown(provider, fmt.Sprintf("%s stopped answering at %s.", srv.Name, llm.Host(srv.BaseURL)))
	}
}
