package tts

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestJoinMP3Synthetic(t *testing.T) {
	texts := []string{"one", "two", "three", "four"}
	var parts [][]byte
	for _, s := range texts {
		parts = append(parts, synthMP3(s))
	}
	joined := JoinMP3(parts)
	if bytes.Count(joined, []byte("ID3")) != 1 || bytes.Contains(joined, []byte("TAG\x00")) {
		t.Fatal("ID3 tags after the first were not stripped")
	}
	got := frameMarkers(t, joined)
	var want [][]byte
	for _, s := range texts {
		want = append(want, marker(s), marker(s))
	}
	if len(got) != len(want) {
		t.Fatalf("%d audio frames, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("frame %d is from the wrong chunk", i)
		}
	}
	if one := synthMP3("x"); !bytes.Equal(JoinMP3([][]byte{one}), one) {
		t.Fatal("a single part must be returned unchanged")
	}
	if JoinMP3(nil) != nil {
		t.Fatal("no parts must give nil")
	}
}

func TestParseFrame(t *testing.T) {
	tests := []struct {
		name   string
		hdr    []byte
		length int
		ok     bool
	}{
		{"mpeg2 24k 32k mono", []byte{0xFF, 0xF3, 0x44, 0xC4}, 96, true},
		{"mpeg1 44.1k 128k stereo", []byte{0xFF, 0xFB, 0x90, 0x64}, 417, true},
		{"mpeg1 44.1k 128k padded", []byte{0xFF, 0xFB, 0x92, 0x64}, 418, true},
		{"layer II", []byte{0xFF, 0xFD, 0x90, 0x64}, 0, false},
		{"free format", []byte{0xFF, 0xFB, 0x00, 0x64}, 0, false},
		{"bad sample rate", []byte{0xFF, 0xFB, 0x9C, 0x64}, 0, false},
		{"no sync", []byte{0x49, 0x44, 0x33, 0x04}, 0, false},
	}
	for _, tt := range tests {
		f, ok := parseFrame(tt.hdr)
		if ok != tt.ok || (ok && f.length != tt.length) {
			t.Errorf("%s: parseFrame = %+v %v, want length %d ok %v", tt.name, f, ok, tt.length, tt.ok)
		}
	}
}

// TestJoinMP3RealFilesPlay joins real LAME files (CBR with ID3v2+ID3v1,
// VBR with a Xing frame) and checks with ffprobe/ffmpeg that the result
// decodes without errors and lasts as long as the parts together.
func TestJoinMP3RealFilesPlay(t *testing.T) {
	ffprobe, err1 := exec.LookPath("ffprobe")
	ffmpeg, err2 := exec.LookPath("ffmpeg")
	if err1 != nil || err2 != nil {
		t.Skip("ffprobe/ffmpeg not installed: cannot check that the joined MP3 plays")
	}
	var parts [][]byte
	var sum float64
	for _, n := range []string{"two.mp3", "three.mp3", "one.mp3"} { // VBR with Xing first
		p := filepath.Join("testdata", n)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, b)
		sum += decodedSeconds(t, ffmpeg, p)
	}
	out := filepath.Join(t.TempDir(), "joined.mp3")
	if err := os.WriteFile(out, JoinMP3(parts), 0o644); err != nil {
		t.Fatal(err)
	}
	if o, err := exec.Command(ffmpeg, "-v", "error", "-i", out, "-f", "null", "-").CombinedOutput(); err != nil || len(bytes.TrimSpace(o)) > 0 {
		t.Fatalf("ffmpeg reports errors decoding the joined file: %v %s", err, o)
	}
	got := decodedSeconds(t, ffmpeg, out)
	if got < sum-0.15 || got > sum+0.15 {
		t.Fatalf("joined audio decodes to %.3f s, parts sum to %.3f s", got, sum)
	}
	// The container duration a player shows must cover all parts too
	// (a stale Xing header would say only the first part's length).
	o, err := exec.Command(ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", out).Output()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := strconv.ParseFloat(strings.TrimSpace(string(o)), 64)
	if d < sum-0.3 {
		t.Fatalf("ffprobe says the joined file lasts %.3f s, want about %.3f s", d, sum)
	}
	t.Logf("parts %.3f s, joined decodes to %.3f s, ffprobe duration %.3f s", sum, got, d)
}

// decodedSeconds decodes a file to raw PCM and returns its length.
func decodedSeconds(t *testing.T, ffmpeg, path string) float64 {
	t.Helper()
	pcm, err := exec.Command(ffmpeg, "-v", "error", "-i", path, "-f", "s16le", "-ac", "1", "-ar", "24000", "-").Output()
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return float64(len(pcm)) / 2 / 24000
}
