package tts

import (
	"bytes"
)

// MP3 joining. Cloud TTS returns each request's audio as a complete MP3 file:
// an optional ID3v2 tag, possibly a Xing/Info (or VBRI) header frame that
// states the frame count of *that* file, the audio frames, and possibly an
// ID3v1 tag. Concatenating MPEG frames gives a valid stream, but a player
// that trusts the first file's Xing header would think the joined file ends
// after the first chunk. JoinMP3 therefore keeps the first part's ID3v2 tag,
// drops every ID3 tag after it and every Xing/Info/VBRI frame (the stream is
// constant-bitrate, so players compute the duration from the size), and
// appends the audio frames in order.

// id3v2Len returns the length of an ID3v2 tag at the start of b, or 0.
func id3v2Len(b []byte) int {
	if len(b) < 10 || !bytes.HasPrefix(b, []byte("ID3")) {
		return 0
	}
	sz := int(b[6]&0x7f)<<21 | int(b[7]&0x7f)<<14 | int(b[8]&0x7f)<<7 | int(b[9]&0x7f)
	n := 10 + sz
	if b[5]&0x10 != 0 { // footer present
		n += 10
	}
	if n > len(b) {
		return len(b)
	}
	return n
}

var (
	bitratesV1L3 = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}
	bitratesV2L3 = [16]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0}
	sampleRates  = [4][3]int{{11025, 12000, 8000}, {0, 0, 0}, {22050, 24000, 16000}, {44100, 48000, 32000}}
)

// mp3Frame describes the MPEG audio layer III frame header at the start of b.
type mp3Frame struct {
	length     int // whole frame, header included
	xingOffset int // where a Xing/Info tag would start
}

// parseFrame parses a layer III frame header; ok is false for anything else
// (other layers, free format, reserved values, short input).
func parseFrame(b []byte) (f mp3Frame, ok bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return f, false
	}
	version := (b[1] >> 3) & 3 // 0: 2.5, 2: 2, 3: 1
	layer := (b[1] >> 1) & 3   // 1: layer III
	if version == 1 || layer != 1 {
		return f, false
	}
	bi, si := b[2]>>4, (b[2]>>2)&3
	if si == 3 {
		return f, false
	}
	var br, coef, side int
	mono := b[3]>>6 == 3
	if version == 3 {
		br, coef = bitratesV1L3[bi], 144
		side = 32
		if mono {
			side = 17
		}
	} else {
		br, coef = bitratesV2L3[bi], 72
		side = 17
		if mono {
			side = 9
		}
	}
	sr := sampleRates[version][si]
	if br == 0 || sr == 0 {
		return f, false
	}
	pad := int(b[2]>>1) & 1
	f.length = coef*br*1000/sr + pad
	f.xingOffset = 4 + side
	if b[1]&1 == 0 { // CRC follows the header
		f.xingOffset += 2
	}
	return f, f.length > 4
}

// isInfoFrame reports whether the frame at the start of b carries a
// Xing/Info or VBRI header instead of audio.
func isInfoFrame(b []byte, f mp3Frame) bool {
	if f.xingOffset+4 <= len(b) {
		if tag := string(b[f.xingOffset : f.xingOffset+4]); tag == "Xing" || tag == "Info" {
			return true
		}
	}
	return len(b) >= 40 && string(b[36:40]) == "VBRI"
}

// mp3Audio returns the part of one MP3 file that holds audio frames: after
// the ID3v2 tag and any Xing/Info frame, before an ID3v1 tag. tag is the
// ID3v2 tag (possibly empty).
func mp3Audio(b []byte) (tag, frames []byte) {
	n := id3v2Len(b)
	tag, b = b[:n], b[n:]
	if len(b) >= 128 && bytes.HasPrefix(b[len(b)-128:], []byte("TAG")) {
		b = b[:len(b)-128]
	}
	// Skip padding or junk before the first frame.
	i := 0
	for i+4 <= len(b) {
		if _, ok := parseFrame(b[i:]); ok {
			break
		}
		i++
	}
	if i+4 > len(b) {
		return tag, nil // no frame at all
	}
	b = b[i:]
	if f, ok := parseFrame(b); ok && f.length <= len(b) && isInfoFrame(b[:f.length], f) {
		b = b[f.length:]
	}
	return tag, b
}

// JoinMP3 joins complete MP3 files into one playable MP3 (see above). A
// single part is returned unchanged. It is pure and safe for concurrent use.
func JoinMP3(parts [][]byte) []byte {
	switch len(parts) {
	case 0:
		return nil
	case 1:
		return parts[0]
	}
	total := 0
	for _, p := range parts {
		total += len(p)
	}
	out := make([]byte, 0, total)
	for i, p := range parts {
		tag, frames := mp3Audio(p)
		if i == 0 {
			out = append(out, tag...)
		}
		out = append(out, frames...)
	}
	return out
}
