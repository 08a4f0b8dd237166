package reattach

import (
	"fmt"
	"os/user"
	"slices"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// system is what discovery and classification need from the operating
// system: find_linux.go reads procfs and NETLINK_SOCK_DIAG, find_darwin.go
// parses lsof, and find_other.go supports nothing.
type system interface {
	// Discover lists the servers of the users want accepts, and warnings
	// about what it could not see.
	Discover(want func(uid int) bool) ([]Server, []string, error)
	// Owner finds the live listener whose socket file is id (or, where
	// identities are unknown, the newest other server bound to path).
	Owner(path string, id FileID) (pid int, live bool)
	// Alive reports whether the server's process still runs.
	Alive(s Server) bool
	// Refresh reads s again after a recovery: the server bound a new
	// socket file (or screen made a FIFO), so its identity changed.
	Refresh(s Server) (Server, bool)
	// Catches reports whether pid has a handler for sig; known is false
	// where that cannot be read.
	Catches(pid int, sig unix.Signal) (catches, known bool)
}

var userNames sync.Map // uid -> name

// userName is uid's login name, or the number when it has none.
func userName(uid int) string {
	if n, ok := userNames.Load(uid); ok {
		return n.(string)
	}
	name := strconv.Itoa(uid)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	userNames.Store(uid, name)
	return name
}

// selectServers keeps the servers the operands ask for: kinds and pids.
// With no operands, every server is kept. missing lists the pid operands
// that matched no server.
func selectServers(all []Server, kinds []Kind, pids []int, under string) (out []Server, missing []int) {
	for _, s := range all {
		if under != "" && !within(s.Path, under) {
			continue
		}
		if (len(kinds) == 0 && len(pids) == 0) || slices.Contains(kinds, s.Kind) || slices.Contains(pids, s.PID) {
			out = append(out, s)
		}
	}
	for _, p := range pids {
		if !slices.ContainsFunc(out, func(s Server) bool { return s.PID == p }) {
			missing = append(missing, p)
		}
	}
	slices.SortStableFunc(out, func(a, b Server) int {
		if a.Kind != b.Kind {
			return slices.Index(Kinds, a.Kind) - slices.Index(Kinds, b.Kind)
		}
		return a.PID - b.PID
	})
	return out, missing
}

// within reports whether path is dir or lies below it.
func within(path, dir string) bool {
	if dir == "/" {
		return true
	}
	return path == dir || len(path) > len(dir) && path[:len(dir)] == dir && path[len(dir)] == '/'
}

// dropInherited removes the processes that only inherited a server's
// listening socket: a tmux server's child between fork and exec (its pane,
// or utempter) still has the comm "tmux: server" and the socket, and its
// SIGUSR1 is back at the default action, which kills it. The server is the
// holder whose parent does not hold the same socket.
func dropInherited(all []Server) []Server {
	holders := map[string]map[int]bool{}
	key := func(s Server) string { return fmt.Sprintf("%s\x00%d:%d", s.Path, s.File.Dev, s.File.Ino) }
	for _, s := range all {
		if holders[key(s)] == nil {
			holders[key(s)] = map[int]bool{}
		}
		holders[key(s)][s.PID] = true
	}
	var out []Server
	for _, s := range all {
		if !holders[key(s)][s.PPID] {
			out = append(out, s)
		}
	}
	return out
}
