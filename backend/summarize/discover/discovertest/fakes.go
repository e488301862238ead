// Package discovertest has fake local LLM servers for tests: Ollama and LM
// Studio on 127.0.0.1, speaking their real wire formats — model listings
// (Ollama's /api/tags and /api/show, LM Studio's /api/v0/models, and the
// OpenAI-compatible /v1/models) and OpenAI-compatible chat streaming
// (/v1/chat/completions, server-sent events) — and misbehaving on request:
// answering garbage, hanging, or streaming forever.
package discovertest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Modes of misbehaviour.
const (
	OK      = ""        // answer properly
	Garbage = "garbage" // answer 200 with an HTML page to everything
	Hang    = "hang"    // accept the request and never answer (until the client gives up)
	Forever = "forever" // chat: stream text without end (until the client gives up)
	Drop    = "drop"    // chat: send one piece of text, then drop the connection
	Vanish  = "vanish"  // chat: answer this request, then the server shuts down (requests on connections opened before are cut)
)

// Model is one model a fake serves.
type Model struct {
	ID string
	// NumCtx is the num_ctx of its Ollama parameters (0: none set); for LM
	// Studio, its loaded_context_length.
	NumCtx int
	// Trained is its own context_length (Ollama model_info; LM Studio
	// max_context_length).
	Trained int
	// Embedding marks an embedding-only model.
	Embedding bool
}

// Server is a fake Ollama or LM Studio. Fields may be changed between
// requests (under no lock: set them before the requests that need them).
type Server struct {
	*httptest.Server
	Kind   string // "ollama" or "lmstudio"
	Models []Model
	// Answer is what chat completions stream, split in pieces of a few words.
	Answer string

	hits               atomic.Int64
	done               chan struct{} // closed by Close: hanging handlers return
	once               sync.Once
	mu                 sync.Mutex
	chatMode, listMode string
	vanished           bool // a Vanish answer was sent: every later request is cut
	chats              []map[string]any
	auth               []string
}

// NewOllama starts a fake Ollama with the given models.
func NewOllama(models ...Model) *Server { return start("ollama", models) }

// NewLMStudio starts a fake LM Studio with the given models.
func NewLMStudio(models ...Model) *Server { return start("lmstudio", models) }

func start(kind string, models []Model) *Server {
	s := &Server{Kind: kind, Models: models, Answer: "- [00:00] The video explains how the thing works.", done: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close stops the server (a server that vanishes): hanging handlers return
// and open connections are closed.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.Server.CloseClientConnections()
		s.Server.Close()
	})
}

// SetChatMode and SetListMode choose a misbehaviour (a mode constant) of the
// chat endpoint and of the listing endpoints. Safe while requests run.
func (s *Server) SetChatMode(m string) { s.mu.Lock(); s.chatMode = m; s.mu.Unlock() }

// SetListMode: see SetChatMode.
func (s *Server) SetListMode(m string) { s.mu.Lock(); s.listMode = m; s.mu.Unlock() }

// Hits is how many requests the fake has received.
func (s *Server) Hits() int { return int(s.hits.Load()) }

// Chats returns the bodies of the chat requests received, in order.
func (s *Server) Chats() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.chats...)
}

// Authorizations returns the Authorization headers of the chat requests.
func (s *Server) Authorizations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...)
}

// Addr is host:port.
func (s *Server) Addr() string { return strings.TrimPrefix(s.URL, "http://") }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	chat := r.URL.Path == "/v1/chat/completions"
	s.mu.Lock()
	if s.vanished { // a connection opened before the server went away
		s.mu.Unlock()
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
			}
		}
		return
	}
	mode := s.listMode
	if chat {
		mode = s.chatMode
	}
	s.mu.Unlock()
	switch mode {
	case Garbage:
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body>It works!</body></html>")
		return
	case Hang:
		io.Copy(io.Discard, r.Body) // so the server notices the client leaving
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return
	}
	switch {
	case chat && r.Method == http.MethodPost:
		s.chat(w, r, mode)
	case r.URL.Path == "/v1/models":
		var data []map[string]any
		for _, m := range s.Models {
			if s.Kind == "ollama" && m.Embedding {
				continue // Ollama's /v1/models lists them, but keep it simple
			}
			owner := "library"
			if s.Kind == "lmstudio" {
				owner = "organization_owner"
			}
			data = append(data, map[string]any{"id": m.ID, "object": "model", "created": 1730000000, "owned_by": owner})
		}
		writeJSON(w, map[string]any{"object": "list", "data": data})
	case s.Kind == "ollama" && r.URL.Path == "/":
		io.WriteString(w, "Ollama is running")
	case s.Kind == "ollama" && r.URL.Path == "/api/tags":
		var models []map[string]any
		for _, m := range s.Models {
			models = append(models, map[string]any{"name": m.ID, "model": m.ID, "modified_at": "2026-11-02T10:00:00.000000000Z",
				"size": 2019393189, "digest": "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
				"details": map[string]any{"parent_model": "", "format": "gguf", "family": "llama", "families": []string{"llama"},
					"parameter_size": "3.2B", "quantization_level": "Q4_K_M"}})
		}
		writeJSON(w, map[string]any{"models": models})
	case s.Kind == "ollama" && r.URL.Path == "/api/show" && r.Method == http.MethodPost:
		var req struct {
			Model string `json:"model"`
			Name  string `json:"name"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		if req.Model == "" {
			req.Model = req.Name
		}
		for _, m := range s.Models {
			if m.ID != req.Model {
				continue
			}
			params := "stop                           \"<|start_header_id|>\"\nstop                           \"<|eot_id|>\""
			if m.NumCtx > 0 {
				params = fmt.Sprintf("num_ctx                        %d\n", m.NumCtx) + params
			}
			caps := []string{"completion", "tools"}
			if m.Embedding {
				caps = []string{"embedding"}
			}
			writeJSON(w, map[string]any{
				"license": "LLAMA 3.2 COMMUNITY LICENSE AGREEMENT", "modelfile": "# Modelfile generated by \"ollama show\"\nFROM " + m.ID,
				"parameters": params, "template": "<|start_header_id|>system<|end_header_id|>{{ .System }}",
				"details": map[string]any{"parent_model": "", "format": "gguf", "family": "llama", "families": []string{"llama"},
					"parameter_size": "3.2B", "quantization_level": "Q4_K_M"},
				"model_info":   map[string]any{"general.architecture": "llama", "general.parameter_count": 3212749888, "llama.context_length": m.Trained, "llama.embedding_length": 3072},
				"capabilities": caps, "modified_at": "2026-11-02T10:00:00.000000000Z"})
			return
		}
		w.WriteHeader(http.StatusNotFound)
		writeJSON(w, map[string]any{"error": fmt.Sprintf("model '%s' not found", req.Model)})
	case s.Kind == "lmstudio" && r.URL.Path == "/api/v0/models":
		var data []map[string]any
		for _, m := range s.Models {
			typ, state := "llm", "loaded"
			if m.Embedding {
				typ, state = "embeddings", "not-loaded"
			}
			e := map[string]any{"id": m.ID, "object": "model", "type": typ, "publisher": "lmstudio-community", "arch": "qwen2",
				"compatibility_type": "gguf", "quantization": "Q4_K_M", "state": state, "max_context_length": m.Trained}
			if m.NumCtx > 0 {
				e["loaded_context_length"] = m.NumCtx
			}
			data = append(data, e)
		}
		writeJSON(w, map[string]any{"object": "list", "data": data})
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "404 page not found")
	}
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request, mode string) {
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	s.mu.Lock()
	s.chats = append(s.chats, body)
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	s.mu.Unlock()
	model, _ := body["model"].(string)
	found := false
	for _, m := range s.Models {
		found = found || m.ID == model && !m.Embedding
	}
	if !found {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		writeJSON(w, map[string]any{"error": map[string]any{"message": fmt.Sprintf("model %q not found, try pulling it first", model),
			"type": "api_error", "param": nil, "code": nil}})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	fl, _ := w.(http.Flusher)
	n := 0
	send := func(delta map[string]any, finish any) {
		chunk := map[string]any{"id": "chatcmpl-42", "object": "chat.completion.chunk", "created": time.Now().Unix(), "model": model,
			"system_fingerprint": "fp_ollama", "choices": []map[string]any{{"index": 0, "delta": delta, "finish_reason": finish}}}
		b, _ := json.Marshal(chunk)
		fmt.Fprintf(w, "data: %s\n\n", b)
		if fl != nil {
			fl.Flush()
		}
		n++
	}
	switch mode {
	case Forever:
		piece := strings.Repeat("and so on ", 400)
		for r.Context().Err() == nil && !s.closed() {
			send(map[string]any{"role": "assistant", "content": piece}, nil)
		}
		return
	case Vanish:
		w.Header().Set("Connection", "close") // the next request must dial, and finds no one
		s.mu.Lock()
		s.vanished = true
		s.mu.Unlock()
		s.Listener.Close()
		defer func() { go s.Close() }()
	case Drop:
		send(map[string]any{"role": "assistant", "content": "The video"}, nil)
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
			}
		}
		return
	}
	words := strings.SplitAfter(s.Answer, " ")
	for i := 0; i < len(words); i += 3 {
		send(map[string]any{"role": "assistant", "content": strings.Join(words[i:min(i+3, len(words))], "")}, nil)
	}
	send(map[string]any{}, "stop")
	prompt := 0
	if msgs, ok := body["messages"].([]any); ok {
		for _, m := range msgs {
			if mm, ok := m.(map[string]any); ok {
				c, _ := mm["content"].(string)
				prompt += len(c) / 4
			}
		}
	}
	if so, _ := body["stream_options"].(map[string]any); so["include_usage"] == true {
		out := len(s.Answer) / 4
		b, _ := json.Marshal(map[string]any{"id": "chatcmpl-42", "object": "chat.completion.chunk", "created": time.Now().Unix(),
			"model": model, "system_fingerprint": "fp_ollama", "choices": []any{},
			"usage": map[string]any{"prompt_tokens": prompt, "completion_tokens": out, "total_tokens": prompt + out}})
		fmt.Fprintf(w, "data: %s\n\n", b)
	}
	io.WriteString(w, "data: [DONE]\n\n")
}

func (s *Server) closed() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	json.NewEncoder(w).Encode(v)
}
