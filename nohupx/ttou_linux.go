package nohupx

import (
	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/sigs"
)

// withoutTTOU runs write, a write of nohupx's own to the terminal, with
// SIGTTOU ignored, and then puts SIGTTOU's action back as it was.
//
// Why: a background job that writes to a terminal with `stty tostop` is
// stopped by SIGTTOU, and a stopped job is exactly what bash sends SIGTERM
// to at logout. The kernel lets the write through when SIGTTOU is ignored
// or blocked (POSIX, "Terminal Access Control"). Ignoring is process-wide,
// so unlike blocking, a per-thread mask, it needs no goroutine locked to
// its thread (which costs a launch a thread or two). It lasts only as long
// as the write, so nothing forked meanwhile (the relay, an --on-exit
// watcher) inherits it and the command gets the action nohupx was given:
// the Go runtime leaves SIGTTOU as inherited. One difference from
// blocking: a SIGTTOU already pending (sent while nohupx's parent had it
// blocked) is discarded rather than passed on to the command.
func withoutTTOU(write func() error) error {
	old, err := sigs.Swap(unix.SIGTTOU, sigs.Ignore)
	if err != nil {
		return write()
	}
	defer sigs.Swap(unix.SIGTTOU, old)
	return write()
}
