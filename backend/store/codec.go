package store

import (
	"encoding/json"
	"fmt"

	"github.com/golang/snappy"
)

// Summaries and transcripts are stored as JSON compressed with snappy
// behind a one-byte tag; plain JSON (starting with '{') is read as well.
// Compression matters for page packing: a typical summary record of ~2 KB
// would otherwise need an overflow page, and transcripts compress 3-5x.
const tagSnappy = 0x01

// encodeRecord returns v's JSON, compressed and tagged.
func encodeRecord(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1, 1+snappy.MaxEncodedLen(len(raw)))
	out[0] = tagSnappy
	return append(out, snappy.Encode(nil, raw)...), nil
}

// decodeRecord decodes what encodeRecord wrote, or plain JSON.
func decodeRecord(b []byte, v any) error {
	if len(b) > 0 && b[0] == tagSnappy {
		raw, err := snappy.Decode(nil, b[1:])
		if err != nil {
			return fmt.Errorf("%w: decompressing: %v", errCorrupt, err)
		}
		b = raw
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: decoding: %v", errCorrupt, err)
	}
	return nil
}
