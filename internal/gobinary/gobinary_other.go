//go:build !linux

package gobinary

import "debug/buildinfo"

// Is reports whether path names an executable built by the Go toolchain.
func Is(path string) bool {
	_, err := buildinfo.ReadFile(path)
	return err == nil
}
