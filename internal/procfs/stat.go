// Package procfs parses the Linux /proc files that several parts of the
// suite read. The parsers are pure functions over bytes or an io.Reader, so
// they are tested on captured fixtures on every OS.
package procfs

import (
	"errors"
	"strconv"
	"strings"
)

// Stat is the part of /proc/PID/stat (proc(5)) the suite uses.
type Stat struct {
	Pid     int
	Comm    string
	State   byte // R, S, D, T (stopped), t (traced), Z (zombie), X (dead)
	PPID    int
	PGRP    int
	Session int
	TTYNr   int    // the controlling terminal's device number; 0 for none
	Start   uint64 // starttime in clock ticks since boot (field 22); 0 if the line is short
	// ExitCode is the thread's exit status in wait(2)'s form (field 52,
	// Linux 3.5; the kernel shows it only to a process that may trace
	// this one); 0 if the line is short.
	ExitCode int
}

var errMalformed = errors.New("malformed /proc/PID/stat line")

// ParseStat parses a /proc/PID/stat line. The comm field is in parentheses
// and may itself hold spaces and parentheses ("tmux: server", "a) b"), so
// the fields are counted after the last ')'.
func ParseStat(b []byte) (Stat, error) {
	s := string(b)
	open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || close < open {
		return Stat{}, errMalformed
	}
	f := strings.Fields(s[close+1:]) // f[0] is field 3 (state): field n is f[n-3]
	if len(f) < 5 || f[0] == "" {
		return Stat{}, errMalformed
	}
	st := Stat{Comm: s[open+1 : close], State: f[0][0]}
	var err error
	for _, p := range []struct {
		dst *int
		src string
	}{{&st.Pid, strings.TrimSpace(s[:open])}, {&st.PPID, f[1]}, {&st.PGRP, f[2]}, {&st.Session, f[3]}, {&st.TTYNr, f[4]}} {
		if *p.dst, err = strconv.Atoi(p.src); err != nil {
			return Stat{}, errMalformed
		}
	}
	if len(f) > 19 {
		if st.Start, err = strconv.ParseUint(f[19], 10, 64); err != nil {
			return Stat{}, errMalformed
		}
	}
	if len(f) > 49 {
		if st.ExitCode, err = strconv.Atoi(f[49]); err != nil {
			return Stat{}, errMalformed
		}
	}
	return st, nil
}

// ReadStat reads and parses /proc/PID/stat.
func ReadStat(pid int) (Stat, error) {
	b, err := ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return Stat{}, err
	}
	return ParseStat(b)
}
