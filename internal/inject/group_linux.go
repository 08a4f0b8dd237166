//go:build linux

package inject

import (
	"os"
	"sort"
	"strconv"

	"github.com/nohupx/nohupx/internal/procfs"
)

// Group lists the processes whose process group is pgid: a shell job, all
// the processes of a pipeline. A process that exits meanwhile is left out.
func Group(pgid int) ([]int, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		st, err := procfs.ParseStat(b)
		g, state := st.PGRP, st.State
		if err == nil && g == pgid && state != 'Z' && state != 'X' {
			pids = append(pids, pid)
		}
	}
	sort.Ints(pids)
	if len(pids) == 0 {
		return nil, errorf(ErrNoProcess, "no process is in process group %d", pgid)
	}
	return pids, nil
}
