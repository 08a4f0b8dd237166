package procfs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Status is the part of /proc/PID/status (proc(5)) the suite uses.
type Status struct {
	Name      string
	State     byte // R, S, D, T, t, Z, X
	Tgid      int
	PPID      int
	TracerPid int
	UID, GID  [4]int // real, effective, saved, filesystem
	Kthread   bool   // a kernel thread (the Kthread: line is Linux 6.x; PPID 2 says it too)
	Seccomp   int    // 0 none, 1 strict, 2 filter
	CapEff    uint64
	SigIgn    uint64 // signal n is ignored when bit n-1 is set (sigs.Mask)
	SigCgt    uint64 // signal n has a handler when bit n-1 is set
	SigPnd    uint64 // signal n is pending for this thread itself when bit n-1 is set
}

// required are the lines every Linux since 2.6 writes; a file without one
// of them is not a status file (or was cut short).
var required = []string{"Name", "State", "Tgid", "TracerPid", "Uid", "Gid"}

// ParseStatus parses /proc/PID/status. A line it uses whose value does not
// parse is an error rather than a zero: a uid read as 0 would be root.
func ParseStatus(r io.Reader) (Status, error) {
	var st Status
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		var err error
		switch key {
		case "Name":
			st.Name = val
		case "State":
			if val == "" {
				err = errEmpty
			} else {
				st.State = val[0]
			}
		case "Tgid":
			st.Tgid, err = strconv.Atoi(val)
		case "PPid":
			st.PPID, err = strconv.Atoi(val)
		case "TracerPid":
			st.TracerPid, err = strconv.Atoi(val)
		case "Uid":
			st.UID, err = parseIDs(val)
		case "Gid":
			st.GID, err = parseIDs(val)
		case "Kthread":
			st.Kthread = val == "1"
		case "Seccomp":
			st.Seccomp, err = strconv.Atoi(val)
		case "CapEff":
			st.CapEff, err = strconv.ParseUint(val, 16, 64)
		case "SigIgn":
			st.SigIgn, err = strconv.ParseUint(val, 16, 64)
		case "SigCgt":
			st.SigCgt, err = strconv.ParseUint(val, 16, 64)
		case "SigPnd":
			st.SigPnd, err = strconv.ParseUint(val, 16, 64)
		default:
			continue
		}
		if err != nil {
			return Status{}, fmt.Errorf("/proc/PID/status: bad %s line %q: %w", key, val, err)
		}
		seen[key] = true
	}
	if err := sc.Err(); err != nil {
		return Status{}, err
	}
	for _, k := range required {
		if !seen[k] {
			return Status{}, fmt.Errorf("/proc/PID/status: no %s line", k)
		}
	}
	return st, nil
}

var errEmpty = errors.New("empty value")

// parseIDs parses the four ids of a Uid or Gid line. All four are
// required: a missing effective id must not read as root.
func parseIDs(val string) (ids [4]int, err error) {
	f := strings.Fields(val)
	if len(f) != 4 {
		return ids, fmt.Errorf("%d ids; want 4", len(f))
	}
	for i := range f {
		if ids[i], err = strconv.Atoi(f[i]); err != nil {
			return ids, err
		}
	}
	return ids, nil
}

// ReadStatus reads and parses /proc/PID/status.
func ReadStatus(pid int) (Status, error) {
	return ReadStatusFile("/proc/" + strconv.Itoa(pid) + "/status")
}

// ReadStatusFile reads and parses a status file by its path, for a caller
// that reads /proc under another root (a test's fixture tree).
func ReadStatusFile(path string) (Status, error) {
	b, err := ReadFile(path)
	if err != nil {
		return Status{}, err
	}
	return ParseStatus(bytes.NewReader(b))
}
