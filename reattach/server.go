package reattach

import (
	"fmt"
	"path/filepath"
	"strconv"
)

// Kind is the program a server belongs to; it decides the signal that makes
// the server bind its socket again and the directory rule its clients apply.
type Kind string

const (
	Tmux   Kind = "tmux"
	Screen Kind = "screen"
	Abduco Kind = "abduco"
	Emacs  Kind = "emacs"
	// Dtach is recognised so that it can be reported, but it has no way to
	// rebind its socket.
	Dtach Kind = "dtach"
)

// Kinds are the kinds an operand may name, in the order they are listed.
var Kinds = []Kind{Tmux, Screen, Abduco, Emacs}

// FileID is a file's identity on disk: st_dev and st_ino in the encoding
// stat(2) returns. The zero FileID means "not known".
type FileID struct {
	Dev uint64 `json:"dev"`
	Ino uint64 `json:"ino"`
}

// Known reports whether id was actually learnt.
func (id FileID) Known() bool { return id.Ino != 0 }

// Server is one live server process and the socket path it is bound to.
type Server struct {
	Kind  Kind   `json:"kind"`
	PID   int    `json:"pid"`
	PPID  int    `json:"-"`
	UID   int    `json:"uid"`
	GID   int    `json:"-"`
	User  string `json:"user"`
	Path  string `json:"socket"`
	Start uint64 `json:"-"` // start time in clock ticks (/proc/PID/stat field 22); 0 if unknown
	// File is the identity of the socket file the server bound, from the
	// kernel (NETLINK_SOCK_DIAG's UNIX_DIAG_VFS, or an fstat of a FIFO held
	// open). When it is known, a stat(2) of Path proves whose file is there.
	File FileID `json:"file"`
	// FIFO is set for a screen server that recreated its socket as a named
	// pipe, as screen 4.x does after a SIGCHLD recovery.
	FIFO bool `json:"fifo,omitempty"`
}

// Proven reports whether the server's socket file identity is known.
func (s Server) Proven() bool { return s.File.Known() }

// Dir is the directory that holds the socket.
func (s Server) Dir() string { return filepath.Dir(s.Path) }

func (s Server) String() string {
	return fmt.Sprintf("%s server %d (%s)", s.Kind, s.PID, s.Path)
}

// Listener is a listening socket found in the system: its bound path, the
// identity of its socket file, and the process holding it (0 when it
// belongs to a process this user cannot see).
type Listener struct {
	Path string
	File FileID
	PID  int
}

// State is what a server looks like from a client's point of view.
type State string

const (
	Reachable     State = "reachable"
	SocketDeleted State = "socket deleted"
	DirDeleted    State = "directory deleted"
	Stale         State = "stale file"
	Taken         State = "path taken"
	Unsafe        State = "unsafe directory"
	Unreachable   State = "unreachable"
	Gone          State = "exited"
)

// Recoverable reports whether a signal can bring a server in state st back.
func (st State) Recoverable() bool {
	return st == SocketDeleted || st == DirDeleted || st == Stale
}

// Status is a server's state and, unless it is reachable, why.
type Status struct {
	State  State  `json:"state"`
	Reason string `json:"reason,omitempty"`
	// Owner is the pid of the live server that owns the path now, for
	// Taken; 0 when that server belongs to a process we cannot see.
	Owner int `json:"owner,omitempty"`
}

func (st Status) String() string {
	if st.Reason == "" {
		return string(st.State)
	}
	return string(st.State) + ": " + st.Reason
}

func pidString(pid int) string {
	if pid == 0 {
		return "a process you cannot see"
	}
	return "pid " + strconv.Itoa(pid)
}
