//go:build linux && !amd64

package logrot

import "golang.org/x/sys/unix"

// sysPoll: elsewhere unix.Poll is ppoll(2).
const sysPoll = unix.SYS_PPOLL
