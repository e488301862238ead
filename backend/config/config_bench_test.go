package config_test

import (
	"context"
	"testing"
)

// BenchmarkCurrent measures the copy services take per use.
func BenchmarkCurrent(b *testing.B) {
	c := newFixture(b).MustLoad(b)
	for b.Loop() {
		_ = c.Current()
	}
}

// BenchmarkView measures GET /settings with secrets cached (the keychain
// probe is the in-memory fake).
func BenchmarkView(b *testing.B) {
	c := newFixture(b).MustLoad(b)
	mustApply(b, c, `{"gemini_api_key":"AIzaSyBENCH-0001-abcdef"}`)
	ctx := context.Background()
	for b.Loop() {
		if _, err := c.View(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckAPIToken measures the per-request token check of httpapi.
func BenchmarkCheckAPIToken(b *testing.B) {
	c := newFixture(b).MustLoad(b)
	ctx := context.Background()
	tok, err := c.APIToken(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if !c.CheckAPIToken(ctx, tok) {
			b.Fatal("token rejected")
		}
	}
}
