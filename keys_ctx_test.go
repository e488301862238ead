package main

// The API keys are read from the keychain under the caller's context: a
// request whose client goes away while the keychain hangs (a locked Secret
// Service waiting for its unlock prompt) ends with it, and a slow keychain
// that does answer still gives the key.

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"ytsum/backend/config"
	"ytsum/backend/jobs"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/youtube/youtubetest"
	"ytsum/backend/ytsum"
)

// slowKeyring is a memKeyring whose reads of one secret wait: for delay,
// or (delay < 0) until release is closed. entered is signalled at each such
// read; reads counts them.
type slowKeyring struct {
	memKeyring
	name    string
	delay   time.Duration
	release chan struct{}
	entered chan struct{}
	reads   atomic.Int32
}

func (k *slowKeyring) Get(service, user string) (string, error) {
	if user == k.name {
		k.reads.Add(1)
		select {
		case k.entered <- struct{}{}:
		default:
		}
		if k.delay < 0 {
			<-k.release
		} else {
			time.Sleep(k.delay)
		}
	}
	return k.memKeyring.Get(service, user)
}

func openSlowKeyRig(t *testing.T, kc *slowKeyring) *Backend {
	t.Helper()
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	svc, err := openBackend(ctx, backendOptions{localWellKnown: noLocalServers, Version: "test", Stderr: &syncBuffer{}, Getenv: env(t.TempDir(), yt), Keychain: kc})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	return svc
}

// keychainTimeout is the keychain package's default bound on one call; a
// read that ignored its caller's context would end only then.
const keychainTimeout = 3 * time.Second

func TestACancelledCallerAbortsTheKeyRead(t *testing.T) {
	kc := &slowKeyring{name: config.SecretGeminiKey, delay: -1, release: make(chan struct{}), entered: make(chan struct{}, 1)}
	_ = kc.Set("ytsum", config.SecretGeminiKey, "AIzaSyTEST-gemini-0001")
	svc := openSlowKeyRig(t, kc)
	t.Cleanup(func() { close(kc.release) }) // before Close: the hung read returns
	if n := kc.reads.Load(); n != 0 {
		t.Fatalf("the Gemini key was read %d times while opening; this test needs the first read", n)
	}

	// The submitter's context ends while the keychain hangs on the key.
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-kc.entered
		cancel()
	}()
	start := time.Now()
	_, err := svc.engine.Submit(ctx, jobs.Request{URLs: []string{"https://www.youtube.com/watch?v=dQw4w9WgXcQ"},
		Options: ytsum.SummaryOptions{Model: "gemini-2.5-flash"}})
	took := time.Since(start)
	if kc.reads.Load() == 0 {
		t.Fatal("the key was never read from the keychain")
	}
	if took >= keychainTimeout/2 {
		t.Fatalf("Submit took %v: the key read did not end with its caller's context (the keychain's own bound is %v)", took, keychainTimeout)
	}
	if ytsum.ErrorKind(err) != llm.KindKeyMissing {
		t.Fatalf("Submit = %v; want %s (the key could not be read before the caller left)", err, llm.KindKeyMissing)
	}
}

func TestASlowKeychainStillGivesTheKey(t *testing.T) {
	kc := &slowKeyring{name: config.SecretGeminiKey, delay: 300 * time.Millisecond, entered: make(chan struct{}, 1)}
	_ = kc.Set("ytsum", config.SecretGeminiKey, "AIzaSyTEST-gemini-0001")
	svc := openSlowKeyRig(t, kc)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	o, err := svc.sum.Resolve(ctx, ytsum.SummaryOptions{})
	if err != nil || o.Model != "gemini-2.5-flash" {
		t.Fatalf("Resolve = %+v, %v; want the Gemini default (the key, read slowly)", o, err)
	}
	if kc.reads.Load() == 0 {
		t.Fatal("the key was never read from the keychain")
	}
}
