package tts

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"ytsum/backend/tts/audio"
	"ytsum/backend/ytsum"
)

// offlinePlan is how the OS's own voice is run here: a synthesizer that
// produces WAV, and an MP3 encoder (lame, else ffmpeg) fed that WAV on stdin.
// /speak answers audio/mpeg (API.md), so the encoder is required: a plan
// without one is not usable (planOffline reports ok false and missing says
// what to install).
type offlinePlan struct {
	engine  string   // "espeak-ng", "espeak", "say", "SAPI" (shown to the user)
	synth   []string // argv; see synthesize for how text goes in and WAV comes out
	viaFile bool     // text and WAV go through files (say, SAPI) instead of pipes
	encoder []string // argv reading WAV on stdin, writing MP3 on stdout
	// missing is a sentence saying what to install when the plan is not
	// usable ("" when it is).
	missing string
}

// errNoOfflineVoice says why there is no usable offline voice.
func errNoOfflineVoice(p offlinePlan) error {
	msg := p.missing
	if msg == "" {
		msg = "There is no offline voice on this computer; install espeak-ng and lame (Linux), or pick a Cloud voice."
	}
	return ytsum.Errorf(ytsum.CodeUnavailable, KindVoiceUnavailable, "%s", msg)
}

// sapiScript speaks the UTF-8 text file $env:YTSUM_TTS_IN into the WAV file
// $env:YTSUM_TTS_OUT with System.Speech (no quoting of user text needed).
const sapiScript = `Add-Type -AssemblyName System.Speech; ` +
	`$s = New-Object System.Speech.Synthesis.SpeechSynthesizer; ` +
	`if ($env:YTSUM_TTS_LANG) { try { $s.SelectVoiceByHints([System.Speech.Synthesis.VoiceGender]::NotSet, ` +
	`[System.Speech.Synthesis.VoiceAge]::NotSet, 0, [Globalization.CultureInfo]::GetCultureInfo($env:YTSUM_TTS_LANG)) } catch {} }; ` +
	`$s.SetOutputToWaveFile($env:YTSUM_TTS_OUT); ` +
	`$s.Speak([IO.File]::ReadAllText($env:YTSUM_TTS_IN, [Text.Encoding]::UTF8)); $s.Dispose()`

// planOffline finds the offline voice for goos with lookPath; ok is false
// when the OS has no voice or no MP3 encoder (then p.missing says which).
func planOffline(goos string, lookPath func(string) (string, error)) (p offlinePlan, ok bool) {
	find := func(names ...string) string {
		for _, n := range names {
			if path, err := lookPath(n); err == nil {
				return path
			}
		}
		return ""
	}
	switch goos {
	case "darwin":
		say := find("say")
		if say == "" {
			return p, false
		}
		p = offlinePlan{engine: "say", viaFile: true,
			synth: []string{say, "--file-format=WAVE", "--data-format=LEI16@22050"}}
	case "windows":
		ps := find("powershell.exe", "powershell", "pwsh.exe", "pwsh")
		if ps == "" {
			return p, false
		}
		p = offlinePlan{engine: "SAPI", viaFile: true,
			synth: []string{ps, "-NoProfile", "-NonInteractive", "-Command", sapiScript}}
	default:
		name := "espeak-ng"
		bin := find(name)
		if bin == "" {
			name, bin = "espeak", find("espeak")
		}
		if bin == "" {
			return p, false
		}
		// The voice ("-v LANG") is appended per request (espeakVoice).
		p = offlinePlan{engine: name, synth: []string{bin, "--stdout", "--stdin", "-b", "1"}}
	}
	if lame := find("lame"); lame != "" {
		p.encoder = []string{lame, "--quiet", "-m", "m", "-b", "48", "-", "-"}
	} else if ff := find("ffmpeg"); ff != "" {
		p.encoder = []string{ff, "-hide_banner", "-loglevel", "error", "-f", "wav", "-i", "pipe:0",
			"-ac", "1", "-codec:a", "libmp3lame", "-b:a", "48k", "-f", "mp3", "pipe:1"}
	} else {
		install := "install lame (apt-get install lame, brew install lame, or lame.exe on PATH)"
		p.missing = "The offline voice (" + p.engine + ") is installed, but no MP3 encoder is: " + install +
			" or ffmpeg, then try again; or pick a Cloud voice."
		return p, false
	}
	return p, true
}

// synthesize speaks text, written in lang (a BCP-47 code; "" = English),
// with the plan's voice for that language and returns MP3 (content type
// audio/mpeg). A plan without an encoder, or an encoder that fails, is an
// error (KindOfflineFailed) that says what to install.
func (p offlinePlan) synthesize(ctx context.Context, text, lang string) ([]byte, string, error) {
	if len(p.encoder) == 0 {
		return nil, "", errNoOfflineVoice(p)
	}
	wav, err := p.wav(ctx, text, lang)
	if err != nil {
		return nil, "", err
	}
	wav = fixWAVSizes(wav)
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, p.encoder[0], p.encoder[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(wav), &out, &stderr
	err = cmd.Run()
	if ctx.Err() != nil {
		return nil, "", classify(ctx.Err(), OfflineVoice)
	}
	if err != nil || !isMP3(out.Bytes()) {
		detail := strings.TrimSpace(stderr.String())
		if len(detail) > 300 {
			detail = detail[:300]
		}
		return nil, "", ytsum.Wrap(fmt.Errorf("%s: %v: %s", filepath.Base(p.encoder[0]), err, detail), ytsum.CodeInternal, KindOfflineFailed,
			fmt.Sprintf("The MP3 encoder (%s) failed to encode the offline voice; reinstall it, or pick a Cloud voice.", filepath.Base(p.encoder[0])))
	}
	return out.Bytes(), audio.ContentTypeMP3, nil
}

// isMP3 reports whether b starts with an ID3v2 tag or an MPEG audio frame
// sync (11 set bits).
func isMP3(b []byte) bool {
	if len(b) >= 3 && string(b[:3]) == "ID3" {
		return true
	}
	return len(b) >= 2 && b[0] == 0xFF && b[1]&0xE0 == 0xE0
}

func (p offlinePlan) wav(ctx context.Context, text, lang string) ([]byte, error) {
	var stderr bytes.Buffer
	fail := func(err error) error {
		if ctx.Err() != nil {
			return classify(ctx.Err(), OfflineVoice)
		}
		detail := strings.TrimSpace(stderr.String())
		if len(detail) > 300 {
			detail = detail[:300]
		}
		return ytsum.Wrap(fmt.Errorf("%s: %w: %s", p.engine, err, detail), ytsum.CodeInternal, KindOfflineFailed,
			fmt.Sprintf("The offline voice (%s) failed to speak; check that it is installed correctly.", p.engine))
	}
	if !p.viaFile {
		var out bytes.Buffer
		args := append(append([]string(nil), p.synth[1:]...), "-v", espeakVoice(lang))
		cmd := exec.CommandContext(ctx, p.synth[0], args...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(text), &out, &stderr
		if err := cmd.Run(); err != nil {
			return nil, fail(err)
		}
		if out.Len() < 44 {
			return nil, fail(fmt.Errorf("no audio output"))
		}
		return out.Bytes(), nil
	}
	dir, err := os.MkdirTemp("", "ytsum-tts-")
	if err != nil {
		return nil, fail(err)
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.wav")
	if err := os.WriteFile(in, []byte(text), 0o600); err != nil {
		return nil, fail(err)
	}
	args := append([]string(nil), p.synth[1:]...)
	if p.engine == "say" {
		if v := sayVoice(ctx, p.synth[0], lang); v != "" {
			args = append(args, "-v", v)
		}
		args = append(args, "-f", in, "-o", out)
	}
	cmd := exec.CommandContext(ctx, p.synth[0], args...)
	cmd.Env = append(os.Environ(), "YTSUM_TTS_IN="+in, "YTSUM_TTS_OUT="+out, "YTSUM_TTS_LANG="+LocaleFor(lang))
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fail(err)
	}
	b, err := os.ReadFile(out)
	if err != nil || len(b) < 44 {
		return nil, fail(fmt.Errorf("no audio output: %v", err))
	}
	return b, nil
}

// fixWAVSizes rewrites the RIFF and data chunk sizes of a WAV written to a
// pipe (espeak-ng puts placeholders there), so players see its real length.
func fixWAVSizes(b []byte) []byte {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return b
	}
	binary.LittleEndian.PutUint32(b[4:8], uint32(len(b)-8))
	for off := 12; off+8 <= len(b); {
		id, size := string(b[off:off+4]), int(binary.LittleEndian.Uint32(b[off+4:off+8]))
		if id == "data" {
			binary.LittleEndian.PutUint32(b[off+4:off+8], uint32(len(b)-off-8))
			break
		}
		off += 8 + size + size%2
	}
	return b
}

var sayVoices sync.Map // say's path → []sayEntry

type sayEntry struct{ name, locale string }

// sayVoice returns the first voice `say -v ?` lists for lang's language
// (its locale first: "de_DE" for "de"), or "" for the system voice (also
// for English, and when the list cannot be read).
func sayVoice(ctx context.Context, say, lang string) string {
	if lang == "" || baseOf(lang) == "en" || baseOf(lang) == "same" {
		return ""
	}
	var list []sayEntry
	if v, ok := sayVoices.Load(say); ok {
		list = v.([]sayEntry)
	} else {
		out, err := exec.CommandContext(ctx, say, "-v", "?").Output()
		if err != nil {
			return ""
		}
		list = parseSayVoices(string(out))
		sayVoices.Store(say, list)
	}
	want := strings.ReplaceAll(LocaleFor(lang), "-", "_")
	for _, e := range list {
		if e.locale == want {
			return e.name
		}
	}
	for _, e := range list {
		if baseOf(e.locale) == baseOf(lang) {
			return e.name
		}
	}
	return ""
}

// parseSayVoices reads `say -v ?` lines: "Anna    de_DE    # Hallo, ich heiße Anna."
// (names may hold spaces: "Bad News  en_US  # …").
func parseSayVoices(out string) []sayEntry {
	var list []sayEntry
	for _, ln := range strings.Split(out, "\n") {
		head, _, _ := strings.Cut(ln, "#")
		f := strings.Fields(head)
		if len(f) < 2 {
			continue
		}
		list = append(list, sayEntry{name: strings.Join(f[:len(f)-1], " "), locale: f[len(f)-1]})
	}
	return list
}
