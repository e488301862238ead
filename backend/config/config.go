package config

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"ytsum/backend/keychain"
	"ytsum/backend/ytsum"
)

// Store persists the settings document. The bbolt store implements it.
// Settings returns nil (and no error) when nothing was saved yet.
type Store interface {
	Settings() ([]byte, error)
	PutSettings([]byte) error
}

// Keychain keeps secrets; *keychain.Keychain implements it. Lookup reports
// a missing secret with a *ytsum.Error of code not_found.
type Keychain interface {
	Lookup(ctx context.Context, name string) (string, keychain.Source, error)
	Set(ctx context.Context, name, value string) error
	Delete(ctx context.Context, name string) error
	Status(ctx context.Context) keychain.Status
	CheckSize(name, value string) error
}

// Options configure New. Store is required; every other zero value is a
// sensible default.
type Options struct {
	Store Store
	// Keychain holds secrets. Nil means none: secrets come only from the
	// environment and cannot be saved.
	Keychain Keychain
	// Env looks up environment variables. Nil means os.LookupEnv.
	Env EnvFunc
	// Logger receives what changed (setting names, never values). Nil means
	// slog.Default().
	Logger *slog.Logger
	// Rand is the source of API tokens. Nil means crypto/rand.Reader.
	Rand io.Reader
}

// Config is the one settings model: defaults, overlaid by saved values,
// overlaid by environment variables (API.md §2), plus secrets. All methods
// are safe for concurrent use.
type Config struct {
	store Store
	kc    Keychain
	env   EnvFunc
	log   *slog.Logger
	rand  io.Reader
	envv  Environment

	applyMu sync.Mutex // serializes Apply (and so the subscriber calls)

	mu      sync.RWMutex
	saved   map[string]json.RawMessage // what the user saved, by key (unknown keys kept)
	cur     Settings                   // effective
	sources map[string]string          // key → "default", "saved" or "environment"
	loaded  Settings                   // effective at start, for restart_pending
	subs    []subscriber
	nextSub int

	allowFile atomic.Bool

	cacheMu  sync.Mutex
	cache    map[string]cachedSecret
	cacheGen uint64

	tokenMu  sync.Mutex
	memToken string // an API token that could not be saved
}

type subscriber struct {
	id int
	fn func(Settings)
}

// Sources of a setting in the view.
const (
	FromDefault     = "default"
	FromSaved       = "saved"
	FromEnvironment = "environment"
)

// savedVersion is the version of the persisted form. Version 2:
// transcript_languages defaults to empty (automatic) instead of ["en"].
const savedVersion = 2

// savedDoc is the persisted form: only the settings the user set.
type savedDoc struct {
	Version  int                        `json:"version"`
	Settings map[string]json.RawMessage `json:"settings"`
}

// Load is New(Options{Store: store, Keychain: kc, Env: env}).
func Load(store Store, kc Keychain, env func(string) (string, bool)) (*Config, error) {
	return New(Options{Store: store, Keychain: kc, Env: env})
}

// New reads the saved settings and the environment. A saved value that is no
// longer valid is dropped (logged) so the app still starts; a bad
// environment variable fails with a *ytsum.Error of code invalid whose
// FieldErrors are keyed by variable name, because the user set it on
// purpose. A store that cannot be read fails with code internal. It does not
// call the keychain.
func New(o Options) (*Config, error) {
	if o.Store == nil {
		return nil, ytsum.Errorf(ytsum.CodeInternal, "no_store", "The settings cannot be loaded: no database was given.")
	}
	c := &Config{store: o.Store, kc: o.Keychain, env: o.Env, log: o.Logger, rand: o.Rand,
		cache: map[string]cachedSecret{}}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.rand == nil {
		c.rand = rand.Reader
	}
	envv, err := ReadEnvironment(c.env)
	if err != nil {
		return nil, err
	}
	c.envv = envv

	raw, err := o.Store.Settings()
	if err != nil {
		return nil, ytsum.Wrap(fmt.Errorf("config: read settings: %w", err), ytsum.CodeInternal, "settings_unreadable",
			"The saved settings could not be read from the database.")
	}
	saved := map[string]json.RawMessage{}
	version := savedVersion
	if len(raw) > 0 {
		var d savedDoc
		if err := json.Unmarshal(raw, &d); err != nil {
			c.log.Warn("config: saved settings are not valid JSON; starting from defaults (they are replaced at the next change)")
		} else if d.Settings != nil {
			saved, version = d.Settings, d.Version
		}
	}
	migrate(saved, version)
	for range len(fields) + 1 {
		s, sources, savedErrs, envErrs := c.resolve(saved)
		if len(envErrs) > 0 {
			return nil, envErrs.invalid("Some environment variables hold values that are not valid: " + envErrs.Error())
		}
		if len(savedErrs) == 0 {
			c.cur, c.loaded, c.sources, c.saved = s, s.clone(), sources, saved
			c.allowFile.Store(s.InsecureFileKeystore)
			break
		}
		for k, msg := range savedErrs {
			c.log.Warn("config: saved setting is not valid and was reset to its default", "setting", k, "reason", msg)
			delete(saved, k)
		}
	}
	if c.sources == nil {
		return nil, ytsum.Errorf(ytsum.CodeInternal, "settings_unresolved", "The saved settings could not be made consistent.")
	}
	var envKeys []string
	for _, f := range fields {
		if c.sources[f.key] == FromEnvironment {
			envKeys = append(envKeys, f.key)
		}
	}
	if len(envKeys) > 0 {
		c.log.Info("config: settings set by environment", "settings", strings.Join(envKeys, ","))
	}
	return c, nil
}

// renamed maps a setting of an older version to the settings that replaced
// it: one llm_concurrency for every provider became one limit per provider.
var renamed = map[string][]string{
	"llm_concurrency": {"gemini_concurrency", "openai_concurrency"},
}

// removed lists settings of older versions that no longer exist: their
// saved values are dropped quietly. ui_language had no reader (the
// interface is English only).
var removed = []string{"ui_language"}

// migrate moves saved values of renamed settings to their new names and
// drops removed settings, in place; a value already saved under a new name
// wins. Before version 2, transcript_languages ["en"] was the default that
// every saved form carried, not a choice: it is dropped, so the automatic
// languages apply (and no machine translation). The store is rewritten at
// the next Apply that changes something.
func migrate(saved map[string]json.RawMessage, version int) {
	for _, k := range removed {
		delete(saved, k)
	}
	if raw, ok := saved["transcript_languages"]; ok && version < 2 {
		var langs []string
		if json.Unmarshal(raw, &langs) == nil && len(langs) == 1 && strings.EqualFold(strings.TrimSpace(langs[0]), "en") {
			delete(saved, "transcript_languages")
		}
	}
	for old, news := range renamed {
		v, ok := saved[old]
		if !ok {
			continue
		}
		for _, k := range news {
			if _, set := saved[k]; !set {
				saved[k] = v
			}
		}
		delete(saved, old)
	}
}

// resolve computes the effective settings from defaults, saved values and
// the environment, and validates them. savedErrs is keyed by setting,
// envErrs by environment variable.
func (c *Config) resolve(saved map[string]json.RawMessage) (Settings, map[string]string, FieldErrors, FieldErrors) {
	s := Defaults()
	sources := make(map[string]string, len(fields))
	savedErrs, envErrs := FieldErrors{}, FieldErrors{}
	for _, f := range fields {
		sources[f.key] = FromDefault
		if raw, ok := saved[f.key]; ok {
			if msg := decodeValue(f.ptr(&s), raw); msg != "" {
				savedErrs[f.key] = msg
			} else {
				sources[f.key] = FromSaved
			}
		}
		if f.env == "" {
			continue
		}
		if v, ok := c.env.lookup(f.env); ok {
			if msg := parseEnv(f.ptr(&s), v); msg != "" {
				envErrs[f.env] = "The environment variable " + f.env + " " + msg
			} else {
				sources[f.key] = FromEnvironment
			}
		}
	}
	normalize(&s)
	for k, msg := range validate(&s) {
		if f := fieldByKey[k]; sources[k] == FromEnvironment {
			envErrs[f.env] = "The environment variable " + f.env + ": " + msg
		} else {
			savedErrs[k] = msg
		}
	}
	return s, sources, savedErrs, envErrs
}

// decodeValue decodes a JSON value into the field p points to and returns a
// sentence when it has the wrong type. It never quotes the value.
func decodeValue(p any, raw json.RawMessage) string {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return "Enter a value, or send null to reset it to its default."
	}
	var err error
	var msg string
	switch p := p.(type) {
	case *bool:
		var v bool
		err, msg = json.Unmarshal(raw, &v), "Enter true or false."
		if err == nil {
			*p = v
		}
	case *int:
		var v int
		err, msg = json.Unmarshal(raw, &v), "Enter a whole number."
		if err == nil {
			*p = v
		}
	case *float64:
		var v float64
		err, msg = json.Unmarshal(raw, &v), "Enter a number."
		if err == nil {
			*p = v
		}
	case *string:
		var v string
		err, msg = json.Unmarshal(raw, &v), "Enter text."
		if err == nil {
			*p = v
		}
	case *[]string:
		var v []string
		err, msg = json.Unmarshal(raw, &v), "Enter a list of text values."
		if err == nil {
			*p = v
		}
	default:
		return "This setting cannot be changed."
	}
	if err != nil {
		return msg
	}
	return ""
}

// normalize trims text and tidies lists.
func normalize(s *Settings) {
	for _, f := range fields {
		switch p := f.ptr(s).(type) {
		case *string:
			if f.key != "custom_prompt" {
				*p = strings.TrimSpace(*p)
			}
		case *[]string:
			out := []string{}
			seen := map[string]bool{}
			for _, v := range *p {
				v = strings.TrimSpace(v)
				if f.key == "allowed_hosts" {
					v = strings.ToLower(v)
				}
				if v == "" || seen[strings.ToLower(v)] {
					continue
				}
				seen[strings.ToLower(v)] = true
				out = append(out, v)
			}
			*p = out
		}
	}
}

// Current returns a copy of the effective settings. Safe for concurrent use.
func (c *Config) Current() Settings {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.cur.clone()
}

// Environment returns the environment values that are not settings.
func (c *Config) Environment() Environment { return c.envv }

// DataDir returns the data directory (see DataDir).
func (c *Config) DataDir() string { return c.envv.DataDir }

// AllowFileKeystore reports whether the user allowed the less safe key file.
// It never blocks; pass it as keychain.Options.AllowFile.
func (c *Config) AllowFileKeystore() bool { return c.allowFile.Load() }

// Subscribe registers fn to be called with the new settings after every
// successful Apply, also when only secrets changed (so services that cache
// a client can re-read Secret). Calls are made one at a time, in the order
// of the changes, from the goroutine that called Apply; fn must not call
// Apply. The returned func unsubscribes.
func (c *Config) Subscribe(fn func(Settings)) (cancel func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextSub++
	id := c.nextSub
	c.subs = append(c.subs, subscriber{id, fn})
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, s := range c.subs {
			if s.id == id {
				c.subs = append(c.subs[:i:i], c.subs[i+1:]...)
				return
			}
		}
	}
}

// RestartFields lists the settings that take effect only after a restart;
// every other setting applies at once (through Current or Subscribe).
func RestartFields() []string { return restartKeys() }

// EnvOverride marks a setting that an environment variable sets.
type EnvOverride struct {
	Variable string `json:"variable"`
	Note     string `json:"note"` // EnvNote: "set by environment"
}

// View is the settings JSON of GET /settings and of the bound Go method.
// Secrets appear only as SecretState: set or not, and where they come from.
type View struct {
	Settings Settings `json:"settings"`
	// Sources says for every setting whether its value is the default, saved
	// or set by the environment.
	Sources map[string]string `json:"sources"`
	// Environment lists the settings that environment variables set; the UI
	// shows them as "set by environment" and read-only.
	Environment map[string]EnvOverride `json:"environment"`
	Secrets     map[string]SecretState `json:"secrets"`
	Keychain    keychain.Status        `json:"keychain"`
	// RestartFields are the settings that only apply after a restart;
	// RestartPending those of them changed since this start.
	RestartFields  []string `json:"restart_fields"`
	RestartPending []string `json:"restart_pending"`
	// ClearedSecrets, in the answer of Apply only, names the stored keys that
	// were deleted because their provider's base URL changed without them
	// (see ApplyWith); the UI should say so.
	ClearedSecrets []string `json:"cleared_secrets,omitempty"`
	// Schema describes every setting and secret for the form (Schema()).
	Schema []FieldSchema `json:"schema"`
}

// View returns the settings view. It asks the keychain (bounded by its
// timeout) for its status and for any secret not yet cached. It fails only
// when ctx is done. Safe for concurrent use.
func (c *Config) View(ctx context.Context) (View, error) {
	if err := ctx.Err(); err != nil {
		return View{}, ytsum.Wrap(err, ytsum.CodeUnavailable, "cancelled", "The request was cancelled.")
	}
	c.mu.RLock()
	v := View{Settings: c.cur.clone(), Sources: make(map[string]string, len(c.sources)),
		Environment: map[string]EnvOverride{}, Secrets: map[string]SecretState{},
		RestartFields: restartKeys(), RestartPending: []string{}, Schema: Schema()}
	for k, s := range c.sources {
		v.Sources[k] = s
		if s == FromEnvironment {
			v.Environment[k] = EnvOverride{Variable: fieldByKey[k].env, Note: EnvNote}
		}
	}
	for _, f := range fields {
		if f.restart && !reflect.DeepEqual(reflect.ValueOf(f.ptr(&c.cur)).Elem().Interface(),
			reflect.ValueOf(f.ptr(&c.loaded)).Elem().Interface()) {
			v.RestartPending = append(v.RestartPending, f.key)
		}
	}
	c.mu.RUnlock()

	if c.kc != nil {
		v.Keychain = c.kc.Status(ctx)
	} else {
		v.Keychain = keychain.Status{State: keychain.StateMissing, Backend: "keychain",
			Message: "No keychain is in use; keys can only be set through environment variables."}
	}
	for i := range secretSpecs {
		v.Secrets[secretSpecs[i].name] = c.secretState(ctx, &secretSpecs[i])
	}
	return v, nil
}

// secretOp is one change to a secret that Apply makes.
type secretOp struct {
	spec  *secretSpec
	value string // "" deletes
}

// ApplyOptions change how Apply treats a patch.
type ApplyOptions struct {
	// KeepKeysOnBaseURLChange keeps a provider's stored key when its base
	// URL changes without the key being sent again. Only for a caller that
	// is the user at the keyboard (the desktop window's bound method); the
	// HTTP API must leave it false, so that a local process cannot point a
	// provider at its own server and collect the key.
	KeepKeysOnBaseURLChange bool
}

// baseURLKeys maps a base-URL setting to the secret its provider sends to
// that URL, and the URL that needs no protection (the provider's own).
var baseURLKeys = []struct{ setting, secret, official string }{
	{"gemini_base_url", SecretGeminiKey, ""},
	{"openai_base_url", SecretOpenAIKey, DefaultOpenAIBaseURL},
}

// Patch is a change of settings and secrets by name (the keys of the
// settings schema): a value sets a setting (a string, number, bool or list
// of strings, as the setting's type) or a secret (a string; "" deletes it);
// nil resets a setting to its default or deletes a secret.
type Patch map[string]any

// ParsePatch reads a Patch from a JSON object (the body of POST /settings).
// Numbers keep their exact text, so 2.5 for a whole-number setting is still
// refused by Apply. Anything but an object is a CodeInvalid error.
func ParsePatch(raw []byte) (Patch, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var p Patch
	if err := dec.Decode(&p); err != nil || p == nil || dec.More() {
		return nil, ytsum.Errorf(ytsum.CodeInvalid, "invalid_settings", "The settings must be sent as a JSON object.")
	}
	return p, nil
}

// ApplyTrusted is ApplyWith for the desktop window (the user at the
// keyboard): a base URL change keeps the provider's stored key.
func (c *Config) ApplyTrusted(ctx context.Context, patch Patch) (View, error) {
	return c.ApplyWith(ctx, patch, ApplyOptions{KeepKeysOnBaseURLChange: true})
}

// Apply is ApplyWith with the rules for the HTTP API (the zero ApplyOptions).
func (c *Config) Apply(ctx context.Context, patch Patch) (View, error) {
	return c.ApplyWith(ctx, patch, ApplyOptions{})
}

// ApplyWith applies a Patch and returns the new view. Keys are
// setting names (a value sets it, null resets it to its default) and secret
// names (a string sets or replaces it, "" or null deletes it). A setting or
// secret that an environment variable sets can only be "changed" to the
// value it already has.
//
// Everything is validated first; if anything is wrong nothing changes and
// the error is a *ytsum.Error (code invalid, kind "invalid_settings") whose
// cause is a FieldErrors with one sentence per key. Then the settings are
// saved and take effect, secrets are written to the keychain, and the
// subscribers are called. If the keychain refuses a secret, the settings
// stay saved and the error (the keychain's code, kind "secret_not_saved",
// FieldErrors naming the secret) says which secret was not stored.
//
// A change of gemini_base_url or openai_base_url to another address than
// the provider's own never sends the provider's stored key there: unless
// the same patch carries the key again (or opts.KeepKeysOnBaseURLChange),
// the stored key is deleted before the new address takes effect (the view's
// ClearedSecrets names it). A key set by an environment variable cannot be
// deleted, so such a change must carry that key, else it is refused.
//
// Apply calls are serialized; safe for concurrent use.
func (c *Config) ApplyWith(ctx context.Context, patch Patch, opts ApplyOptions) (View, error) {
	if patch == nil {
		return View{}, ytsum.Errorf(ytsum.CodeInvalid, "invalid_settings", "The settings must be sent as a JSON object.")
	}
	// Each value is checked in its JSON form, by the same decoding a saved
	// settings file gets.
	changes := make(map[string]json.RawMessage, len(patch))
	for k, v := range patch {
		b, err := json.Marshal(v)
		if err != nil {
			return View{}, ytsum.Errorf(ytsum.CodeInvalid, "invalid_settings", "The value of %s is not a string, number, true/false or list.", k)
		}
		changes[k] = b
	}
	c.applyMu.Lock()
	defer c.applyMu.Unlock()

	c.mu.RLock()
	cur := c.cur.clone()
	newSaved := make(map[string]json.RawMessage, len(c.saved))
	for k, v := range c.saved {
		newSaved[k] = v
	}
	c.mu.RUnlock()

	ops, changed, fe := c.stageChanges(changes, &cur, newSaved)
	next, sources, savedErrs, envErrs := c.resolve(newSaved)
	for k, msg := range savedErrs {
		if _, bad := fe[k]; !bad {
			fe[k] = msg
		}
	}
	for k, msg := range envErrs {
		fe[k] = msg
	}
	c.checkLogin(ctx, &next, changes, ops, fe)
	var cleared []string
	var early []secretOp
	if !opts.KeepKeysOnBaseURLChange {
		cleared, early, ops = c.baseURLGuard(ctx, &cur, &next, changes, ops, fe)
	}
	if err := fe.invalid("Some settings are not valid: " + fe.Error()); err != nil {
		return View{}, err
	}
	// The keys of providers whose address changes are written (or deleted)
	// before the new address takes effect, so no reader ever sees the new
	// address with the old key; if that fails, nothing changes.
	if len(early) > 0 {
		if err := c.applySecrets(ctx, early); err != nil {
			return View{}, ytsum.Wrap(err, ytsum.ErrorCode(err), "secret_not_saved",
				"Nothing was changed: the base URL stays as it was, because its provider's key could not be replaced or removed: "+ytsum.ErrorMessage(err))
		}
		if len(cleared) > 0 {
			c.log.Info("config: keys removed because their provider's base URL changed", "secrets", strings.Join(cleared, ","))
		}
	}

	if len(changed) > 0 {
		if err := c.saveSettings(newSaved, next, sources, changed); err != nil {
			return View{}, err
		}
	}

	var opErr error
	if len(ops) > 0 {
		opErr = c.applySecrets(ctx, ops)
	}
	if cur.InsecureFileKeystore && !next.InsecureFileKeystore {
		c.moveOutOfFile(ctx)
	}
	if len(changed) > 0 || len(ops) > 0 {
		c.notify()
	}
	if len(early) > 0 && len(changed) == 0 && len(ops) == 0 {
		c.notify()
	}
	view, err := c.View(ctx)
	view.ClearedSecrets = cleared
	if opErr != nil {
		return view, opErr
	}
	return view, err
}

// stageChanges checks each changed value (in name order) against its field
// and writes the accepted ones into newSaved; it returns the secret
// operations to run, the names that changed and the errors by name. cur is
// the effective settings before the change (an environment variable's value
// cannot be changed by saving another one).
func (c *Config) stageChanges(changes map[string]json.RawMessage, cur *Settings, newSaved map[string]json.RawMessage) (ops []secretOp, changed []string, fe FieldErrors) {
	keys := make([]string, 0, len(changes))
	for k := range changes {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	fe = FieldErrors{}
	for _, k := range keys {
		raw := changes[k]
		isNull := bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
		if s := secretSpecFor(k); s != nil {
			op, msg := c.secretChange(s, raw, isNull)
			if msg != "" {
				fe[k] = msg
			} else if op != nil {
				ops = append(ops, *op)
			}
			continue
		}
		f := fieldByKey[k]
		if f == nil {
			// Echo only names shaped like setting names: a key could be
			// anything, a pasted secret included.
			if settingNameRE.MatchString(k) {
				fe[k] = "There is no setting with this name."
			} else {
				fe["unknown"] = "The changes hold a name that is not a setting; setting names are lower-case words joined by underscores."
			}
			continue
		}
		if isNull {
			if _, ok := newSaved[k]; ok {
				delete(newSaved, k)
				changed = append(changed, k)
			}
			continue
		}
		scratch := Defaults()
		if msg := decodeValue(f.ptr(&scratch), raw); msg != "" {
			fe[k] = msg
			continue
		}
		normalize(&scratch)
		val := reflect.ValueOf(f.ptr(&scratch)).Elem().Interface()
		if f.env != "" && c.sourceOf(k) == FromEnvironment {
			if !reflect.DeepEqual(val, reflect.ValueOf(f.ptr(cur)).Elem().Interface()) {
				fe[k] = "This setting is set by the environment variable " + f.env +
					", which wins over saved settings; change or unset it there."
			}
			continue
		}
		b, _ := json.Marshal(val)
		if !bytes.Equal(newSaved[k], b) {
			newSaved[k] = b
			changed = append(changed, k)
		}
	}

	return ops, changed, fe
}

// saveSettings stores newSaved and makes next the effective settings. Nothing
// changes when the database write fails.
func (c *Config) saveSettings(newSaved map[string]json.RawMessage, next Settings, sources map[string]string, changed []string) error {
	doc, err := json.Marshal(savedDoc{Version: savedVersion, Settings: newSaved})
	if err == nil {
		err = c.store.PutSettings(doc)
	}
	if err != nil {
		return ytsum.Wrap(fmt.Errorf("config: save settings: %w", err), ytsum.CodeInternal, "settings_not_saved",
			"The settings could not be saved to the database; nothing was changed.")
	}
	c.mu.Lock()
	c.saved, c.cur, c.sources = newSaved, next, sources
	c.mu.Unlock()
	c.allowFile.Store(next.InsecureFileKeystore)
	c.log.Info("config: settings changed", "settings", strings.Join(changed, ","))
	return nil
}

// baseURLGuard handles a change of a provider's base URL (from cur to next)
// to an address other than the provider's own. The provider's key must not
// reach the new address unless the patch carries it: a stored key the patch
// does not carry is deleted (cleared names it); a key the patch sets or
// deletes is moved from ops to early, to be written before the address
// changes. A key set by the environment cannot be deleted, so such a change
// without the key is refused in fe.
func (c *Config) baseURLGuard(ctx context.Context, cur, next *Settings, changes map[string]json.RawMessage,
	ops []secretOp, fe FieldErrors) (cleared []string, early, rest []secretOp) {
	rest = ops
	for _, b := range baseURLKeys {
		f := fieldByKey[b.setting]
		from := *f.ptr(cur).(*string)
		to := *f.ptr(next).(*string)
		if from == to || strings.TrimRight(to, "/") == strings.TrimRight(b.official, "/") {
			continue
		}
		spec := secretSpecFor(b.secret)
		if _, carried := changes[b.secret]; carried {
			var keep []secretOp
			for _, op := range rest {
				if op.spec.name == b.secret {
					early = append(early, op)
				} else {
					keep = append(keep, op)
				}
			}
			rest = keep
			continue
		}
		if _, variable, ok := c.envSecret(spec); ok {
			fe[b.setting] = "The " + strings.TrimPrefix(spec.label, "the ") + " is set by the environment variable " + variable +
				"; to send it to a new address, include it in the same change (" + b.secret + "), or change the address where the key is set."
			continue
		}
		_, _, err := c.stored(ctx, b.secret)
		switch {
		case err == nil:
			cleared = append(cleared, b.secret)
			early = append(early, secretOp{spec: spec})
		case ytsum.ErrorCode(err) != ytsum.CodeNotFound:
			fe[b.setting] = "The base URL cannot be changed now, because the keychain cannot say whether " + spec.label +
				" is stored (" + ytsum.ErrorMessage(err) + "); send the key again with the change, or try again."
		}
	}
	return cleared, early, rest
}

func (c *Config) sourceOf(key string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.sources[key]
}

var settingNameRE = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// secretChange validates the change of one secret. It returns nil and no
// sentence when there is nothing to do.
func (c *Config) secretChange(s *secretSpec, raw json.RawMessage, isNull bool) (*secretOp, string) {
	var v string
	if !isNull {
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, "Enter the value as text, or send an empty string or null to delete it."
		}
		v = strings.TrimSpace(v)
	}
	if ev, variable, ok := c.envSecret(s); ok && v != "" {
		if v == ev {
			return nil, ""
		}
		return nil, "This value is set by the environment variable " + variable +
			", which wins over saved keys; change or unset it there."
	}
	if v == "" {
		return &secretOp{spec: s}, ""
	}
	if msg := s.check(v); msg != "" {
		return nil, msg
	}
	if c.kc == nil {
		return nil, "No keychain is in use, so this cannot be saved; set the environment variable " + s.env[0] + " instead."
	}
	if err := c.kc.CheckSize(s.name, v); err != nil {
		return nil, ytsum.ErrorMessage(err)
	}
	return &secretOp{spec: s, value: v}, ""
}

// checkLogin refuses to enable login without a passcode and to delete the
// passcode while login is on.
func (c *Config) checkLogin(ctx context.Context, next *Settings, changes map[string]json.RawMessage, ops []secretOp, fe FieldErrors) {
	_, touchesEnabled := changes["login_enabled"]
	_, touchesCode := changes[SecretLoginPasscode]
	if !next.LoginEnabled || (!touchesEnabled && !touchesCode) {
		return
	}
	if _, has := fe[SecretLoginPasscode]; has {
		return
	}
	for _, op := range ops {
		if op.spec.name == SecretLoginPasscode {
			if op.value == "" {
				fe[SecretLoginPasscode] = "Login is on, so the passcode cannot be deleted; turn login off first."
			}
			return
		}
	}
	s := secretSpecFor(SecretLoginPasscode)
	if _, _, ok := c.envSecret(s); ok {
		return
	}
	_, _, err := c.stored(ctx, SecretLoginPasscode)
	switch {
	case err == nil:
	case ytsum.ErrorCode(err) == ytsum.CodeNotFound:
		fe[SecretLoginPasscode] = "Set a passcode before turning login on."
	default:
		fe[SecretLoginPasscode] = "The saved passcode could not be checked: " + ytsum.ErrorMessage(err)
	}
}

// applySecrets writes the secret changes; it tries them all and reports the
// ones that failed.
func (c *Config) applySecrets(ctx context.Context, ops []secretOp) error {
	failed := FieldErrors{}
	var first error
	var done []string
	for _, op := range ops {
		var err error
		if op.spec.name == SecretAPIToken {
			c.tokenMu.Lock()
		}
		if op.value == "" {
			if c.kc != nil {
				err = c.kc.Delete(ctx, op.spec.name)
			}
		} else {
			err = c.kc.Set(ctx, op.spec.name, op.value)
		}
		if op.spec.name == SecretAPIToken {
			if err == nil {
				c.memToken = ""
			}
			c.tokenMu.Unlock()
		}
		c.invalidate()
		if err != nil {
			failed[op.spec.name] = ytsum.ErrorMessage(err)
			if first == nil {
				first = err
			}
			c.log.Warn("config: secret not saved", "secret", op.spec.name, "reason", ytsum.ErrorMessage(err))
			continue
		}
		done = append(done, op.spec.name)
	}
	if len(done) > 0 {
		c.log.Info("config: secrets changed", "secrets", strings.Join(done, ","))
	}
	if first == nil {
		return nil
	}
	names := make([]string, 0, len(failed))
	for k := range failed {
		names = append(names, secretSpecFor(k).label)
	}
	sort.Strings(names)
	return ytsum.Wrap(failed, ytsum.ErrorCode(first), "secret_not_saved",
		fmt.Sprintf("The other changes were saved, but %s could not be stored: %s",
			strings.Join(names, " and "), ytsum.ErrorMessage(first)))
}

// moveOutOfFile re-saves every secret kept in the opt-in file after the
// user withdrew the opt-in, so that it moves into the keychain when one is
// usable. Failures are logged; the keychain status counts what is left.
func (c *Config) moveOutOfFile(ctx context.Context) {
	if c.kc == nil {
		return
	}
	for _, s := range secretSpecs {
		v, src, err := c.kc.Lookup(ctx, s.name)
		if err != nil || src != keychain.SourceFile {
			continue
		}
		if err := c.kc.Set(ctx, s.name, v); err != nil {
			c.log.Warn("config: key left in the key file", "secret", s.name, "reason", ytsum.ErrorMessage(err))
		}
	}
	c.invalidate()
}

func (c *Config) notify() {
	c.mu.RLock()
	subs := append([]subscriber(nil), c.subs...)
	c.mu.RUnlock()
	for _, s := range subs {
		s.fn(c.Current())
	}
}
