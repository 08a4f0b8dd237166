package nohupx

import "golang.org/x/sys/unix"

// dup2 makes newfd a copy of oldfd without close-on-exec. Linux on arm64
// has no dup2(2), only dup3(2), which with flags 0 is the same.
func dup2(oldfd, newfd int) error { return unix.Dup3(oldfd, newfd, 0) }
