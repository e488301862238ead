// Package llmfake is a fake LLM host speaking the real wire formats of Gemini (models.list and
// streamGenerateContent?alt=sse, as the genai SDK reads them) and of the
// OpenAI-compatible API (GET /v1/models, POST /v1/chat/completions with
// stream: true), for the end-to-end runs "with keys". Every summary it
// writes starts with Sentinel, which the e2e scripts and tests look for.
// scripts/fakeupstream serves it; package main's tests use it too.
package llmfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Sentinel starts every answer of the fake LLM.
const Sentinel = "FAKE-LLM summary"

// Handler answers Gemini's and the OpenAI-compatible API's model listing and
// streaming generation at their real paths: use its server's URL as the
// Gemini base URL and URL+"/v1" as the OpenAI one.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1beta/models", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"models":[`+
			`{"name":"models/gemini-2.5-flash","displayName":"Gemini 2.5 Flash","inputTokenLimit":1048576,"outputTokenLimit":65536,"supportedGenerationMethods":["generateContent","countTokens"]},`+
			`{"name":"models/gemini-2.5-pro","displayName":"Gemini 2.5 Pro","inputTokenLimit":1048576,"outputTokenLimit":65536,"supportedGenerationMethods":["generateContent","countTokens"]}]}`)
	})
	mux.HandleFunc("POST /v1beta/models/{call}", func(w http.ResponseWriter, r *http.Request) {
		model, method, _ := strings.Cut(r.PathValue("call"), ":")
		text := fmt.Sprintf("%s by %s.\n\n- The video explains its topic clearly.\n- It ends with a short recap.", Sentinel, model)
		usage := `"usageMetadata":{"promptTokenCount":1200,"candidatesTokenCount":40,"totalTokenCount":1240}`
		if method == "countTokens" {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"totalTokens":1200}`)
			return
		}
		chunk := func(t, finish string) string {
			b, _ := json.Marshal(t)
			f := ""
			if finish != "" {
				f = `,"finishReason":"` + finish + `"`
			}
			return `{"candidates":[{"content":{"parts":[{"text":` + string(b) + `}],"role":"model"}` + f + `,"index":0}],` + usage + `,"modelVersion":"` + model + `"}`
		}
		if method != "streamGenerateContent" {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, chunk(text, "STOP"))
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		half := len(text) / 2
		fmt.Fprintf(w, "data: %s\r\n\r\n", chunk(text[:half], ""))
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		fmt.Fprintf(w, "data: %s\r\n\r\n", chunk(text[half:], "STOP"))
	})
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"object":"list","data":[{"id":"gpt-5-mini","object":"model","created":1,"owned_by":"openai"},{"id":"gpt-5","object":"model","created":1,"owned_by":"openai"}]}`)
	})
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string `json:"model"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		text := fmt.Sprintf("%s by %s.\n\n- The video explains its topic clearly.\n- It ends with a short recap.", Sentinel, req.Model)
		w.Header().Set("Content-Type", "text/event-stream")
		for i, part := range []string{text[:len(text)/2], text[len(text)/2:]} {
			b, _ := json.Marshal(part)
			finish := "null"
			if i == 1 {
				finish = `"stop"`
			}
			fmt.Fprintf(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":%q,\"choices\":[{\"index\":0,\"delta\":{\"content\":%s},\"finish_reason\":%s}]}\n\n", req.Model, b, finish)
		}
		fmt.Fprintf(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":%q,\"choices\":[],\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":40,\"total_tokens\":1240}}\n\n", req.Model)
		fmt.Fprint(w, "data: [DONE]\n\n")
	})
	return mux
}
