package reattach

import (
	"bufio"
	"io"
	"slices"
	"strconv"
	"strings"
)

// lsofProc is one process in lsof's field output, with the paths of its
// bound AF_UNIX sockets.
type lsofProc struct {
	PID     int
	PPID    int
	UID     int
	Command string
	Paths   []string
}

// parseLsof reads the field output (-F) of `lsof -U`, one field a line,
// each line starting with its field letter:
//
//	p<pid>  c<command>  R<ppid>  u<uid>  L<login>   (a process set)
//	f<fd>  a<access>  t<type>  d<device>  o<offset>  n<name>   (a file set)
//
// A bound socket's name is its path (macOS prints /private/tmp/…, the real
// path); a connected socket's is "->0x…" (macOS) or "type=STREAM" with
// extra words (Linux), and is skipped. On macOS the path is still listed
// after the file was deleted, so it says nothing about what is on disk.
func parseLsof(r io.Reader) ([]lsofProc, error) {
	var out []lsofProc
	var cur *lsofProc
	var typ string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		field, v := line[0], line[1:]
		switch field {
		case 'p':
			pid, err := strconv.Atoi(v)
			if err != nil {
				cur = nil
				continue
			}
			out = append(out, lsofProc{PID: pid, UID: -1})
			cur = &out[len(out)-1]
		case 'f':
			typ = ""
		}
		if cur == nil {
			continue
		}
		switch field {
		case 'c':
			cur.Command = v
		case 'R':
			cur.PPID, _ = strconv.Atoi(v)
		case 'u':
			cur.UID, _ = strconv.Atoi(v)
		case 't':
			typ = v
		case 'n':
			if p, ok := socketPath(typ, v); ok && !slices.Contains(cur.Paths, p) {
				cur.Paths = append(cur.Paths, p)
			}
		}
	}
	return out, sc.Err()
}

// socketPath extracts the bound path from a unix socket's name field.
// Linux's lsof appends " type=STREAM" (and, for connected ones, peer
// details after "->"); macOS's prints the path alone.
func socketPath(typ, name string) (string, bool) {
	if typ != "unix" || !strings.HasPrefix(name, "/") || strings.Contains(name, "->") {
		return "", false
	}
	if i := strings.Index(name, " type="); i >= 0 {
		name = name[:i]
	}
	return name, true
}
