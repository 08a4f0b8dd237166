package inject

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The parsers of /proc files are pure functions over what was read, so
// that they are tested on captured fixtures on every OS.

// mapping is one line of /proc/PID/maps.
type mapping struct {
	Start, End uint64
	Perms      string // "r-xp"
	Name       string // path, [vdso], [stack], or ""
}

// parseMaps reads /proc/PID/maps.
func parseMaps(r io.Reader) ([]mapping, error) {
	var ms []mapping
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		// 7ffd5a1f0000-7ffd5a1f2000 r-xp 00000000 00:00 0   [vdso]
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			return nil, fmt.Errorf("maps: bad range %q", f[0])
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end < start {
			return nil, fmt.Errorf("maps: bad range %q", f[0])
		}
		m := mapping{Start: start, End: end, Perms: f[1]}
		if len(f) > 5 {
			m.Name = strings.Join(f[5:], " ")
		}
		ms = append(ms, m)
	}
	return ms, sc.Err()
}

// ttyRange is one line of /proc/tty/drivers: the devices of a tty driver.
type ttyRange struct {
	Major          uint32
	MinLo, MinHi   uint32
	Kind           string // "system:/dev/tty", "pty:slave", "pty:master", "serial", ...
	Name, DevPaths string
}

// parseTTYDrivers reads /proc/tty/drivers:
//
//	/dev/tty             /dev/tty        5       0 system:/dev/tty
//	pty_slave            /dev/pts      136 0-1048575 pty:slave
func parseTTYDrivers(r io.Reader) ([]ttyRange, error) {
	var rs []ttyRange
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		// The name may contain spaces ("unknown" does not, but be safe):
		// the last three fields are major, minors and type.
		n := len(f)
		major, err := strconv.ParseUint(f[n-3], 10, 32)
		if err != nil {
			return nil, fmt.Errorf("tty drivers: bad major in %q", sc.Text())
		}
		lo, hi, isRange := strings.Cut(f[n-2], "-")
		if !isRange {
			hi = lo
		}
		l, err1 := strconv.ParseUint(lo, 10, 32)
		h, err2 := strconv.ParseUint(hi, 10, 32)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("tty drivers: bad minors in %q", sc.Text())
		}
		rs = append(rs, ttyRange{Major: uint32(major), MinLo: uint32(l), MinHi: uint32(h),
			Kind: f[n-1], Name: strings.Join(f[:n-4], " "), DevPaths: f[n-4]})
	}
	return rs, sc.Err()
}

// isTerminal decides from a character device's numbers whether it is a
// terminal in the sense that matters here: a device that hangs up with the
// session. The pty master side (what a terminal emulator, sshd or tmux
// holds) and /dev/ptmx are not: they are the other end. Without a drivers
// table it falls back to the majors every Linux has.
func isTerminal(drivers []ttyRange, major, minor uint32) bool {
	if major == 5 && minor == 2 { // /dev/ptmx: a master
		return false
	}
	if drivers == nil {
		// 4: virtual consoles and serial ports; 5: /dev/tty and
		// /dev/console; 136–143: the pty slaves (/dev/pts).
		return major == 4 || (major == 5 && minor <= 1) || (major >= 136 && major <= 143)
	}
	for _, d := range drivers {
		if d.Major == major && minor >= d.MinLo && minor <= d.MinHi {
			return d.Kind != "pty:master"
		}
	}
	return false
}

// parseFdinfoFlags returns the "flags:" field of /proc/PID/fdinfo/N, the
// file's open flags in octal, O_CLOEXEC included.
func parseFdinfoFlags(data []byte) (uint64, error) {
	for _, line := range bytes.Split(data, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("flags:")); ok {
			return strconv.ParseUint(string(bytes.TrimSpace(v)), 8, 64)
		}
	}
	return 0, fmt.Errorf("fdinfo: no flags line")
}
