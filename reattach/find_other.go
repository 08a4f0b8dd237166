//go:build !linux && !darwin

package reattach

import (
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// otherSystem is every system without a discovery method: it finds
// nothing and says so.
type otherSystem struct{}

func newSystem() system { return otherSystem{} }

func (otherSystem) Discover(func(int) bool) ([]Server, []string, error) {
	return nil, nil, fmt.Errorf("finding servers on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

func (otherSystem) Owner(string, FileID) (int, bool)      { return 0, false }
func (otherSystem) Alive(Server) bool                     { return false }
func (otherSystem) Refresh(s Server) (Server, bool)       { return s, false }
func (otherSystem) Catches(int, unix.Signal) (bool, bool) { return false, false }
