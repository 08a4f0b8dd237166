package jobs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nohupx/nohupx/internal/procfs"
)

// Adopted is the record of a running process that nohupx -p or -g has
// taken under its care: what /proc says of it. Its status is never known
// (it is not our child), and its output is what its fd 1 is now.
func Adopted(pid int, by string) (Record, error) {
	st, err := procfs.ReadStat(pid)
	if err != nil {
		return Record{}, err
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return Record{}, err
	}
	argv := strings.Split(string(bytes.TrimSuffix(cmdline, []byte{0})), "\x00")
	if len(cmdline) == 0 {
		argv = []string{"[" + st.Comm + "]"}
	}
	r := Record{By: by, Pid: pid, StartTicks: st.Start, BootID: BootID(), Pgid: st.PGRP, Sid: st.Session,
		OwnGroup: st.PGRP == pid, Command: argv, Started: startTime(st.Start)}
	r.Cwd, _ = os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
	proc := fmt.Sprintf("/proc/%d/fd/", pid)
	if name, err := os.Readlink(proc + "1"); err == nil {
		var fst syscall.Stat_t
		switch {
		case filepath.IsAbs(name) && syscall.Stat(proc+"1", &fst) == nil && fst.Mode&syscall.S_IFMT == syscall.S_IFREG:
			r.SetOutputFile(name, uint64(fst.Dev), uint64(fst.Ino))
			r.Offset = fst.Size
		case strings.HasPrefix(name, "pipe:["):
			r.Pipe, _ = strconv.ParseUint(strings.TrimSuffix(name[len("pipe:["):], "]"), 10, 64)
		}
	}
	if name, err := os.Readlink(proc + "0"); err == nil && strings.HasPrefix(name, "/dev/pts/") {
		r.TTY = name
	}
	return r, nil
}

// startTime is when a process started, from its start time in clock ticks
// since boot (USER_HZ, 100 on every Linux the suite runs on) and the boot
// time in /proc/stat.
func startTime(ticks uint64) time.Time {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Now()
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			if boot, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return time.Unix(boot, 0).Add(time.Duration(ticks) * 10 * time.Millisecond)
			}
		}
	}
	return time.Now()
}
