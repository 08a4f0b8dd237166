package reattach

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/procfs"
)

// linuxSystem discovers servers from procfs and NETLINK_SOCK_DIAG.
type linuxSystem struct {
	proc string // procfs root, "/proc"
}

func newSystem() system { return linuxSystem{proc: "/proc"} }

// Discover lists the tmux, screen, abduco and emacs servers whose real uid
// want accepts. A server is a process of one of those kinds holding a
// listening AF_UNIX socket bound to a path (or, for screen 4.x after a
// recovery, a FIFO it reads). The socket's bound path comes from the kernel
// and stays known after the file is deleted.
func (l linuxSystem) Discover(want func(uid int) bool) ([]Server, []string, error) {
	var warn []string
	diag, err := dumpListeners()
	if err != nil {
		warn = append(warn, fmt.Sprintf("%v; falling back to /proc/net/unix, so socket files cannot be proved", err))
	}
	ents, err := os.ReadDir(l.proc)
	if err != nil {
		return nil, warn, err
	}
	selfNS, _ := os.Readlink(filepath.Join(l.proc, "self/ns/net"))
	var out []Server
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		s, ok := l.process(pid, want)
		if !ok {
			continue
		}
		var netunix map[uint32]string // this process's namespace, read when needed
		if ns, _ := os.Readlink(filepath.Join(l.proc, e.Name(), "ns/net")); diag == nil || (ns != "" && ns != selfNS) {
			if f, err := os.Open(filepath.Join(l.proc, e.Name(), "net/unix")); err == nil {
				netunix, _ = parseProcNetUnix(f)
				f.Close()
			}
		}
		found := l.sockets(s, diag, netunix)
		if len(found) == 0 && s.Kind == Screen {
			found = l.screenGuess(s)
		}
		out = append(out, found...)
	}
	return dropInherited(out), warn, nil
}

// process reads the identity of pid if it is a server of a wanted user.
func (l linuxSystem) process(pid int, want func(int) bool) (Server, bool) {
	dir := filepath.Join(l.proc, strconv.Itoa(pid))
	b, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return Server{}, false
	}
	st, err := procfs.ParseStat(b)
	if err != nil {
		return Server{}, false
	}
	var argv0 string
	if st.Comm == "screen" {
		cmd, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
		argv0, _, _ = strings.Cut(string(cmd), "\x00")
	}
	kind, ok := kindOf(st.Comm, argv0)
	if !ok {
		return Server{}, false
	}
	ps, err := procfs.ReadStatusFile(filepath.Join(dir, "status"))
	if err != nil || !want(ps.UID[0]) {
		return Server{}, false
	}
	uid, gid := ps.UID[0], ps.GID[0] // the real ids
	return Server{Kind: kind, PID: pid, PPID: st.PPID, UID: uid, GID: gid, User: userName(uid), Start: st.Start}, true
}

// sockets lists the listening sockets (and, for screen, FIFOs) of the
// process described by s, one Server each.
func (l linuxSystem) sockets(s Server, diag map[uint32]diagSocket, netunix map[uint32]string) []Server {
	fddir := filepath.Join(l.proc, strconv.Itoa(s.PID), "fd")
	ents, err := os.ReadDir(fddir)
	if err != nil {
		return nil
	}
	var out []Server
	seen := map[string]bool{}
	for _, e := range ents {
		link, err := os.Readlink(filepath.Join(fddir, e.Name()))
		if err != nil {
			continue
		}
		t := s
		t.File, t.FIFO = FileID{}, false
		if ino, ok := socketInode(link); ok {
			d, ok := diag[ino]
			if !ok && diag != nil {
				d, ok = lookupListener(ino) // the dump may have skipped it
			}
			if ok && d.Path != "" {
				t.Path = d.Path
				if d.VFS {
					t.File = FileID{Dev: userDev(d.Dev), Ino: uint64(d.FIno)}
				}
			} else if p, ok := netunix[ino]; ok {
				t.Path = p
			} else {
				continue
			}
		} else if s.Kind == Screen && strings.HasPrefix(link, "/") {
			// screen 4.x's recovered socket is a FIFO it holds open for
			// reading; fstat through /proc gives the FIFO's identity even
			// after it is unlinked.
			var st unix.Stat_t
			if unix.Stat(filepath.Join(fddir, e.Name()), &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
				continue
			}
			t.Path, t.FIFO = strings.TrimSuffix(link, " (deleted)"), true
			t.File = FileID{Dev: uint64(st.Dev), Ino: st.Ino}
		} else {
			continue
		}
		if !seen[t.Path] {
			seen[t.Path] = true
			out = append(out, t)
		}
	}
	return out
}

// socketInode parses the "socket:[12345]" that /proc/PID/fd shows.
func socketInode(link string) (uint32, bool) {
	s, ok := strings.CutPrefix(link, "socket:[")
	if !ok || !strings.HasSuffix(s, "]") {
		return 0, false
	}
	n, err := strconv.ParseUint(s[:len(s)-1], 10, 32)
	return uint32(n), err == nil
}

// statState is the state field (R, S, Z...) of /proc/PID/stat.
func statState(b []byte) string {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return ""
	}
	return string(b[i+2 : i+3])
}

// screenGuess names the socket of a screen server that holds none: after a
// recovery screen 4.x reads a FIFO, and when a client closes it screen
// reopens it by path; if the FIFO was deleted just then, screen holds
// nothing. Its path is $SCREENDIR (from its environment) or Debian's
// /run/screen/S-USER, then PID.NAME, with NAME from its -S option. Its
// identity cannot be known.
func (l linuxSystem) screenGuess(s Server) []Server {
	dir := filepath.Join(l.proc, strconv.Itoa(s.PID))
	cmd, err1 := os.ReadFile(filepath.Join(dir, "cmdline"))
	env, err2 := os.ReadFile(filepath.Join(dir, "environ"))
	name := screenSessionName(strings.Split(strings.TrimRight(string(cmd), "\x00"), "\x00"))
	if err1 != nil || err2 != nil || name == "" {
		return nil
	}
	sockdir := "/run/screen/S-" + s.User
	for _, kv := range strings.Split(string(env), "\x00") {
		if v, ok := strings.CutPrefix(kv, "SCREENDIR="); ok && v != "" {
			sockdir = v
		}
	}
	s.Path, s.FIFO = filepath.Join(sockdir, strconv.Itoa(s.PID)+"."+name), true
	return []Server{s}
}
