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

	"ytsum/backend/tts/audio"
	"ytsum/backend/ytsum"
)

// offlinePlan is how the OS's own voice is run here: a synthesizer that
// produces WAV, and optionally an MP3 encoder fed that WAV on stdin.
type offlinePlan struct {
	engine  string   // "espeak-ng", "espeak", "say", "SAPI" (shown to the user)
	synth   []string // argv; see synthesize for how text goes in and WAV comes out
	viaFile bool     // text and WAV go through files (say, SAPI) instead of pipes
	encoder []string // argv reading WAV on stdin, writing MP3 on stdout; nil: keep WAV
}

// sapiScript speaks the UTF-8 text file $env:YTSUM_TTS_IN into the WAV file
// $env:YTSUM_TTS_OUT with System.Speech (no quoting of user text needed).
const sapiScript = `Add-Type -AssemblyName System.Speech; ` +
	`$s = New-Object System.Speech.Synthesis.SpeechSynthesizer; ` +
	`$s.SetOutputToWaveFile($env:YTSUM_TTS_OUT); ` +
	`$s.Speak([IO.File]::ReadAllText($env:YTSUM_TTS_IN, [Text.Encoding]::UTF8)); $s.Dispose()`

// planOffline finds the offline voice for goos with lookPath; ok is false
// when the OS has none.
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
		p = offlinePlan{engine: name, synth: []string{bin, "--stdout", "--stdin", "-b", "1", "-v", "en-us"}}
	}
	if lame := find("lame"); lame != "" {
		p.encoder = []string{lame, "--quiet", "-m", "m", "-b", "48", "-", "-"}
	} else if ff := find("ffmpeg"); ff != "" {
		p.encoder = []string{ff, "-hide_banner", "-loglevel", "error", "-f", "wav", "-i", "pipe:0",
			"-ac", "1", "-codec:a", "libmp3lame", "-b:a", "48k", "-f", "mp3", "pipe:1"}
	}
	return p, true
}

// synthesize speaks text with the plan and returns the audio and its
// content type (MP3 when an encoder worked, WAV otherwise).
func (p offlinePlan) synthesize(ctx context.Context, text string) ([]byte, string, error) {
	wav, err := p.wav(ctx, text)
	if err != nil {
		return nil, "", err
	}
	wav = fixWAVSizes(wav)
	if len(p.encoder) > 0 {
		var out, stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, p.encoder[0], p.encoder[1:]...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(wav), &out, &stderr
		if err := cmd.Run(); err == nil && out.Len() > 0 {
			return out.Bytes(), audio.ContentTypeMP3, nil
		} else if ctx.Err() != nil {
			return nil, "", classify(ctx.Err(), OfflineVoice)
		}
		// The encoder failed: the WAV still plays.
	}
	return wav, audio.ContentTypeWAV, nil
}

func (p offlinePlan) wav(ctx context.Context, text string) ([]byte, error) {
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
		cmd := exec.CommandContext(ctx, p.synth[0], p.synth[1:]...)
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
		args = append(args, "-f", in, "-o", out)
	}
	cmd := exec.CommandContext(ctx, p.synth[0], args...)
	cmd.Env = append(os.Environ(), "YTSUM_TTS_IN="+in, "YTSUM_TTS_OUT="+out)
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
