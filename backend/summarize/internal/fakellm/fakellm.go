// Package fakellm has httptest fakes of the Gemini API and of OpenAI-compatible
// Chat Completions servers that speak the wire formats of
// reference/protocols.md §2, §3 and §6.3: Gemini streams only "data:" blocks
// (and requires ?alt=sse), OpenAI streams data chunks, comments and [DONE].
// They listen on 127.0.0.1 and record every call. For tests only.
package fakellm

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
)

// Reply is what a fake answers to one call.
type Reply struct {
	Status int               // HTTP status; 0 means 200
	Header map[string]string // extra response headers
	Body   string            // the raw body of a non-200 reply
	Deltas []string          // streamed text pieces (or the whole text, unary)
	Finish string            // finish reason; "" means STOP / stop
	Block  string            // Gemini promptFeedback.blockReason (then no candidates)
	// MidError is an error object sent as a data block after the deltas.
	MidError string
	Usage    [3]int // input, output, total tokens
}

// Call is one recorded request.
type Call struct {
	Path, Query string
	Header      http.Header
	Model       string
	Stream      bool
	System      string
	Prompt      string // all user text joined
	FileURI     string // Gemini fileData.fileUri
	FileMIME    string // Gemini fileData.mimeType
	StartOffset string // Gemini videoMetadata.startOffset
	EndOffset   string
	MediaRes    string
	Body        map[string]any
}

type base struct {
	*httptest.Server
	mu          sync.Mutex
	calls       []Call
	inflight    atomic.Int32
	maxInflight atomic.Int32
	// Handle decides the reply of a generation call; nil means Default.
	Handle func(c Call) Reply
}

// Calls returns the recorded generation calls.
func (b *base) Calls() []Call {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Call(nil), b.calls...)
}

// MaxInflight returns the most generation calls that were in progress at once.
func (b *base) MaxInflight() int { return int(b.maxInflight.Load()) }

func (b *base) record(c Call) Reply {
	b.mu.Lock()
	b.calls = append(b.calls, c)
	h := b.Handle
	b.mu.Unlock()
	n := b.inflight.Add(1)
	for {
		m := b.maxInflight.Load()
		if n <= m || b.maxInflight.CompareAndSwap(m, n) {
			break
		}
	}
	defer b.inflight.Add(-1)
	if h == nil {
		return Default(c)
	}
	return h(c)
}

// Default answers map prompts with one note line, merge prompts with a merged
// note, and anything else with a two-delta final summary.
func Default(c Call) Reply {
	switch {
	case strings.Contains(c.Prompt, "Write notes on this part"):
		part := between(c.Prompt, "part ", " of")
		return Reply{Deltas: []string{"[00:00] note on part " + part}, Usage: [3]int{100, 10, 110}}
	case strings.Contains(c.Prompt, "Merge them"):
		return Reply{Deltas: []string{"[00:00] merged notes"}, Usage: [3]int{50, 5, 55}}
	}
	return Reply{Deltas: []string{"Final ", "summary."}, Usage: [3]int{1000, 20, 1020}}
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	if j := strings.Index(s, b); j >= 0 {
		return s[:j]
	}
	return s
}

// Gemini fakes the Gemini API (v1beta) for the key Key.
type Gemini struct {
	base
	Key string
	// Models is the models.list answer (models without the "models/" prefix
	// are given it); pages of 2.
	Models []map[string]any
	lists  atomic.Int32
}

// Lists returns how many models.list requests were served.
func (g *Gemini) Lists() int { return int(g.lists.Load()) }

// NewGemini starts a Gemini fake; close it with Close.
func NewGemini(key string) *Gemini {
	g := &Gemini{Key: key}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	return g
}

func geminiError(w http.ResponseWriter, code int, status, msg string, details ...map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	e := map[string]any{"code": code, "message": msg, "status": status}
	if len(details) > 0 {
		e["details"] = details
	}
	json.NewEncoder(w).Encode(map[string]any{"error": e})
}

// GeminiErrorBody returns a Gemini error body.
func GeminiErrorBody(code int, status, msg string, details ...map[string]any) string {
	e := map[string]any{"code": code, "message": msg, "status": status}
	if len(details) > 0 {
		e["details"] = details
	}
	b, _ := json.Marshal(map[string]any{"error": e})
	return string(b)
}

func (g *Gemini) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("x-goog-api-key") != g.Key {
		geminiError(w, 400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
			map[string]any{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com"})
		return
	}
	if r.Method == http.MethodGet && r.URL.Path == "/v1beta/models" {
		g.lists.Add(1)
		g.serveList(w, r)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/v1beta/models/")
	if !ok || r.Method != http.MethodPost {
		geminiError(w, 404, "NOT_FOUND", "not found")
		return
	}
	model, method, _ := strings.Cut(rest, ":")
	stream := method == "streamGenerateContent"
	if stream && r.URL.Query().Get("alt") != "sse" {
		geminiError(w, 400, "INVALID_ARGUMENT", "this fake only streams with alt=sse")
		return
	}
	var body map[string]any
	raw, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(raw, &body); err != nil {
		geminiError(w, 400, "INVALID_ARGUMENT", "bad json")
		return
	}
	c := Call{Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Model: model, Stream: stream, Body: body}
	parseGemini(&c, body)
	rep := g.record(c)
	for k, v := range rep.Header {
		w.Header().Set(k, v)
	}
	if rep.Status != 0 && rep.Status != 200 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rep.Status)
		io.WriteString(w, rep.Body)
		return
	}
	chunk := func(text, finish string, last bool) map[string]any {
		m := map[string]any{"modelVersion": model, "responseId": "r1"}
		if rep.Block != "" {
			m["promptFeedback"] = map[string]any{"blockReason": rep.Block}
			return m
		}
		cand := map[string]any{"content": map[string]any{"parts": []any{map[string]any{"text": text}}, "role": "model"}, "index": 0}
		if finish != "" {
			cand["finishReason"] = finish
		}
		m["candidates"] = []any{cand}
		if last {
			m["usageMetadata"] = map[string]any{"promptTokenCount": rep.Usage[0], "candidatesTokenCount": rep.Usage[1], "totalTokenCount": rep.Usage[2]}
		}
		return m
	}
	finish := rep.Finish
	if finish == "" {
		finish = "STOP"
	}
	if !stream {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(chunk(strings.Join(rep.Deltas, ""), finish, true))
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	fl, _ := w.(http.Flusher)
	send := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\r\n\r\n", b)
		if fl != nil {
			fl.Flush()
		}
	}
	if rep.Block != "" {
		send(chunk("", "", true))
		return
	}
	deltas := rep.Deltas
	if len(deltas) == 0 {
		deltas = []string{""}
	}
	for i, d := range deltas {
		last := i == len(deltas)-1 && rep.MidError == ""
		f := ""
		if last {
			f = finish
		}
		send(chunk(d, f, last))
	}
	if rep.MidError != "" {
		fmt.Fprintf(w, "data: %s\r\n\r\n", rep.MidError)
	}
}

func parseGemini(c *Call, body map[string]any) {
	if si, ok := body["systemInstruction"].(map[string]any); ok {
		c.System = partsText(si["parts"])
	}
	var texts []string
	contents, _ := body["contents"].([]any)
	for _, ct := range contents {
		m, _ := ct.(map[string]any)
		parts, _ := m["parts"].([]any)
		for _, p := range parts {
			pm, _ := p.(map[string]any)
			if t, ok := pm["text"].(string); ok {
				texts = append(texts, t)
			}
			fd, _ := pm["fileData"].(map[string]any)
			if fd == nil {
				fd, _ = pm["file_data"].(map[string]any)
			}
			if fd != nil {
				c.FileURI, _ = fd["fileUri"].(string)
				if c.FileURI == "" {
					c.FileURI, _ = fd["file_uri"].(string)
				}
				c.FileMIME, _ = fd["mimeType"].(string)
			}
			if vm, ok := pm["videoMetadata"].(map[string]any); ok {
				c.StartOffset, _ = vm["startOffset"].(string)
				c.EndOffset, _ = vm["endOffset"].(string)
			}
		}
	}
	c.Prompt = strings.Join(texts, "\n")
	if gc, ok := body["generationConfig"].(map[string]any); ok {
		c.MediaRes, _ = gc["mediaResolution"].(string)
	}
}

func partsText(v any) string {
	parts, _ := v.([]any)
	var texts []string
	for _, p := range parts {
		pm, _ := p.(map[string]any)
		if t, ok := pm["text"].(string); ok {
			texts = append(texts, t)
		}
	}
	return strings.Join(texts, "\n")
}

func (g *Gemini) serveList(w http.ResponseWriter, r *http.Request) {
	start := 0
	if t := r.URL.Query().Get("pageToken"); t != "" {
		fmt.Sscanf(t, "p%d", &start)
	}
	end := min(start+2, len(g.Models))
	page := []map[string]any{}
	for _, m := range g.Models[start:end] {
		cp := map[string]any{}
		for k, v := range m {
			cp[k] = v
		}
		if n, _ := cp["name"].(string); !strings.HasPrefix(n, "models/") {
			cp["name"] = "models/" + n
		}
		page = append(page, cp)
	}
	out := map[string]any{"models": page}
	if end < len(g.Models) {
		out["nextPageToken"] = fmt.Sprintf("p%d", end)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// OpenAI fakes an OpenAI-compatible server under /v1. With Key "" it needs
// no Authorization (like Ollama); otherwise it requires "Bearer <Key>".
type OpenAI struct {
	base
	Key string
	// Models are the IDs of GET /v1/models.
	Models []string
	// Comments sends an SSE comment line before each chunk (as OpenRouter does).
	Comments bool
	lists    atomic.Int32
}

// Lists returns how many /v1/models requests were served.
func (o *OpenAI) Lists() int { return int(o.lists.Load()) }

// NewOpenAI starts an OpenAI fake; its base URL for clients is URL+"/v1".
func NewOpenAI(key string) *OpenAI {
	o := &OpenAI{Key: key}
	o.Server = httptest.NewServer(http.HandlerFunc(o.serve))
	return o
}

// OpenAIErrorBody returns an OpenAI error body.
func OpenAIErrorBody(msg, typ, code string) string {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": code}})
	return string(b)
}

func (o *OpenAI) serve(w http.ResponseWriter, r *http.Request) {
	if o.Key != "" && r.Header.Get("Authorization") != "Bearer "+o.Key {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		io.WriteString(w, OpenAIErrorBody("Incorrect API key provided", "invalid_request_error", "invalid_api_key"))
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/models":
		o.lists.Add(1)
		data := []map[string]any{}
		for _, id := range o.Models {
			data = append(data, map[string]any{"id": id, "object": "model", "created": 0, "owned_by": "fake"})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data})
		return
	case r.Method == http.MethodPost && r.URL.Path == "/v1/chat/completions":
	default:
		w.WriteHeader(404)
		io.WriteString(w, `{"error":"not found"}`)
		return
	}
	var body map[string]any
	raw, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(raw, &body); err != nil {
		w.WriteHeader(400)
		return
	}
	c := Call{Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	c.Model, _ = body["model"].(string)
	c.Stream, _ = body["stream"].(bool)
	msgs, _ := body["messages"].([]any)
	var user []string
	for _, m := range msgs {
		mm, _ := m.(map[string]any)
		content, _ := mm["content"].(string)
		if mm["role"] == "system" {
			c.System = content
		} else {
			user = append(user, content)
		}
	}
	c.Prompt = strings.Join(user, "\n")
	rep := o.record(c)
	for k, v := range rep.Header {
		w.Header().Set(k, v)
	}
	if rep.Status != 0 && rep.Status != 200 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rep.Status)
		io.WriteString(w, rep.Body)
		return
	}
	finish := rep.Finish
	if finish == "" {
		finish = "stop"
	}
	usage := map[string]any{"prompt_tokens": rep.Usage[0], "completion_tokens": rep.Usage[1], "total_tokens": rep.Usage[2]}
	if !c.Stream {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": "c0", "object": "chat.completion", "created": 1, "model": c.Model,
			"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": strings.Join(rep.Deltas, "")}, "finish_reason": finish}},
			"usage":   usage})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	fl, _ := w.(http.Flusher)
	send := func(s string) {
		if o.Comments {
			io.WriteString(w, ": keepalive\n\n")
		}
		fmt.Fprintf(w, "data: %s\n\n", s)
		if fl != nil {
			fl.Flush()
		}
	}
	chunk := func(delta map[string]any, finish any) string {
		b, _ := json.Marshal(map[string]any{"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": c.Model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}})
		return string(b)
	}
	for i, d := range rep.Deltas {
		delta := map[string]any{"content": d}
		if i == 0 {
			delta["role"] = "assistant"
		}
		send(chunk(delta, nil))
	}
	if rep.MidError != "" {
		send(rep.MidError)
		return
	}
	send(chunk(map[string]any{}, finish))
	if so, _ := body["stream_options"].(map[string]any); so != nil && so["include_usage"] == true {
		b, _ := json.Marshal(map[string]any{"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": c.Model, "choices": []any{}, "usage": usage})
		send(string(b))
	}
	send("[DONE]")
}
