//go:build secretservice

package keychain_test

import (
	"context"
	"log/slog"
	"os/exec"
	"strings"
	"testing"

	"ytsum/backend/keychain"
	"ytsum/backend/ytsum"
)

// Ensure the real Secret Service stores, reads, replaces and deletes a key.
// Run it on a private session bus with an unlocked gnome-keyring:
//
//	T=$(mktemp -d); HOME=$T XDG_DATA_HOME=$T/data dbus-run-session -- bash -c \
//	  'echo -n pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; go test -tags secretservice ./backend/keychain/'
func TestSecretService(t *testing.T) {
	ctx := context.Background()
	k := keychain.New(keychain.Options{Service: "ytsum-test", Logger: slog.New(slog.DiscardHandler)})
	if st := k.Status(ctx); st.State != keychain.StateAvailable {
		t.Fatalf("status = %+v (is gnome-keyring running and unlocked?)", st)
	}
	const name = "gemini_api_key"
	t.Cleanup(func() { _ = k.Delete(context.Background(), name) })

	if _, err := k.Get(ctx, name); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("get before set = %v", err)
	}
	for _, v := range []string{"AIzaTEST-first-value-0001", "AIzaTEST-second-value-0002 ünïcödé"} {
		if err := k.Set(ctx, name, v); err != nil {
			t.Fatalf("set: %v", err)
		}
		got, src, err := k.Lookup(ctx, name)
		if err != nil || got != v || src != keychain.SourceKeychain {
			t.Fatalf("lookup = %q %s %v, want %q", got, src, err, v)
		}
	}
	// The item is a real Secret Service item that other tools see.
	if out, err := exec.Command("secret-tool", "lookup", "service", "ytsum-test", "username", name).Output(); err == nil {
		if !strings.HasPrefix(string(out), "AIzaTEST-second-value-0002") {
			t.Errorf("secret-tool sees %q", out)
		}
	}
	if err := k.Delete(ctx, name); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := k.Get(ctx, name); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("get after delete = %v", err)
	}
	// A large value is fine on Linux (no hard limit below our 100 KiB cap).
	big := strings.Repeat("k", 64<<10)
	if err := k.Set(ctx, name, big); err != nil {
		t.Fatalf("set 64 KiB: %v", err)
	}
	if got, _ := k.Get(ctx, name); got != big {
		t.Fatalf("64 KiB value came back with %d bytes", len(got))
	}
}
