//go:build !unix

package customer_test

import "time"

// cadenceCPUTime is not measured on this platform.
func cadenceCPUTime() (time.Duration, bool) { return 0, false }
