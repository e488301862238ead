package httpapi

import (
	"encoding/binary"
	"syscall"
)

// processMemory returns zero RSS (the caller then uses the Go runtime's
// figure) and the machine's total memory from sysctl hw.memsize.
func processMemory() (rss, total uint64) {
	s, err := syscall.Sysctl("hw.memsize")
	if err != nil {
		return 0, 0
	}
	b := []byte(s)
	for len(b) < 8 {
		b = append(b, 0) // Sysctl trims a trailing NUL byte
	}
	return 0, binary.LittleEndian.Uint64(b[:8])
}
