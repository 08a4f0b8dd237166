package reattach

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/internal/sigs"
)

// Owner finds the live listener whose socket file is id. live is false when
// no listening socket in this network namespace has that file; pid is 0
// when the listener belongs to a process this user cannot inspect.
func (l linuxSystem) Owner(path string, id FileID) (pid int, live bool) {
	diag, err := dumpListeners()
	if err != nil || !id.Known() {
		return 0, false
	}
	if pid := l.fifoReader(id); pid > 0 {
		return pid, true
	}
	var ino uint32
	for _, d := range diag {
		if d.VFS && uint64(d.FIno) == id.Ino && userDev(d.Dev) == id.Dev {
			ino, live = d.Ino, true
			break
		}
	}
	if !live {
		return 0, false
	}
	return l.holder(ino), true
}

// holder finds the process that holds socket inode ino, by its fds.
func (l linuxSystem) holder(ino uint32) int {
	want := []byte("socket:[" + strconv.FormatUint(uint64(ino), 10) + "]")
	ents, _ := os.ReadDir(l.proc)
	buf := make([]byte, 64)
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		fddir := filepath.Join(l.proc, e.Name(), "fd")
		fds, _ := os.ReadDir(fddir)
		for _, fd := range fds {
			n, err := unix.Readlink(filepath.Join(fddir, fd.Name()), buf)
			if err == nil && bytes.Equal(buf[:n], want) {
				return pid
			}
		}
	}
	return 0
}

// Alive reports whether s's process still exists and is the same process
// (a recycled pid has another start time).
func (l linuxSystem) Alive(s Server) bool {
	b, err := os.ReadFile(filepath.Join(l.proc, strconv.Itoa(s.PID), "stat"))
	if err != nil {
		return false
	}
	st, err := procfs.ParseStat(b)
	if err != nil || strings.HasPrefix(statState(b), "Z") {
		return false
	}
	return s.Start == 0 || st.Start == s.Start
}

// fifoReader finds a screen process holding the FIFO id open: screen 4.x
// after a recovery reads a FIFO instead of listening on a socket.
func (l linuxSystem) fifoReader(id FileID) int {
	ents, _ := os.ReadDir(l.proc)
	for _, e := range ents {
		comm, err := os.ReadFile(filepath.Join(l.proc, e.Name(), "comm"))
		if err != nil || string(comm) != "screen\n" {
			continue
		}
		fddir := filepath.Join(l.proc, e.Name(), "fd")
		fds, _ := os.ReadDir(fddir)
		for _, fd := range fds {
			var st unix.Stat_t
			if unix.Stat(filepath.Join(fddir, fd.Name()), &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFIFO &&
				uint64(st.Dev) == id.Dev && st.Ino == id.Ino {
				pid, _ := strconv.Atoi(e.Name())
				return pid
			}
		}
	}
	return 0
}

// Refresh re-reads the socket s's process now holds for s.Path.
func (l linuxSystem) Refresh(s Server) (Server, bool) {
	diag, err := dumpListeners()
	if err != nil {
		return s, true // cannot prove more than the connect did
	}
	for _, t := range l.sockets(s, diag, nil) {
		if t.Path == s.Path {
			return t, true
		}
	}
	return s, false
}

// Catches reports whether the process has a handler for sig (SigCgt in
// /proc/PID/status). A process that does not catch SIGUSR1 dies of it.
func (l linuxSystem) Catches(pid int, sig unix.Signal) (catches, known bool) {
	st, err := procfs.ReadStatusFile(filepath.Join(l.proc, strconv.Itoa(pid), "status"))
	if err != nil {
		return false, false
	}
	return st.SigCgt&sigs.Mask(sig) != 0, true
}
