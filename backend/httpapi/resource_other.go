//go:build !linux && !darwin && !windows

package httpapi

// processMemory is unknown on this system; the caller falls back to the
// Go runtime's figure.
func processMemory() (rss, total uint64) { return 0, 0 }
