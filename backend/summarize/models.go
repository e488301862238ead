package summarize

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"ytsum/backend/summarize/llm"
	"ytsum/backend/summarize/local"
	"ytsum/backend/summarize/openai"
	"ytsum/backend/ytsum"
)

// Model is one entry of the model registry that /api_status and the UI show.
// Its JSON is the /api_status shape: {"key","provider","display_name","available"}.
type Model struct {
	// Key is what a request names ("gemini-2.5-flash", "local", "llama3.2").
	Key string `json:"key"`
	// Provider is "google", "openai" or "local".
	Provider string `json:"provider"`
	// DisplayName is the human name.
	DisplayName string `json:"display_name"`
	// Available is true when the model can be used now: its provider is
	// configured and, when the provider's listing is known, the listing has it.
	Available bool `json:"available"`
	// ContextTokens is the input context window; 0 when unlimited or unknown.
	ContextTokens int `json:"-"`
}

// Default model keys.
const (
	ModelLocal          = local.Model
	ModelGeminiDefault  = "gemini-2.5-flash"
	ModelOpenAIDefault  = "gpt-5-mini"
	geminiDefaultWindow = 1_048_576
)

// builtin are the original app's model keys; they stay valid request keys.
var builtin = []Model{
	{Key: "gemini-2.5-flash", Provider: llm.ProviderGoogle, DisplayName: "Gemini 2.5 Flash (Fast)", ContextTokens: geminiDefaultWindow},
	{Key: "gemini-2.5-pro", Provider: llm.ProviderGoogle, DisplayName: "Gemini 2.5 Pro (Advanced)", ContextTokens: geminiDefaultWindow},
	{Key: "gpt-5", Provider: llm.ProviderOpenAI, DisplayName: "GPT-5 (Latest)", ContextTokens: 272_000},
	{Key: "gpt-5-mini", Provider: llm.ProviderOpenAI, DisplayName: "GPT-5 Mini (Fast)", ContextTokens: 272_000},
	{Key: "gpt-4o", Provider: llm.ProviderOpenAI, DisplayName: "GPT-4o (Multimodal)", ContextTokens: 128_000},
	{Key: "gpt-4o-mini", Provider: llm.ProviderOpenAI, DisplayName: "GPT-4o Mini (Efficient)", ContextTokens: 128_000},
}

var localModel = Model{Key: ModelLocal, Provider: llm.ProviderLocal,
	DisplayName: "Local summary (key sentences, offline, no key)", Available: true}

// listing is the last model listing of one provider.
type listing struct {
	fp       string // fingerprint of the key and base URL it was made with
	models   []llm.ModelInfo
	ok       bool      // models holds a successful listing for fp
	badKey   bool      // the last attempt was refused for the key
	tried    time.Time // last attempt
	listedAt time.Time // last success
}

type lister interface {
	ListModels(ctx context.Context) ([]llm.ModelInfo, error)
}

// apiKeys are the cloud providers' API keys, read once per operation under
// its caller's context (readKeys), so nothing below asks the keychain —
// least of all while s.mu is held.
type apiKeys struct{ gemini, openai string }

// readKeys reads both API keys under ctx (the keychain may be asked; its
// reads are bounded, and end when ctx ends: a key that cannot be read is "").
func (s *Service) readKeys(ctx context.Context) apiKeys {
	return apiKeys{gemini: llm.ReadKey(ctx, s.opts.GeminiKey), openai: llm.ReadKey(ctx, s.opts.OpenAIKey)}
}

func (s *Service) fingerprint(k apiKeys, provider string) string {
	var key, base string
	switch provider {
	case llm.ProviderGoogle:
		key, base = k.gemini, call(s.opts.GeminiBaseURL)
	case llm.ProviderOpenAI:
		key, base = k.openai, s.openai.BaseURL()
	}
	h := sha256.Sum256([]byte(key + "\x00" + base))
	return hex.EncodeToString(h[:8])
}

// configured reports whether provider can be called with keys k: Gemini
// with a key; OpenAI with a key or at a custom base URL (see
// openai.Provider.Configured); local always; a discovered server while up.
func (s *Service) configured(k apiKeys, provider string) bool {
	switch provider {
	case llm.ProviderGoogle:
		return k.gemini != ""
	case llm.ProviderOpenAI:
		return k.openai != "" || s.openai.Custom()
	case llm.ProviderLocal:
		return true
	}
	srv, ok := s.server(provider)
	return ok && srv.Up
}

// Models returns the registry: local, the original keys, every model the
// configured providers list, and the models of the local LLM servers found
// on this machine ("ollama/llama3.2:3b", shown as "Ollama · llama3.2:3b";
// unavailable while their server is down), each with its availability.
// Listings are refreshed when a key or base URL changed or every
// Options.ModelsTTL, each within Options.ListTimeout; local servers are
// probed at the same time when their last probe is over a minute old; when
// a provider cannot be reached the last listing (or the built-in list) is
// used, so it works offline. Safe for concurrent use; concurrent callers
// share one refresh.
func (s *Service) Models(ctx context.Context) []Model {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.disc.Servers(ctx)
	}()
	k := s.refresh(ctx)
	<-done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshotLocked(k)
}

// AvailableKeys returns the keys of the available models, for
// /api_status's available_models.
func AvailableKeys(models []Model) []string {
	var keys []string
	for _, m := range models {
		if m.Available {
			keys = append(keys, m.Key)
		}
	}
	return keys
}

// refresh lists the models of the configured providers whose listing is
// stale, and returns the keys it read (under ctx) for the rest of the
// caller's operation.
func (s *Service) refresh(ctx context.Context) apiKeys {
	k := s.readKeys(ctx)
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	now := s.now()
	var wg sync.WaitGroup
	for _, p := range []struct {
		name string
		l    lister
	}{{llm.ProviderGoogle, s.gemini}, {llm.ProviderOpenAI, s.openai}} {
		if !s.configured(k, p.name) {
			continue
		}
		fp := s.fingerprint(k, p.name)
		s.mu.Lock()
		st := s.lists[p.name]
		fresh := st != nil && st.fp == fp &&
			(st.ok && now.Sub(st.listedAt) < s.opts.ModelsTTL || now.Sub(st.tried) < s.failTTL())
		s.mu.Unlock()
		if fresh {
			continue
		}
		wg.Add(1)
		go func(name string, l lister, fp string) {
			defer wg.Done()
			lctx, cancel := context.WithTimeout(ctx, s.opts.ListTimeout)
			defer cancel()
			ms, err := l.ListModels(lctx)
			s.mu.Lock()
			defer s.mu.Unlock()
			st := s.lists[name]
			if st == nil || st.fp != fp {
				st = &listing{fp: fp}
				s.lists[name] = st
			}
			st.tried = now
			st.badKey = false
			if err != nil {
				switch ytsum.ErrorKind(err) {
				case llm.KindInvalidKey, llm.KindKeyMissing:
					st.badKey = true
				}
				return
			}
			st.models, st.ok, st.listedAt = ms, true, now
		}(p.name, p.l, fp)
	}
	wg.Wait()
	return k
}

func (s *Service) failTTL() time.Duration {
	if s.opts.ModelsTTL < time.Minute {
		return s.opts.ModelsTTL
	}
	return time.Minute
}

// currentLocked returns the listing of provider if it matches the key in k
// and the current base URL. s.mu must be held.
func (s *Service) currentLocked(k apiKeys, provider string) *listing {
	st := s.lists[provider]
	if st == nil || st.fp != s.fingerprint(k, provider) {
		return nil
	}
	return st
}

func (s *Service) snapshotLocked(k apiKeys) []Model {
	out := []Model{localModel}
	for _, prov := range []string{llm.ProviderGoogle, llm.ProviderOpenAI} {
		conf := s.configured(k, prov)
		st := s.currentLocked(k, prov)
		listed := map[string]llm.ModelInfo{}
		if st != nil && st.ok {
			for _, m := range st.models {
				listed[m.ID] = m
			}
		}
		known := map[string]bool{}
		for _, b := range builtin {
			if b.Provider != prov {
				continue
			}
			m := b
			m.Available = conf && (st == nil || !st.badKey) && (st == nil || !st.ok || hasKey(listed, b.Key))
			if li, ok := listed[b.Key]; ok && li.InputTokens > 0 {
				m.ContextTokens = li.InputTokens
			}
			known[b.Key] = true
			out = append(out, m)
		}
		var extra []Model
		for id, li := range listed {
			if known[id] {
				continue
			}
			extra = append(extra, Model{Key: id, Provider: prov, DisplayName: li.DisplayName,
				Available: conf && !st.badKey, ContextTokens: li.InputTokens})
		}
		sort.Slice(extra, func(i, j int) bool { return versionLess(extra[j].Key, extra[i].Key) })
		out = append(out, extra...)
	}
	return append(out, s.serverModels()...)
}

func hasKey(m map[string]llm.ModelInfo, k string) bool { _, ok := m[k]; return ok }

var numRun = regexp.MustCompile(`\d+`)

// versionLess orders model IDs with their numbers compared as numbers, so
// "gemini-3.10-flash" sorts after "gemini-3.8-flash".
func versionLess(a, b string) bool {
	pad := func(s string) string {
		return numRun.ReplaceAllStringFunc(s, func(n string) string {
			if len(n) < 8 {
				return strings.Repeat("0", 8-len(n)) + n
			}
			return n
		})
	}
	return pad(a) < pad(b)
}

// geminiFamily matches plain Gemini family IDs: gemini-<version>-<family>.
var geminiFamily = regexp.MustCompile(`^gemini-(\d+(?:\.\d+)?)-(flash-lite|flash|pro)$`)

// resolved is a model key looked up in the registry.
type resolved struct {
	Model
	apiModel string // the ID sent to the provider (a successor of a retired key)
}

// lookup finds key in the registry. s.mu must not be held.
func (s *Service) lookup(k apiKeys, key string) (resolved, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lookupLocked(k, key)
}

func (s *Service) lookupLocked(k apiKeys, key string) (resolved, error) {
	if key == ModelLocal {
		return resolved{Model: localModel, apiModel: ModelLocal}, nil
	}
	if r, known := s.lookupServer(key); known {
		return r, nil
	}
	for _, prov := range []string{llm.ProviderGoogle, llm.ProviderOpenAI} {
		if st := s.currentLocked(k, prov); st != nil && st.ok {
			for _, m := range st.models {
				if m.ID == key {
					return resolved{Model: Model{Key: key, Provider: prov, DisplayName: m.DisplayName, Available: true,
						ContextTokens: contextFor(prov, key, m.InputTokens)}, apiModel: key}, nil
				}
			}
		}
	}
	for _, b := range builtin {
		if b.Key != key {
			continue
		}
		r := resolved{Model: b, apiModel: key}
		if st := s.currentLocked(k, b.Provider); st != nil && st.ok {
			if succ, ok := successor(key, st.models); ok {
				r.apiModel = succ.ID
				r.ContextTokens = contextFor(b.Provider, succ.ID, succ.InputTokens)
			}
		}
		return r, nil
	}
	lk := strings.ToLower(key)
	switch {
	case strings.HasPrefix(lk, "gemini-"):
		return resolved{Model: Model{Key: key, Provider: llm.ProviderGoogle, DisplayName: key,
			ContextTokens: geminiDefaultWindow}, apiModel: key}, nil
	case !s.openai.Custom() && openai.ContextTokens(key) > 0,
		s.openai.Custom() && key != "" && !strings.ContainsAny(key, " \t\n"):
		return resolved{Model: Model{Key: key, Provider: llm.ProviderOpenAI, DisplayName: key,
			ContextTokens: contextFor(llm.ProviderOpenAI, key, 0)}, apiModel: key}, nil
	}
	return resolved{}, ytsum.Errorf(ytsum.CodeInvalid, llm.KindInvalidOption,
		"Unknown model %q; choose one of: %s.", key, strings.Join(AvailableKeys(s.snapshotLocked(k)), ", "))
}

// successor returns the newest listed model of a retired Gemini key's
// family ("gemini-2.5-flash" → "gemini-3.8-flash") when the listing lacks
// the key itself.
func successor(key string, listed []llm.ModelInfo) (llm.ModelInfo, bool) {
	for _, m := range listed {
		if m.ID == key {
			return llm.ModelInfo{}, false
		}
	}
	want := geminiFamily.FindStringSubmatch(key)
	if want == nil {
		return llm.ModelInfo{}, false
	}
	var best llm.ModelInfo
	found := false
	for _, m := range listed {
		g := geminiFamily.FindStringSubmatch(m.ID)
		if g == nil || g[2] != want[2] {
			continue
		}
		if !found || versionLess(best.ID, m.ID) {
			best, found = m, true
		}
	}
	return best, found
}

func contextFor(provider, id string, listed int) int {
	if listed > 0 {
		return listed
	}
	switch provider {
	case llm.ProviderGoogle:
		return geminiDefaultWindow
	case llm.ProviderOpenAI:
		if n := openai.ContextTokens(id); n > 0 {
			return n
		}
		return 128_000
	}
	return 0
}

// DefaultModel returns the model a request without one gets — for
// /api_status's default_model — probing for local servers first when the
// last probe is over a minute old (within about a second and a half). The
// order: the saved default (Options.DefaultModel) when it can be used now;
// else the recommended model of a configured cloud key, Gemini's
// (gemini-2.5-flash) before OpenAI's (gpt-5-mini, or the first listed model
// of a compatible server with a key); else the first model of a local LLM
// server found on this machine; else "local". It is never "local" while a
// Gemini key, or an OpenAI key for OpenAI's API, is set.
func (s *Service) DefaultModel(ctx context.Context) string {
	s.disc.Servers(ctx)
	return s.defaultModel(s.readKeys(ctx))
}

// defaultModel is DefaultModel with keys k and what is known now (no
// network call).
func (s *Service) defaultModel(k apiKeys) string {
	if d := call(s.opts.DefaultModel); d != "" {
		if s.serverKey(d) {
			if s.usableServerModel(d) {
				return d
			}
		} else if r, err := s.lookup(k, d); err == nil && s.configured(k, r.Provider) {
			return d
		}
	}
	if k.gemini != "" {
		return ModelGeminiDefault
	}
	if k.openai != "" {
		if !s.openai.Custom() {
			return ModelOpenAIDefault
		}
		s.mu.Lock()
		st := s.currentLocked(k, llm.ProviderOpenAI)
		first := ""
		if st != nil && st.ok && len(st.models) > 0 {
			first = st.models[0].ID
		}
		s.mu.Unlock()
		if first != "" {
			return first
		}
	}
	if k := s.firstServerModel(); k != "" {
		return k
	}
	return ModelLocal
}
