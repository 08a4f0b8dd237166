//go:build !linux

package nohupx

import "golang.org/x/sys/unix"

// dup2 makes newfd a copy of oldfd without close-on-exec.
func dup2(oldfd, newfd int) error { return unix.Dup2(oldfd, newfd) }
