package reattach

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// attributor says who deleted a path. Where the kernel names the deleter
// (fanotify, as root on Linux) it does; elsewhere it gives the best hint.
type attributor interface {
	// Watch is told about each directory being watched.
	Watch(dir string)
	// Who describes the deleter of path, deleted at about at, or returns
	// a hint, or "".
	Who(path string, at time.Time) string
	Close()
}

// cleaners are the commands (as /proc/PID/comm truncates them, 15 bytes)
// that delete old files in temporary directories, or that people use to.
// A slice, not a map: the linker lays it out, where a map would be built
// at start-up by every applet of the binary.
var cleaners = []string{
	"rm", "rmdir", "unlink", "find",
	"systemd-tmpfile", "tmpreaper", "tmpwatch",
	"dirhelper", "tmp_cleaner", "periodic",
}

// unitRun is one run of a cleaning service: when it started and ended.
type unitRun struct {
	Unit       string
	Start, End time.Time
}

// parseSystemctlShow reads `systemctl show --timestamp=unix -p
// ExecMainStartTimestamp -p ExecMainExitTimestamp UNIT` output
// ("ExecMainStartTimestamp=@1763720000").
func parseSystemctlShow(unit string, r io.Reader) (unitRun, bool) {
	run := unitRun{Unit: unit}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		secs, err := strconv.ParseInt(strings.TrimPrefix(v, "@"), 10, 64)
		if !ok || err != nil || !strings.HasPrefix(v, "@") {
			continue
		}
		switch k {
		case "ExecMainStartTimestamp":
			run.Start = time.Unix(secs, 0)
		case "ExecMainExitTimestamp":
			run.End = time.Unix(secs, 0)
		}
	}
	return run, !run.Start.IsZero()
}

// runHint says whether a deletion at `at` falls within a run of a cleaning
// unit (with a second of slack each side, the timestamps' resolution), or
// shortly after it started if it has not ended.
func runHint(at time.Time, runs []unitRun) string {
	for _, r := range runs {
		end := r.End
		if end.Before(r.Start) {
			end = r.Start.Add(time.Minute) // still running, or no exit recorded yet
		}
		if !at.Before(r.Start.Add(-time.Second)) && !at.After(end.Add(time.Second)) {
			return fmt.Sprintf("likely %s: it ran at %s", r.Unit, r.Start.Format("15:04:05"))
		}
	}
	return ""
}

// suspectLine formats the cleaners seen running at the time of a deletion.
func suspectLine(found []string) string {
	if len(found) == 0 {
		return ""
	}
	return "running at that moment: " + strings.Join(found, "; ")
}

// joinHints keeps the non-empty hints.
func joinHints(h ...string) string {
	var out []string
	for _, s := range h {
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, "; ")
}
