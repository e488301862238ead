package tts

import "testing"

// BenchmarkCleanChunk20000 measures cleaning and chunking a 20,000-character
// summary (markdown, multi-byte text, over-long sentences).
func BenchmarkCleanChunk20000(b *testing.B) {
	text := "## Summary\n\n- **Point** one: see https://example.com/x.\n" + longText(20000)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if len(Chunk(Clean(text), 0, 0)) == 0 {
			b.Fatal("no chunks")
		}
	}
}

// BenchmarkJoinMP3 measures joining the audio of 6 chunks.
func BenchmarkJoinMP3(b *testing.B) {
	parts := make([][]byte, 6)
	for i := range parts {
		parts[i] = synthMP3(string(rune('a' + i)))
	}
	b.ReportAllocs()
	for b.Loop() {
		JoinMP3(parts)
	}
}
