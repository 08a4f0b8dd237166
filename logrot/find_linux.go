package logrot

import (
	"fmt"
	"sort"
	"syscall"
)

// ListRelays lists every relay process this user can see (writers and
// holders), with the file each one serves: "where does the output go".
func ListRelays() ([]Relay, error) {
	relays, err := findIn("/proc")
	if err != nil {
		return nil, fmt.Errorf("list log relays: %w", err)
	}
	sort.Slice(relays, func(i, j int) bool { return relays[i].Pid < relays[j].Pid })
	return relays, nil
}

// FindRelays returns the pids of the writers of the file at path (after
// resolving it as Start does), in increasing order.
func FindRelays(path string) ([]int, error) { return pidsOf(path, false) }

// Serving returns the pids of every relay process (holder and writer) of
// the file at path: the relay has finished with the file when there is
// none.
func Serving(path string) ([]int, error) { return pidsOf(path, true) }

func pidsOf(path string, holders bool) ([]int, error) {
	want, err := canonical(path)
	if err != nil {
		return nil, fmt.Errorf("find log relays: %w", err)
	}
	relays, err := ListRelays()
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, r := range relays {
		if r.Path == want && (holders || !r.Holder) {
			pids = append(pids, r.Pid)
		}
	}
	return pids, nil
}

// RotateNow sends SIGUSR1 ("rotate now") to every relay of path and
// returns their pids. A relay rotates unless the live file is empty.
func RotateNow(path string) ([]int, error) {
	pids, err := FindRelays(path)
	if err != nil {
		return nil, err
	}
	if len(pids) == 0 {
		return nil, fmt.Errorf("rotate %s: %w", path, ErrNoRelay)
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
			return pids, fmt.Errorf("rotate %s: relay %d: %w", path, pid, err)
		}
	}
	return pids, nil
}
