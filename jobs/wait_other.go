//go:build !linux

package jobs

import "time"

// waitGone sleeps a while: without pidfds, the caller polls.
func waitGone(pid int, ticks uint64, timeout time.Duration) { time.Sleep(timeout / 4) }
