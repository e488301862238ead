package tts

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ytsum/backend/tts/audio"
	"ytsum/backend/ytsum"
)

// only returns a LookPath that finds just the named programs on PATH.
func only(names ...string) func(string) (string, error) {
	return func(n string) (string, error) {
		for _, want := range names {
			if n == want {
				return exec.LookPath(n)
			}
		}
		return "", errors.New("hidden by the test")
	}
}

func needEspeak(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Skip("espeak-ng is not installed (apt-get install espeak-ng): the Linux offline voice cannot be tested")
	}
}

func TestOfflineVoiceLinux(t *testing.T) {
	needEspeak(t)
	_, lameErr := exec.LookPath("lame")
	_, ffErr := exec.LookPath("ffmpeg")
	tests := []struct {
		name     string
		tools    []string
		wantType string
		skip     bool
	}{
		{"espeak-ng + lame → MP3", []string{"espeak-ng", "lame"}, audio.ContentTypeMP3, lameErr != nil},
		{"espeak-ng + ffmpeg → MP3", []string{"espeak-ng", "ffmpeg"}, audio.ContentTypeMP3, ffErr != nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip {
				t.Skip("encoder not installed")
			}
			c, err := audio.Open(filepath.Join(t.TempDir(), "a"), audio.Options{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			// No credentials at all: the offline voice speaks.
			svc := New(Options{Cache: c, LookPath: only(tt.tools...), GOOS: "linux", Logger: quietLogger()})
			if !svc.Available(t.Context()) {
				t.Fatal("Available false with espeak-ng")
			}
			a, err := svc.Speak(ctxT(t), SpeakRequest{Text: "## Offline\nThis is the **offline** voice speaking 100% locally."})
			if err != nil {
				t.Fatal(err)
			}
			if !a.Offline || a.Voice != OfflineVoice || a.ContentType != tt.wantType || !strings.HasPrefix(a.FileName, "offline_") {
				t.Fatalf("audio = %+v", Audio{ContentType: a.ContentType, FileName: a.FileName, Voice: a.Voice, Offline: a.Offline})
			}
			if !isMP3(a.Data) {
				t.Fatalf("offline audio does not start with an ID3 tag or an MPEG frame sync: % x", a.Data[:min(8, len(a.Data))])
			}
			checkPlayable(t, a.Data, a.ContentType)
			b, err := svc.Speak(ctxT(t), SpeakRequest{Text: "## Offline\nThis is the **offline** voice speaking 100% locally."})
			if err != nil || !b.Cached || !bytes.Equal(a.Data, b.Data) {
				t.Fatalf("second call not from the cache: %v", err)
			}
		})
	}
}

// checkPlayable checks the container and, when ffmpeg is there, decodes it.
func checkPlayable(t *testing.T, data []byte, ct string) {
	t.Helper()
	switch ct {
	case audio.ContentTypeWAV:
		if len(data) < 44 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
			t.Fatal("not a WAV file")
		}
		if got := binary.LittleEndian.Uint32(data[4:8]); int(got) != len(data)-8 {
			t.Fatalf("RIFF size %d, file %d bytes", got, len(data))
		}
		if got := binary.LittleEndian.Uint32(data[40:44]); int(got) != len(data)-44 {
			t.Fatalf("data size %d, want %d", got, len(data)-44)
		}
	case audio.ContentTypeMP3:
		b := data[id3v2Len(data):]
		if _, ok := parseFrame(b); !ok {
			t.Fatalf("no MP3 frame at the start: % x", b[:min(8, len(b))])
		}
	}
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		return
	}
	cmd := exec.Command(ffmpeg, "-v", "error", "-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", "16000", "pipe:1")
	cmd.Stdin = bytes.NewReader(data)
	pcm, err := cmd.Output()
	if err != nil {
		t.Fatalf("ffmpeg cannot decode the offline audio: %v", err)
	}
	if secs := float64(len(pcm)) / 32000; secs < 1 {
		t.Fatalf("offline audio lasts %.2f s", secs)
	}
}

func TestCloudUnreachableFallsBackToOfflineVoice(t *testing.T) {
	needEspeak(t)
	closed := newFakeTTS(t)
	u := closed.URL()
	closed.srv.Close()
	svc := New(Options{Endpoint: u, APIKey: func(context.Context) string { return testKey }, LookPath: only("espeak-ng", "lame"),
		GOOS: "linux", Logger: quietLogger()})
	a, err := svc.Speak(ctxT(t), SpeakRequest{Text: "No internet today."})
	if err != nil || !a.Offline {
		t.Fatalf("Speak = offline %v, %v", a.Offline, err)
	}
}

func TestOfflineVoiceChosenExplicitly(t *testing.T) {
	needEspeak(t)
	e := newEnv(t, func(o *Options) { o.LookPath = only("espeak-ng", "lame"); o.GOOS = "linux" })
	a, err := e.svc.Preview(ctxT(t), OfflineVoice, "")
	if err != nil || !a.Offline || !strings.HasPrefix(a.FileName, "preview_offline_") {
		t.Fatalf("preview offline: %+v %v", a.FileName, err)
	}
	if n := len(e.fake.reqs()); n != 0 {
		t.Fatalf("%d Cloud requests for the offline voice", n)
	}
}

func TestPlanOffline(t *testing.T) {
	has := func(names ...string) func(string) (string, error) {
		return func(n string) (string, error) {
			for _, h := range names {
				if h == n {
					return "/bin/" + n, nil
				}
			}
			return "", errors.New("no")
		}
	}
	tests := []struct {
		name, goos  string
		tools       []string
		ok          bool
		engine      string
		viaFile     bool
		encoderBase string
	}{
		{"linux espeak-ng lame", "linux", []string{"espeak-ng", "lame", "ffmpeg"}, true, "espeak-ng", false, "lame"},
		{"linux espeak ffmpeg", "linux", []string{"espeak", "ffmpeg"}, true, "espeak", false, "ffmpeg"},
		{"linux nothing", "linux", nil, false, "", false, ""},
		{"freebsd espeak-ng without encoder", "freebsd", []string{"espeak-ng"}, false, "espeak-ng", false, ""},
		{"macos say without encoder", "darwin", []string{"say"}, false, "say", true, ""},
		{"macos say + lame", "darwin", []string{"say", "lame"}, true, "say", true, "lame"},
		{"windows powershell without encoder", "windows", []string{"powershell.exe"}, false, "SAPI", true, ""},
		{"windows pwsh + ffmpeg", "windows", []string{"pwsh", "ffmpeg"}, true, "SAPI", true, "ffmpeg"},
		{"windows nothing", "windows", []string{"espeak-ng"}, false, "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := planOffline(tt.goos, has(tt.tools...))
			if ok != tt.ok || p.engine != tt.engine || p.viaFile != tt.viaFile {
				t.Fatalf("plan = %+v %v", p, ok)
			}
			enc := ""
			if len(p.encoder) > 0 {
				enc = filepath.Base(p.encoder[0])
			}
			if enc != tt.encoderBase {
				t.Fatalf("encoder %q, want %q", enc, tt.encoderBase)
			}
			if !ok && tt.engine != "" && !strings.Contains(p.missing, "install lame") {
				t.Fatalf("missing = %q, want a sentence naming lame", p.missing)
			}
			if tt.engine == "SAPI" && !strings.Contains(strings.Join(p.synth, " "), "System.Speech") {
				t.Fatalf("SAPI plan does not use System.Speech: %v", p.synth)
			}
		})
	}
}

func TestFixWAVSizes(t *testing.T) {
	// A header as espeak-ng writes to a pipe: placeholder sizes.
	h := []byte("RIFF\x24\xf0\xff\x7fWAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x22\x56\x00\x00\x44\xac\x00\x00\x02\x00\x10\x00data\x00\xf0\xff\x7f")
	b := append(h, make([]byte, 1000)...)
	fixWAVSizes(b)
	if binary.LittleEndian.Uint32(b[4:8]) != uint32(len(b)-8) || binary.LittleEndian.Uint32(b[40:44]) != 1000 {
		t.Fatalf("sizes not fixed: % x", b[:44])
	}
	if got := fixWAVSizes([]byte("ID3xxxxxxxxxx")); string(got) != "ID3xxxxxxxxxx" {
		t.Fatal("non-WAV changed")
	}
}

// TestOfflineWithoutEncoderSaysWhatToInstall: espeak-ng without lame or
// ffmpeg is not a usable offline voice; Speak says to install lame instead
// of answering WAV under an audio/mpeg contract.
func TestOfflineWithoutEncoderSaysWhatToInstall(t *testing.T) {
	svc := New(Options{LookPath: func(n string) (string, error) {
		if n == "espeak-ng" {
			return "/x/espeak-ng", nil
		}
		return "", errors.New("no")
	}, GOOS: "linux", Logger: quietLogger()})
	if svc.Available(t.Context()) {
		t.Fatal("Available with no MP3 encoder")
	}
	for _, voice := range []string{"", OfflineVoice} {
		_, err := svc.Speak(ctxT(t), SpeakRequest{Text: "Hello.", VoiceID: voice})
		if err == nil || !strings.Contains(ytsum.ErrorMessage(err), "install lame") || ytsum.ErrorKind(err) != KindVoiceUnavailable {
			t.Fatalf("voice %q: err = %v", voice, err)
		}
	}
}

// fakeTools writes shell scripts standing in for espeak-ng and lame: the
// synthesizer records its arguments and stdin, the encoder emits an ID3 tag
// and one MPEG frame header.
func fakeTools(t *testing.T, encoderOut string) (lookPath func(string) (string, error), argsFile, textFile string) {
	t.Helper()
	dir := t.TempDir()
	argsFile, textFile = filepath.Join(dir, "args"), filepath.Join(dir, "text")
	espeak := "#!/bin/sh\necho \"$@\" > " + argsFile + "\ncat > " + textFile + "\nprintf 'RIFF\\044\\000\\000\\000WAVEfmt \\020\\000\\000\\000\\001\\000\\001\\000\\042\\126\\000\\000\\104\\254\\000\\000\\002\\000\\020\\000data\\000\\000\\000\\000'\n"
	lame := "#!/bin/sh\ncat > /dev/null\nprintf '" + encoderOut + "'\n"
	for name, body := range map[string]string{"espeak-ng": espeak, "lame": lame} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return func(n string) (string, error) {
		if n == "espeak-ng" || n == "lame" {
			return filepath.Join(dir, n), nil
		}
		return "", errors.New("no")
	}, argsFile, textFile
}

func TestOfflineVoiceFollowsLanguage(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	look, argsFile, textFile := fakeTools(t, `ID3\003\000\000\000\000\000\000\377\373\220\000`)
	texts := speechTexts{"vid1": {"## Zusammenfassung\n- [00:12] Der Preis stieg um 15% auf 1.250 €.", "de"}}
	svc := New(Options{LookPath: look, GOOS: "linux", Logger: quietLogger(), Texts: texts})
	tests := []struct {
		name                string
		req                 SpeakRequest
		wantVoice, wantText string
	}{
		{"summary language from the library", SpeakRequest{VideoID: "vid1"}, "-v de",
			"Zusammenfassung. Der Preis stieg um 15 Prozent auf 1.250 Euro."},
		{"explicit language", SpeakRequest{Text: "Prix: 20%", Language: "fr-FR"}, "-v fr-fr", "Prix: 20 pour cent."},
		{"brazilian portuguese", SpeakRequest{Text: "Olá", Language: "pt-BR"}, "-v pt-br", "Olá."},
		{"unknown language is English", SpeakRequest{Text: "Hi", Language: "xx"}, "-v en-us", "Hi."},
		{"no language is English", SpeakRequest{Text: "Costs $5"}, "-v en-us", "Costs 5 dollars."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := svc.Speak(ctxT(t), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if a.ContentType != audio.ContentTypeMP3 || !isMP3(a.Data) {
				t.Fatalf("content type %q, data % x", a.ContentType, a.Data[:min(8, len(a.Data))])
			}
			args, _ := os.ReadFile(argsFile)
			text, _ := os.ReadFile(textFile)
			if !strings.HasSuffix(strings.TrimSpace(string(args)), tt.wantVoice) || string(text) != tt.wantText {
				t.Fatalf("espeak-ng got args %q text %q; want %q, %q", args, text, tt.wantVoice, tt.wantText)
			}
		})
	}
}

func TestOfflineEncoderOutputMustBeMP3(t *testing.T) {
	look, _, _ := fakeTools(t, "not mp3")
	svc := New(Options{LookPath: look, GOOS: "linux", Logger: quietLogger()})
	_, err := svc.Speak(ctxT(t), SpeakRequest{Text: "Hello."})
	if ytsum.ErrorKind(err) != KindOfflineFailed || !strings.Contains(ytsum.ErrorMessage(err), "MP3 encoder") {
		t.Fatalf("err = %v", err)
	}
}

func TestEspeakVoiceAndLocale(t *testing.T) {
	for _, tt := range []struct{ lang, espeak, locale, cloud string }{
		{"", "en-us", "", DefaultVoice},
		{"en", "en-us", "en-US", DefaultVoice},
		{"en-GB", "en-gb", "en-GB", "en-GB-Chirp3-HD-Zephyr"},
		{"de", "de", "de-DE", "de-DE-Chirp3-HD-Zephyr"},
		{"de-AT", "de", "de-DE", "de-DE-Chirp3-HD-Zephyr"},
		{"es", "es", "es-ES", "es-ES-Chirp3-HD-Zephyr"},
		{"es-419", "es-419", "es-ES", "es-ES-Chirp3-HD-Zephyr"},
		{"fr", "fr-fr", "fr-FR", "fr-FR-Chirp3-HD-Zephyr"},
		{"fr-CA", "fr-fr", "fr-CA", "fr-CA-Chirp3-HD-Zephyr"},
		{"pt-BR", "pt-br", "pt-BR", "pt-BR-Chirp3-HD-Zephyr"},
		{"pt-PT", "pt", "pt-PT", "pt-PT-Chirp3-HD-Zephyr"},
		{"zh-Hans", "cmn", "cmn-CN", "cmn-CN-Chirp3-HD-Zephyr"},
		{"ja", "ja", "ja-JP", "ja-JP-Chirp3-HD-Zephyr"},
		{"same", "en-us", "", DefaultVoice},
		{"xx", "en-us", "", DefaultVoice},
	} {
		if got := espeakVoice(tt.lang); got != tt.espeak {
			t.Errorf("espeakVoice(%q) = %q, want %q", tt.lang, got, tt.espeak)
		}
		if got := LocaleFor(tt.lang); got != tt.locale {
			t.Errorf("LocaleFor(%q) = %q, want %q", tt.lang, got, tt.locale)
		}
		if got := VoiceForLanguage(tt.lang); got != tt.cloud {
			t.Errorf("VoiceForLanguage(%q) = %q, want %q", tt.lang, got, tt.cloud)
		}
	}
}

func TestParseSayVoices(t *testing.T) {
	out := "Alex                en_US    # Most people recognize me by my voice.\nAnna                de_DE    # Hallo, ich heiße Anna.\nBad News            en_US    # The light you see\n"
	got := parseSayVoices(out)
	if len(got) != 3 || got[1] != (sayEntry{"Anna", "de_DE"}) || got[2].name != "Bad News" {
		t.Fatalf("parseSayVoices = %+v", got)
	}
}

// TestRealEspeakSpeaksEachLanguage runs the real espeak-ng and lame with
// the voice of each language (a voice name espeak-ng lacks would fail).
func TestRealEspeakSpeaksEachLanguage(t *testing.T) {
	needEspeak(t)
	if _, err := exec.LookPath("lame"); err != nil {
		t.Skip("lame is not installed")
	}
	svc := New(Options{LookPath: only("espeak-ng", "lame"), GOOS: "linux", Logger: quietLogger()})
	for lang, text := range map[string]string{"de": "Der Preis stieg um 15%.", "fr": "Le prix a augmenté de 15%.",
		"es": "El precio subió un 15%.", "pt-BR": "O preço subiu 15%.", "ja": "価格は15%上がりました。", "zh": "价格上涨了15%。"} {
		a, err := svc.Speak(ctxT(t), SpeakRequest{Text: text, Language: lang})
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if a.ContentType != audio.ContentTypeMP3 || !isMP3(a.Data) || len(a.Data) < 1000 {
			t.Fatalf("%s: %s, %d bytes", lang, a.ContentType, len(a.Data))
		}
	}
}
