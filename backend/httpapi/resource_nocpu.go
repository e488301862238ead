//go:build !unix && !windows

package httpapi

import "time"

// processCPUTime is unknown on this system.
func processCPUTime() (time.Duration, bool) { return 0, false }
