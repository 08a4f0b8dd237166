package reattach

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// acceptCon is __SO_ACCEPTCON in the Flags column of /proc/net/unix: the
// socket called listen(2).
const acceptCon = 0x10000

// parseProcNetUnix reads /proc/net/unix (or /proc/PID/net/unix, which shows
// that process's network namespace) and returns the listening sockets bound
// to a filesystem path, keyed by socket inode:
//
//	Num       RefCount Protocol Flags    Type St Inode Path
//	0000...: 00000002 00000000 00010000 0001 01 989998 /tmp/tmux-1000/default
//
// It is the fallback for a server in another network namespace, where
// sock_diag cannot see: it gives the path but not the socket file's inode.
// A path containing a newline cannot be told apart; such lines are skipped.
func parseProcNetUnix(r io.Reader) (map[uint32]string, error) {
	out := make(map[uint32]string)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	first := true
	for sc.Scan() {
		if first {
			first = false
			if strings.HasPrefix(sc.Text(), "Num") {
				continue
			}
		}
		f := strings.Fields(sc.Text())
		if len(f) < 8 || !strings.HasSuffix(f[0], ":") {
			continue
		}
		flags, err1 := strconv.ParseUint(f[3], 16, 32)
		ino, err2 := strconv.ParseUint(f[6], 10, 32)
		if err1 != nil || err2 != nil || flags&acceptCon == 0 {
			continue
		}
		// The path is the rest of the line after the inode; it may contain
		// spaces. An abstract name is shown with a leading '@'.
		path := afterFields(sc.Text(), 7)
		if !strings.HasPrefix(path, "/") {
			continue
		}
		out[uint32(ino)] = path
	}
	return out, sc.Err()
}

// afterFields is what follows the first n space-separated fields of line.
func afterFields(line string, n int) string {
	for ; n > 0; n-- {
		line = strings.TrimLeft(line, " ")
		i := strings.IndexByte(line, ' ')
		if i < 0 {
			return ""
		}
		line = line[i:]
	}
	return strings.TrimLeft(line, " ")
}
