package keychain

import (
	"encoding/base64"
	"regexp"
	"strings"

	"ytsum/backend/ytsum"
)

// Per-OS limits (go-keyring v0.2.8: keyring.go, keyring_windows.go,
// keyring_darwin.go).
const (
	// windowsValueLimit is Credential Manager's limit on the password blob.
	windowsValueLimit = 2560
	// windowsServiceLimit: the service name must be shorter than this.
	windowsServiceLimit = 512
	// darwinCommandLimit bounds the whole `security -i` command line that
	// go-keyring writes, base64-encoded password included.
	darwinCommandLimit = 4096
	// unixValueLimit is our own cap for the Secret Service, which has no
	// hard limit but "performance suffers with big values (>100KiB)".
	unixValueLimit = 100 << 10
	// fileLimit caps a value in the fallback file.
	fileLimit = 100 << 10
)

// CheckSize reports, without calling the keychain, whether value fits the
// keychain of Options.Platform under name. It returns nil or a *ytsum.Error
// with code invalid and kind "secret_too_large" whose message names the
// limit. It is safe for concurrent use.
func (k *Keychain) CheckSize(name, value string) error {
	max, size := 0, len(value)
	switch k.platform {
	case "windows":
		if len(k.service) >= windowsServiceLimit {
			return ytsum.Errorf(ytsum.CodeInvalid, "secret_too_large",
				"The keychain service name is too long for Windows Credential Manager.")
		}
		max = windowsValueLimit
	case "darwin":
		size = darwinCommandLen(k.service, name, value)
		if size > darwinCommandLimit {
			// Report the limit in terms of the value: about 3/4 of what is left.
			room := darwinCommandLimit - darwinCommandLen(k.service, name, "")
			return ytsum.Errorf(ytsum.CodeInvalid, "secret_too_large",
				"This value is too long for the macOS Keychain (at most about %d bytes). For a service-account file, save its path instead.",
				room*3/4)
		}
		return nil
	default:
		max = unixValueLimit
	}
	if size > max {
		return ytsum.Errorf(ytsum.CodeInvalid, "secret_too_large",
			"This value is too long for the %s (at most %d bytes). For a service-account file, save its path instead.",
			k.backend(), max)
	}
	return nil
}

// darwinCommandLen is the length of the line go-keyring's macOS provider
// sends to `security -i` (keyring_darwin.go Set).
func darwinCommandLen(service, user, password string) int {
	pw := "go-keyring-base64:" + base64.StdEncoding.EncodeToString([]byte(password))
	return len("add-generic-password -U -s ") + len(shellQuote(service)) + len(" -a ") + len(shellQuote(user)) +
		len(" -w ") + len(shellQuote(pw)) + len("\n")
}

var unsafeShell = regexp.MustCompile(`[^\w@%+=:,./-]`)

// shellQuote mirrors go-keyring's internal/shellescape.Quote.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if unsafeShell.MatchString(s) {
		return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
	}
	return s
}
