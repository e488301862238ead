// Package discover finds local LLM servers by themselves: it probes the
// usual addresses on loopback — Ollama (127.0.0.1:11434: GET /api/tags, and
// POST /api/show for each model's context length), LM Studio
// (127.0.0.1:1234: GET /v1/models, and GET /api/v0/models for context
// lengths) and llama.cpp's server (127.0.0.1:8080: GET /v1/models and GET
// /props) — plus any addresses the user adds, all concurrently and each
// within a short deadline, and keeps the answer for a minute.
//
// Every server found is used through its OpenAI-compatible API at
// Server.BaseURL (".../v1"), with no key. A server that stops answering is
// reported as down (Server.Up false, with one sentence in Server.Problem) and
// logged once when it goes down and once when it comes back, never on every
// probe.
//
// A Discoverer is safe for concurrent use; concurrent callers share one
// round of probes.
package discover

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kinds of server.
const (
	KindOllama   = "ollama"
	KindLMStudio = "lmstudio"
	KindLlamaCpp = "llamacpp"
	KindOpenAI   = "openai-compatible" // an added address that is not Ollama
)

// Well-known loopback addresses probed when discovery is on.
var wellKnown = []struct{ kind, addr string }{
	{KindOllama, "http://127.0.0.1:11434"},
	{KindLMStudio, "http://127.0.0.1:1234"},
	{KindLlamaCpp, "http://127.0.0.1:8080"},
}

// OllamaDefaultContext is the context Ollama gives a model whose Modelfile
// sets no num_ctx (its default on machines with less than 24 GiB of VRAM).
const OllamaDefaultContext = 4096

// Server is one local LLM server and what it offers.
type Server struct {
	// ID is the prefix of its models' keys: "ollama", "lmstudio",
	// "llamacpp", or the host:port of an added address.
	ID string
	// Kind is one of the Kind constants.
	Kind string
	// Name is the provider name shown to people: "Ollama", "LM Studio",
	// "llama.cpp", or "Local server (host:port)".
	Name string
	// BaseURL is its OpenAI-compatible base URL, ending in /v1.
	BaseURL string
	// Up is true when the last probe got a model listing.
	Up bool
	// Problem is one sentence on why it is down; "" when up.
	Problem string
	// Models are its models (the last known ones when it is down).
	Models []Model
}

// Model is one model of a server.
type Model struct {
	// ID is the server's name for it ("llama3.2:3b").
	ID string
	// ContextTokens is the context the server runs it with, when the server
	// says (Ollama: num_ctx of its parameters, else OllamaDefaultContext
	// capped by the model's own context_length); 0 when unknown.
	ContextTokens int
}

// Key returns the model key a request names: ID/model.
func (s Server) Key(model string) string { return s.ID + "/" + model }

// Options configure a Discoverer. Funcs are read on every probe, so changed
// settings apply at the next one.
type Options struct {
	// Enabled reports whether the well-known addresses are probed; nil means
	// yes. Added addresses are probed whatever it says.
	Enabled func() bool
	// Addresses returns other servers to probe: "host:port" or a URL, with or
	// without /v1.
	Addresses func() []string
	// HTTPClient makes the probes; nil means a plain client. Deadlines come
	// from Timeout.
	HTTPClient *http.Client
	// Timeout bounds the probes of one server; 0 means 1.5 seconds.
	Timeout time.Duration
	// TTL is how long a round of probes is kept; 0 means a minute.
	TTL time.Duration
	// Logger records servers going down and coming back; nil means none.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// WellKnown replaces well-known addresses by kind ("ollama" →
	// "http://127.0.0.1:40123"); an empty address skips that kind. For tests.
	WellKnown map[string]string
}

// Discoverer probes for local servers. Create it with New.
type Discoverer struct {
	opts Options
	http *http.Client

	probeMu sync.Mutex // one round of probes at a time
	mu      sync.Mutex // guards the fields below
	servers []Server
	probed  time.Time
	config  string          // the settings the last round was made with
	known   map[string]bool // servers seen up, for logging transitions
}

// New returns a Discoverer. It makes no network call.
func New(opts Options) *Discoverer {
	if opts.Timeout <= 0 {
		opts.Timeout = 1500 * time.Millisecond
	}
	if opts.TTL <= 0 {
		opts.TTL = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := opts.HTTPClient
	if c == nil {
		c = &http.Client{}
	}
	return &Discoverer{opts: opts, http: c, known: map[string]bool{}}
}

// Servers returns the servers of the last round of probes, probing again
// first when that round is older than the TTL or the settings changed.
// It returns within about Options.Timeout (or when ctx ends, with what is
// known). Servers that were never up are left out; servers that went down
// stay, with Up false.
func (d *Discoverer) Servers(ctx context.Context) []Server {
	d.probeMu.Lock()
	defer d.probeMu.Unlock()
	targets, config := d.targets()
	d.mu.Lock()
	fresh := !d.probed.IsZero() && d.opts.Now().Sub(d.probed) < d.opts.TTL && d.config == config
	d.mu.Unlock()
	if !fresh {
		d.probe(ctx, targets, config)
	}
	return d.Cached()
}

// Refresh probes now, whatever the age of the last round, and returns the
// servers as Servers does.
func (d *Discoverer) Refresh(ctx context.Context) []Server {
	d.probeMu.Lock()
	defer d.probeMu.Unlock()
	targets, config := d.targets()
	d.probe(ctx, targets, config)
	return d.Cached()
}

// Cached returns the servers of the last round of probes without probing.
func (d *Discoverer) Cached() []Server {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Server, len(d.servers))
	for i, s := range d.servers {
		s.Models = slices.Clone(s.Models)
		out[i] = s
	}
	return out
}

// MarkDown records that a server (by ID) stopped answering during a call,
// so it shows as unavailable until the next probe finds it again.
func (d *Discoverer) MarkDown(id, problem string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range d.servers {
		if d.servers[i].ID == id && d.servers[i].Up {
			d.servers[i].Up, d.servers[i].Problem = false, problem
			d.transitionLocked(d.servers[i])
		}
	}
}

type target struct {
	kind, id, name, base string // base: scheme://host:port
}

func (d *Discoverer) targets() ([]target, string) {
	var out []target
	enabled := d.opts.Enabled == nil || d.opts.Enabled()
	if enabled {
		for _, w := range wellKnown {
			addr := w.addr
			if a, ok := d.opts.WellKnown[w.kind]; ok {
				addr = a
			}
			if addr == "" {
				continue
			}
			out = append(out, target{kind: w.kind, id: w.kind, name: kindName(w.kind, ""), base: addr})
		}
	}
	if d.opts.Addresses != nil {
		for _, a := range d.opts.Addresses() {
			base, host, ok := normalize(a)
			if !ok || slices.ContainsFunc(out, func(t target) bool { return t.base == base }) {
				continue
			}
			out = append(out, target{kind: "", id: host, base: base})
		}
	}
	var cfg strings.Builder
	for _, t := range out {
		cfg.WriteString(t.id + "=" + t.base + ";")
	}
	return out, cfg.String()
}

// normalize turns "host:port", "http://host:port" or ".../v1" into a base
// URL without path, and its host:port.
func normalize(a string) (base, host string, ok bool) {
	a = strings.TrimSpace(a)
	if a == "" {
		return "", "", false
	}
	if !strings.Contains(a, "://") {
		a = "http://" + a
	}
	u, err := url.Parse(a)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", "", false
	}
	return u.Scheme + "://" + u.Host, u.Host, true
}

func kindName(kind, host string) string {
	switch kind {
	case KindOllama:
		return "Ollama"
	case KindLMStudio:
		return "LM Studio"
	case KindLlamaCpp:
		return "llama.cpp"
	}
	return "Local server (" + host + ")"
}

// probe runs one round: every target concurrently, each within Timeout.
func (d *Discoverer) probe(ctx context.Context, targets []target, config string) {
	results := make([]Server, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
			defer cancel()
			results[i] = d.probeOne(pctx, t)
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return // the caller gave up: what the probes saw says nothing about the servers
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	prev := map[string]Server{}
	for _, s := range d.servers {
		prev[s.ID] = s
	}
	var out []Server
	for _, s := range results {
		if !s.Up {
			p, seen := prev[s.ID]
			if !seen && !d.known[s.ID] {
				continue // never found: nothing to show
			}
			if seen {
				s.Models = p.Models // keep the last known models, unavailable
				if s.Kind == "" {
					s.Kind, s.Name = p.Kind, p.Name
				}
			}
		}
		d.transitionLocked(s)
		out = append(out, s)
	}
	d.servers, d.probed, d.config = out, d.opts.Now(), config
}

// transitionLocked logs a server going down or coming back, once each.
func (d *Discoverer) transitionLocked(s Server) {
	was, seen := d.known[s.ID]
	d.known[s.ID] = s.Up
	if d.opts.Logger == nil || seen && was == s.Up {
		return
	}
	if s.Up {
		d.opts.Logger.Info("local LLM server found", "server", s.Name, "url", s.BaseURL, "models", len(s.Models))
	} else if seen {
		d.opts.Logger.Warn("local LLM server stopped answering", "server", s.Name, "problem", s.Problem)
	}
}

func (d *Discoverer) probeOne(ctx context.Context, t target) Server {
	host := strings.TrimPrefix(strings.TrimPrefix(t.base, "http://"), "https://")
	s := Server{ID: t.id, Kind: t.kind, Name: t.name, BaseURL: t.base + "/v1"}
	kind := t.kind
	var err error
	switch kind {
	case KindOllama:
		s.Models, err = d.ollama(ctx, t.base)
	case KindLMStudio, KindLlamaCpp:
		s.Models, err = d.openAI(ctx, t.base, kind)
	default: // an added address: Ollama, or any OpenAI-compatible server
		if s.Models, err = d.ollama(ctx, t.base); err == nil {
			kind = KindOllama
		} else if s.Models, err = d.openAI(ctx, t.base, ""); err == nil {
			kind = KindOpenAI
		}
		if err == nil {
			s.Kind = kind
			s.Name = kindName(kind, host)
			if kind == KindOllama {
				s.Name = "Ollama (" + host + ")"
			}
		} else {
			s.Name = kindName("", host)
		}
	}
	if err != nil {
		s.Up, s.Problem = false, problem(s.Name, host, err)
		return s
	}
	s.Up = true
	return s
}

// problem is one sentence on why a server is down.
func problem(name, host string, err error) string {
	var ne net.Error
	switch {
	case strings.Contains(err.Error(), "connection refused"):
		return fmt.Sprintf("%s is not running at %s.", name, host)
	case errors.As(err, &ne) && ne.Timeout(), strings.Contains(err.Error(), "deadline exceeded"):
		return fmt.Sprintf("%s at %s did not answer in time.", name, host)
	}
	return fmt.Sprintf("%s at %s gave an answer that is not a model list.", name, host)
}

// get fetches base+path into v (JSON), or posts body when body is non-nil.
func (d *Discoverer) get(ctx context.Context, method, u string, body any, v any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := d.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return fmt.Errorf("%s %s: status %d", method, u, resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(v); err != nil {
		return fmt.Errorf("%s %s: %w", method, u, err)
	}
	return nil
}

// Ollama's /api/tags and /api/show answers (the parts read here).
type ollamaTags struct {
	Models *[]struct {
		Name  string `json:"name"`
		Model string `json:"model"`
	} `json:"models"`
}

type ollamaShow struct {
	Parameters   string         `json:"parameters"`
	ModelInfo    map[string]any `json:"model_info"`
	Capabilities []string       `json:"capabilities"`
}

// ollama lists an Ollama server's models (GET /api/tags) and asks each one's
// context (POST /api/show, with "name" as well as "model" for older
// versions), concurrently. Embedding-only models are left out.
func (d *Discoverer) ollama(ctx context.Context, base string) ([]Model, error) {
	var tags ollamaTags
	if err := d.get(ctx, http.MethodGet, base+"/api/tags", nil, &tags); err != nil {
		return nil, err
	}
	if tags.Models == nil {
		return nil, fmt.Errorf("GET %s/api/tags: no models field", base)
	}
	out := make([]Model, len(*tags.Models))
	keep := make([]bool, len(out))
	var wg sync.WaitGroup
	for i, m := range *tags.Models {
		name := m.Name
		if name == "" {
			name = m.Model
		}
		out[i].ID = name
		keep[i] = name != ""
		wg.Add(1)
		go func() {
			defer wg.Done()
			var show ollamaShow
			if d.get(ctx, http.MethodPost, base+"/api/show", map[string]string{"model": name, "name": name}, &show) != nil {
				return
			}
			if len(show.Capabilities) > 0 && !slices.Contains(show.Capabilities, "completion") {
				keep[i] = false // an embedding model
				return
			}
			out[i].ContextTokens = ollamaContext(show)
		}()
	}
	wg.Wait()
	var models []Model
	for i, m := range out {
		if keep[i] {
			models = append(models, m)
		}
	}
	return models, nil
}

// ollamaContext is the context Ollama runs a model with: num_ctx of its
// parameters when set, else Ollama's default, at most the model's own
// context_length (model_info "<architecture>.context_length").
func ollamaContext(show ollamaShow) int {
	trained := 0
	for k, v := range show.ModelInfo {
		if strings.HasSuffix(k, ".context_length") {
			if f, ok := v.(float64); ok {
				trained = int(f)
			}
		}
	}
	n := OllamaDefaultContext
	for _, line := range strings.Split(show.Parameters, "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "num_ctx" {
			if v, err := strconv.Atoi(f[1]); err == nil && v > 0 {
				n = v
			}
		}
	}
	if trained > 0 && trained < n {
		n = trained
	}
	return n
}

// The OpenAI-compatible /v1/models answer, with llama.cpp's meta and LM
// Studio's /api/v0/models fields.
type openAIModels struct {
	Data *[]struct {
		ID   string `json:"id"`
		Meta *struct {
			NCtxTrain int `json:"n_ctx_train"`
		} `json:"meta"`
	} `json:"data"`
}

type lmStudioModels struct {
	Data []struct {
		ID                  string `json:"id"`
		Type                string `json:"type"`
		MaxContextLength    int    `json:"max_context_length"`
		LoadedContextLength int    `json:"loaded_context_length"`
	} `json:"data"`
}

type llamaProps struct {
	Settings struct {
		NCtx int `json:"n_ctx"`
	} `json:"default_generation_settings"`
}

// openAI lists the models of GET /v1/models, with context lengths from LM
// Studio's /api/v0/models or llama.cpp's /props when the server has them.
func (d *Discoverer) openAI(ctx context.Context, base, kind string) ([]Model, error) {
	var list openAIModels
	if err := d.get(ctx, http.MethodGet, base+"/v1/models", nil, &list); err != nil {
		return nil, err
	}
	if list.Data == nil {
		return nil, fmt.Errorf("GET %s/v1/models: no data field", base)
	}
	var models []Model
	for _, m := range *list.Data {
		if m.ID == "" || strings.Contains(strings.ToLower(m.ID), "embed") {
			continue
		}
		mm := Model{ID: m.ID}
		if m.Meta != nil {
			mm.ContextTokens = m.Meta.NCtxTrain
		}
		models = append(models, mm)
	}
	switch kind {
	case KindLMStudio:
		var lm lmStudioModels
		if d.get(ctx, http.MethodGet, base+"/api/v0/models", nil, &lm) == nil {
			ctxOf := map[string]int{}
			for _, m := range lm.Data {
				n := m.LoadedContextLength
				if n == 0 {
					n = m.MaxContextLength
				}
				if m.Type == "embeddings" {
					n = -1
				}
				ctxOf[m.ID] = n
			}
			models = slices.DeleteFunc(models, func(m Model) bool { return ctxOf[m.ID] < 0 })
			for i := range models {
				models[i].ContextTokens = max(ctxOf[models[i].ID], 0)
			}
		}
	case KindLlamaCpp:
		var p llamaProps
		if d.get(ctx, http.MethodGet, base+"/props", nil, &p) == nil && p.Settings.NCtx > 0 {
			for i := range models {
				models[i].ContextTokens = p.Settings.NCtx
			}
		}
	}
	return models, nil
}
