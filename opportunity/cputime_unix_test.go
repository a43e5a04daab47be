//go:build unix

package opportunity_test

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used (user + system),
// so a benchmark can report its cost apart from the wall time, which a
// machine shared with other work inflates.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
