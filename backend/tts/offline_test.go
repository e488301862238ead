package tts

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ytsum/backend/tts/audio"
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
		{"espeak-ng alone → WAV", []string{"espeak-ng"}, audio.ContentTypeWAV, false},
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
			if !svc.Available() {
				t.Fatal("Available false with espeak-ng")
			}
			a, err := svc.Speak(ctxT(t), SpeakRequest{Text: "## Offline\nThis is the **offline** voice speaking 100% locally."})
			if err != nil {
				t.Fatal(err)
			}
			if !a.Offline || a.Voice != OfflineVoice || a.ContentType != tt.wantType || !strings.HasPrefix(a.FileName, "offline_") {
				t.Fatalf("audio = %+v", Audio{ContentType: a.ContentType, FileName: a.FileName, Voice: a.Voice, Offline: a.Offline})
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
	svc := New(Options{Endpoint: u, APIKey: func() string { return testKey }, LookPath: only("espeak-ng", "lame"),
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
		{"freebsd espeak-ng", "freebsd", []string{"espeak-ng"}, true, "espeak-ng", false, ""},
		{"macos say", "darwin", []string{"say"}, true, "say", true, ""},
		{"macos say + lame", "darwin", []string{"say", "lame"}, true, "say", true, "lame"},
		{"windows powershell", "windows", []string{"powershell.exe"}, true, "SAPI", true, ""},
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
