//go:build !linux

package inject

// Group needs /proc; see Apply.
func Group(pgid int) ([]int, error) { return nil, unsupported() }
