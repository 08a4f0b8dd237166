package reattach

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"time"

	"golang.org/x/sys/unix"
)

// darwinSystem discovers servers with lsof, which reads the kernel's
// socket table through libproc (proc_pidfdinfo). macOS does not expose the
// socket file's inode, so ownership of a path is inferred, not proved: of
// two live servers bound to the same path, the newer one owns the file.
type darwinSystem struct{}

func newSystem() system { return darwinSystem{} }

func (darwinSystem) lsof(args ...string) ([]lsofProc, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "lsof", append([]string{"-n", "-P", "-w", "-a", "-U", "-F", "pcRuftn"}, args...)...)
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(bytes.TrimSpace(out)) == 0 {
		return nil, nil // lsof exits 1 when nothing matched
	}
	if err != nil {
		return nil, fmt.Errorf("lsof: %w", err)
	}
	return parseLsof(bytes.NewReader(out))
}

func (d darwinSystem) Discover(want func(uid int) bool) ([]Server, []string, error) {
	procs, err := d.lsof()
	if err != nil {
		return nil, nil, err
	}
	warn := []string{"macOS: socket files cannot be proved to be a server's own (no inode from the kernel); ownership is inferred"}
	var out []Server
	for _, p := range procs {
		kind, ok := kindOf(p.Command, "")
		if !ok || !want(p.UID) {
			continue
		}
		kp, err := unix.SysctlKinfoProc("kern.proc.pid", p.PID)
		if err != nil {
			continue
		}
		for _, path := range p.Paths {
			out = append(out, Server{Kind: kind, PID: p.PID, PPID: p.PPID, UID: p.UID, GID: int(kp.Eproc.Pcred.P_rgid),
				User: userName(p.UID), Path: path, Start: startOf(kp)})
		}
	}
	return dropInherited(out), warn, nil
}

func startOf(kp *unix.KinfoProc) uint64 {
	t := kp.Proc.P_starttime
	return uint64(t.Sec)*1e6 + uint64(t.Usec)
}

// Owner is the newest live server process bound to path, by start time.
func (d darwinSystem) Owner(path string, _ FileID) (pid int, live bool) {
	procs, err := d.lsof()
	if err != nil {
		return 0, false
	}
	var newest uint64
	for _, p := range procs {
		if !slices.Contains(p.Paths, path) {
			continue
		}
		if kp, err := unix.SysctlKinfoProc("kern.proc.pid", p.PID); err == nil && startOf(kp) >= newest {
			pid, newest, live = p.PID, startOf(kp), true
		}
	}
	return pid, live
}

func (darwinSystem) Alive(s Server) bool {
	kp, err := unix.SysctlKinfoProc("kern.proc.pid", s.PID)
	if err != nil || kp.Proc.P_pid != int32(s.PID) || kp.Proc.P_stat == 5 { // SZOMB
		return false
	}
	return s.Start == 0 || startOf(kp) == s.Start
}

func (darwinSystem) Refresh(s Server) (Server, bool) { return s, true }

// Catches cannot be read on macOS without the process's task port.
func (darwinSystem) Catches(int, unix.Signal) (bool, bool) { return false, false }
