// Package keychain keeps the app's secrets (API keys, the login passcode, the
// API token) in the operating system's keychain through
// github.com/zalando/go-keyring: the Secret Service over D-Bus on Linux and
// the BSDs, the login keychain (/usr/bin/security) on macOS and Credential
// Manager on Windows.
//
// What it adds to go-keyring:
//
//   - A timeout on every call (Options.Timeout, 3 s by default). go-keyring
//     waits for a Secret Service unlock prompt with no timeout at all, so a
//     locked keyring whose prompt nobody answers would otherwise hang the
//     caller forever.
//   - Size checks before calling, with the limits of each OS, so an oversized
//     value fails with a sentence instead of an opaque ErrSetDataTooBig.
//   - A Status the settings screen shows: available, locked or missing, with
//     a message that tells the user what to do.
//   - An opt-in fallback: a JSON file readable only by its owner (0600) in the
//     data directory, used for new secrets only when the keychain is not
//     usable and Options.AllowFile says the user agreed. It is less safe than
//     a keychain (the values are stored unencrypted) and Status says so.
//
// Environment variables are not this package's business: package config
// consults them first and only then asks the keychain.
//
// # Caveats
//
//   - A call that times out leaves its goroutine blocked inside go-keyring
//     (D-Bus offers no way to cancel). While such a call is outstanding, further
//     calls do not start another one: they answer "locked" at once, so at most
//     one goroutine per Keychain can be stuck. It ends when the prompt is
//     answered or dismissed.
//   - After a call finds the keychain locked or missing, calls skip it for
//     Options.Recheck (30 s by default) and answer from the file or with an
//     "unavailable" error; Status always probes afresh.
//   - The file is read whenever it exists, even after the user withdrew the
//     opt-in, so keys saved there are never silently lost; a successful write
//     to the keychain removes that key from the file, and Delete removes it
//     from both places.
//   - keyring.MockInit swaps a package-global provider inside go-keyring: tests
//     that use it must not run in parallel with tests that use the real
//     keychain.
//   - On Linux the secret crosses the session bus unencrypted ("plain"
//     session), to the user's own session daemon.
package keychain
