//go:build !linux

package jobs

import (
	"errors"
	"fmt"
)

// Adopted is implemented for Linux only, as nohupx -p and -g are.
func Adopted(pid int, by string) (Record, error) {
	return Record{}, fmt.Errorf("record process %d: %w", pid, errors.ErrUnsupported)
}
