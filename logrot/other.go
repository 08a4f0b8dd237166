//go:build !linux

package logrot

import (
	"errors"
	"fmt"
	"os"
)

// Start is implemented for Linux only.
func Start(f *os.File, name string, p Policy) (*os.File, error) {
	return nil, fmt.Errorf("log rotation: %w", errors.ErrUnsupported)
}

// ListRelays is implemented for Linux only.
func ListRelays() ([]Relay, error) {
	return nil, fmt.Errorf("list log relays: %w", errors.ErrUnsupported)
}

// FindRelays is implemented for Linux only.
func FindRelays(path string) ([]int, error) {
	return nil, fmt.Errorf("find log relays: %w", errors.ErrUnsupported)
}

// Serving is implemented for Linux only.
func Serving(path string) ([]int, error) {
	return nil, fmt.Errorf("find log relays: %w", errors.ErrUnsupported)
}

// RotateNow is implemented for Linux only.
func RotateNow(path string) ([]int, error) {
	return nil, fmt.Errorf("rotate %s: %w", path, errors.ErrUnsupported)
}

// StateLog is implemented for Linux only.
func StateLog() (string, error) { return "", errors.ErrUnsupported }

// SpawnMain is implemented for Linux only.
func SpawnMain() int { return unsupportedStage() }

// HolderMain is implemented for Linux only.
func HolderMain() int { return unsupportedStage() }

// RelayMain is implemented for Linux only.
func RelayMain() int { return unsupportedStage() }

func unsupportedStage() int {
	fmt.Fprintf(os.Stderr, "%s: %v\n", os.Args[0], errors.ErrUnsupported)
	return 1
}
