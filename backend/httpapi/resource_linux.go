package httpapi

import (
	"bytes"
	"os"
	"strconv"
)

// processMemory returns the resident set size of this process and the
// machine's total memory in bytes, from /proc; zero when unknown.
func processMemory() (rss, total uint64) {
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := bytes.Fields(b); len(f) > 1 {
			if pages, err := strconv.ParseUint(string(f[1]), 10, 64); err == nil {
				rss = pages * uint64(os.Getpagesize())
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range bytes.Split(b, []byte("\n")) {
			if f := bytes.Fields(line); len(f) >= 2 && string(f[0]) == "MemTotal:" {
				if kb, err := strconv.ParseUint(string(f[1]), 10, 64); err == nil {
					total = kb * 1024
				}
				break
			}
		}
	}
	return rss, total
}
