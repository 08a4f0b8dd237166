//go:build linux

package logrot

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// dropNote matches the line the relay writes after losing output.
var dropNote = regexp.MustCompile(`(?m)^nohupx: dropped (\d+) bytes of output between (\S+) and (\S+): (.*)\n`)

// splitAtNote checks that log is pattern [0, k) + the note + pattern
// [k+dropped, total) for some k, allowing for the newline the relay puts
// before a note when the data before it ended mid-line, and returns the
// number of bytes the note says were dropped and the note's reason.
func splitAtNote(t *testing.T, log []byte, total int64) (dropped int64, why string) {
	t.Helper()
	m := dropNote.FindAllSubmatchIndex(log, -1)
	if len(m) != 1 {
		t.Fatalf("log has %d drop notes; want 1: %q", len(m), dropNote.FindAll(log, -1))
	}
	loc := m[0]
	dropped, _ = strconv.ParseInt(string(log[loc[2]:loc[3]]), 10, 64)
	why = string(log[loc[8]:loc[9]])
	before, after := log[:loc[0]], log[loc[1]:]
	for _, k := range []int{len(before), len(before) - 1} { // with or without an added newline
		if k < 0 || (k < len(before) && before[k] != '\n') {
			continue
		}
		if bytes.Equal(before[:k], pattern(0, int64(k))) &&
			int64(k)+dropped+int64(len(after)) == total &&
			bytes.Equal(after, pattern(int64(k)+dropped, int64(len(after)))) {
			return dropped, why
		}
	}
	t.Fatalf("log is not pattern + note (%q) + the rest of the pattern: %d bytes before the note, %d after, %d said dropped, %d written",
		log[loc[0]:loc[1]], len(before), len(after), dropped, total)
	return 0, ""
}

// TestDiskFull fills a small tmpfs while the command writes: the command
// must not block, and once space is back the log must say what was lost.
func TestDiskFull(t *testing.T) {
	mnt := mountTmpfs(t, 16<<20, false)
	dir := filepath.Join(mnt, "logs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "nohup.out")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(mnt, "filler")
	if err := os.WriteFile(filler, make([]byte, 12<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	w := startWriter(t, path, Policy{MaxSize: 1 << 20}, 64<<10+1)

	// 4 MiB fit; the rest must be drained and dropped, not block the writer.
	const full, after = 12 << 20, 3 << 20
	took := w.write(full, 20*time.Second)
	t.Logf("wrote %d MiB to a full disk in %v", full>>20, took)
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	w.write(after, 20*time.Second)
	w.finish()

	dropped, why := splitAtNote(t, readLog(t, path), full+after)
	if dropped < 4<<20 {
		t.Errorf("%d bytes dropped; want more than 4 MiB", dropped)
	}
	if !strings.Contains(why, "no space left on device") {
		t.Errorf("drop reason %q; want it to say no space left on device", why)
	}
	t.Logf("dropped %d bytes: %s", dropped, why)
}

// TestLogDirRemoved removes the log directory while the command writes,
// once when it can be recreated and once when it cannot for a while.
func TestLogDirRemoved(t *testing.T) {
	tests := []struct {
		name  string
		block bool // put a file where the directory was, then remove it
		notes []string
	}{
		{"recreated", false, []string{`the log directory \S+ was removed; recreated it \(mode 0700\)`}},
		{"blocked for a while", true, []string{
			`dropped 1048576 bytes of output between \S+ and \S+: recreate the log directory \S+: \S+ is not a directory`,
			`the log directory \S+ was removed; recreated it \(mode 0700\)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			top := filepath.Join(t.TempDir(), "top")
			dir := filepath.Join(top, "a", "b")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "nohup.out")
			w := startWriter(t, path, Policy{MaxSize: 1 << 20}, 64<<10)

			const before, lost, after = 3<<20 + 5, 1 << 20, 2 << 20
			w.write(before, 20*time.Second)
			// Poll only the sizes: while the relay rotates, the live file
			// is briefly absent (moved aside, not yet recreated).
			waitFor(t, 10*time.Second, "the first part on disk", func() bool { return logSize(dir) == before })
			if err := os.RemoveAll(filepath.Join(top, "a")); err != nil {
				t.Fatal(err)
			}
			off := int64(before)
			if tt.block {
				if err := os.WriteFile(filepath.Join(top, "a"), nil, 0o600); err != nil {
					t.Fatal(err)
				}
				w.write(lost, 20*time.Second)
				// Wait until the relay has read it all: it blocks in read.
				writer := writerOf(t, path)
				waitFor(t, 10*time.Second, "the relay to drain", func() bool { return relayIdle(writer) })
				if err := os.Remove(filepath.Join(top, "a")); err != nil {
					t.Fatal(err)
				}
				off += lost
			}
			w.write(after, 20*time.Second)
			w.finish()

			for _, d := range []string{filepath.Join(top, "a"), dir} {
				if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
					t.Errorf("%s: %v, %v; want a directory with mode 0700", d, fi.Mode(), err)
				}
			}
			log := readLog(t, path)
			for _, n := range tt.notes {
				re := regexp.MustCompile(`^\n?nohupx: ` + n + `.*\n`)
				m := re.Find(log)
				if m == nil {
					t.Fatalf("log starts %q; want a note matching %q", log[:min(len(log), 300)], re)
				}
				t.Logf("note: %s", bytes.TrimSpace(m))
				log = log[len(m):]
			}
			if want := pattern(off, after); !bytes.Equal(log, want) {
				t.Errorf("after the notes the log holds %d bytes; want the %d written after the removal", len(log), len(want))
			}
		})
	}
}

// relayIdle reports whether the writer pid has emptied both pipes and
// sleeps in poll(2), which is how it waits for data.
func relayIdle(pid int) bool {
	for _, fd := range []string{"fd/3", "fd/4"} {
		// Opening /proc/PID/fd/N opens the pipe itself (as a FIFO is opened).
		p, err := os.OpenFile(procPath(pid, fd), os.O_RDONLY|unix.O_NONBLOCK, 0)
		if err != nil {
			return false
		}
		queued, err := unix.IoctlGetInt(int(p.Fd()), unix.TIOCINQ)
		p.Close()
		if err != nil || queued != 0 {
			return false
		}
	}
	tasks, _ := os.ReadDir(procPath(pid, "task"))
	for _, task := range tasks {
		sc, _ := os.ReadFile(procPath(pid, "task/"+task.Name()+"/syscall"))
		for _, nr := range []int{unix.SYS_PPOLL, sysPoll} {
			if strings.HasPrefix(string(sc), fmt.Sprintf("%d ", nr)) {
				return true
			}
		}
	}
	return false
}

// logSize is the total size of the files in dir, for polling while the
// relay may be rotating.
func logSize(dir string) int64 {
	ents, _ := os.ReadDir(dir)
	var n int64
	for _, e := range ents {
		if fi, err := e.Info(); err == nil {
			n += fi.Size()
		}
	}
	return n
}
