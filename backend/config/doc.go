// Package config is the one place that knows what the user configured: the
// Settings model (defaults, overlaid by saved values, overlaid by the
// environment variables of API.md §2), the secrets (API keys, Cloud TTS
// credentials path, login passcode, API token) kept through package
// keychain, and the environment values that are not settings (Environment).
//
// Both front doors use the same two functions: View produces the settings
// view (a secret only ever as set/unset, last four characters of long
// values, and its source, plus the form's Schema, derived from the one
// fields table) and Apply takes a JSON patch. Services read Current (a
// copy) or Subscribe to changes, and Secret for keys. The API token is the
// only secret ever handed to a front door, by the explicit RevealAPIToken;
// the HTTP API reads it through APIToken under the request's context and
// compares it in constant time.
//
// Wiring, in package main (backend.go): the one owner opens the store and
// hands it over:
//
//	db, _ := store.Open(filepath.Join(env.DataDir, store.FileName), store.Options{})
//	var cfg *config.Config
//	kc := keychain.New(keychain.Options{FallbackDir: env.DataDir,
//		AllowFile: func() bool { return cfg != nil && cfg.AllowFileKeystore() }})
//	cfg, err := config.New(config.Options{Store: db, Keychain: kc, Env: config.EnvFunc(os.LookupEnv)})
//
// # Caveats
//
//   - Settings the fields table marks restart (the view's restart_fields,
//     e.g. worker_pool_size, http_enabled, http_address) are saved at once
//     but take effect at the next start; the view lists those changed since
//     this start as restart_pending. All other
//     settings apply at once for services that read Current per use or
//     Subscribe.
//   - A saved value that is no longer valid (an older version, a hand-edited
//     database) is dropped with a warning at Load, so the app still starts.
//     A bad environment variable fails Load instead: the user set it on
//     purpose and should hear about it.
//   - A setting or secret set by an environment variable cannot be changed
//     through Apply (except to the value it already has, so a view can be
//     posted back unchanged); null still removes a saved copy.
//   - Secrets read from the keychain are cached in memory until Apply, a
//     token rotation or a file opt-out changes them; changes made to the
//     keychain by other programs are seen after a restart.
//   - Apply validates everything first and changes nothing on an invalid
//     patch. It then saves settings before writing secrets: if the keychain
//     refuses a secret, the settings changes stay saved and the error names
//     the secret.
//   - Subscribers run on the goroutine that called Apply, one at a time; a
//     subscriber must not call Apply.
//   - When the API token cannot be saved (no usable keychain, no opt-in
//     file), it lives in memory and changes at the next start; the view
//     shows its source as "memory".
//   - Messages and logs name settings and secrets, never their values;
//     URLs with credentials or a query are refused so that nothing secret
//     hides in a plain setting.
package config
