//go:build linux

package nohupx_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/testbin"
)

// runJob runs the shell command line in dir (the built binary is first in
// PATH as nohupx) and waits until its relay has finished with file.
func runJob(t *testing.T, dir, line, file string, env ...string) (stderr string) {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", line)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + filepath.Dir(testbin.Path("nohupx")) + ":/usr/bin:/bin", "HOME=" + dir}, env...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", line, err, errb.String())
	}
	settle(t, filepath.Join(dir, file))
	return errb.String()
}

// segments lists the backups of name in dir, oldest first, then the live
// file, with what each holds.
func segments(t *testing.T, dir, name string) (names []string, data [][]byte) {
	t.Helper()
	ext := filepath.Ext(name)
	backups, _ := filepath.Glob(filepath.Join(dir, strings.TrimSuffix(name, ext)+"-*Z"+ext))
	sort.Strings(backups)
	for _, n := range append(backups, filepath.Join(dir, name)) {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		names, data = append(names, filepath.Base(n)), append(data, b)
	}
	return names, data
}

var removedNote = regexp.MustCompile(`(?m)^nohupx: removed (\S+) \((\d+) bytes, output from \S+ to \S+\): --keep 5 keeps this job.s first and the 5 newest\n`)

// TestDefaultRetention is the example: 1.5 million lines rotated
// at 1M with the default --keep. The first backup (line 1 on) and the five
// newest are kept, and every removal is noted in the output.
func TestDefaultRetention(t *testing.T) {
	dir := t.TempDir()
	runJob(t, dir, "nohupx -q --all-stdio --max-size 1M -o k.log seq 1 1500000", "k.log")
	names, data := segments(t, dir, "k.log")
	if len(names) != 1+5+1 {
		t.Fatalf("files %q; want the first backup, the 5 newest and the live file", names)
	}
	if !bytes.HasPrefix(data[0], []byte("1\n2\n3\n")) {
		t.Errorf("%s starts %q; want line 1", names[0], data[0][:20])
	}
	var notes [][][]byte
	for _, d := range data {
		notes = append(notes, removedNote.FindAllSubmatch(d, -1)...)
	}
	removed := map[string]bool{}
	for _, n := range notes {
		name := string(n[1])
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil || removed[name] {
			t.Errorf("note says %s was removed, but it is there (or was noted twice)", name)
		}
		removed[name] = true
	}
	// seq 1 1500000 is 10.4 MB: 9 or 10 files of at most 1 MiB, of which
	// 6 backups are kept.
	if len(removed) < 3 {
		t.Errorf("%d removals noted; want every removed backup noted (about 4)", len(removed))
	}
	// What is kept is whole lines of seq, in order, after the notes are
	// taken out: the first segment, then a gap, then the tail.
	kept := removedNote.ReplaceAll(bytes.Join(data, nil), nil)
	all, _ := exec.Command("seq", "1", "1500000").Output()
	if !bytes.HasPrefix(all, data[0]) || !bytes.HasSuffix(all, kept[len(data[0]):]) {
		t.Errorf("kept output is not the first segment and the end of seq")
	}
}

// TestExactSize: --max-size 512K means 524288 bytes, never more.
func TestExactSize(t *testing.T) {
	dir := t.TempDir()
	runJob(t, dir, "nohupx -q --all-stdio --max-size 512K --keep 0 -o k.log seq 1 500000", "k.log")
	names, data := segments(t, dir, "k.log")
	for i, d := range data[:len(data)-1] {
		if len(d) > 524288 || len(d) < 524288-4096 {
			t.Errorf("%s: %d bytes; want at most 524288, cut at most 4 KiB early on a line", names[i], len(d))
		}
	}
	all, _ := exec.Command("seq", "1", "500000").Output()
	if got := bytes.Join(data, nil); !bytes.Equal(got, all) {
		t.Errorf("the files hold %d bytes; want the %d of seq, once and in order", len(got), len(all))
	}
}

// TestRedirectedOutput: a rotation option given with an output the user
// redirected to a file rotates that file; without one, the file is left
// alone, as GNU nohup leaves it.
func TestRedirectedOutput(t *testing.T) {
	for _, tt := range []struct {
		name, line string
		rotated    bool
	}{
		{"with --max-size", "nohupx --max-size 1M seq 1 500000 > big.log 2>err.log", true},
		{"stderr too", "nohupx --max-size 1M sh -c 'seq 1 500000 >&2' > big.log 2>&1", true},
		{"no rotation option", "nohupx seq 1 500000 > big.log 2>err.log", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			runJob(t, dir, tt.line, "big.log")
			names, data := segments(t, dir, "big.log")
			all, _ := exec.Command("seq", "1", "500000").Output()
			got := bytes.Join(data, nil)
			if tt.rotated {
				notice := fmt.Sprintf("nohupx: '%s' is rotated at 1M, keeping the first and the 5 newest backups; follow it with tail -F\n",
					filepath.Join(dir, "big.log"))
				got = bytes.Replace(got, []byte(notice), nil, 1) // 2>&1 puts it in the file
				if errb, _ := os.ReadFile(filepath.Join(dir, "err.log")); tt.name != "stderr too" && string(errb) != notice {
					t.Errorf("stderr %q; want %q", errb, notice)
				}
			}
			if !bytes.Equal(got, all) {
				t.Errorf("the files hold %d bytes; want the %d of seq", len(got), len(all))
			}
			if rotated := len(names) > 1; rotated != tt.rotated {
				t.Errorf("files %q; want rotated %v", names, tt.rotated)
			}
		})
	}
}

// TestLossReportedWhenDiskStaysFull: the disk is full until the job ends,
// so the count of lost bytes can never go into the log; it must reach the
// relay log in the user's state directory.
func TestLossReportedWhenDiskStaysFull(t *testing.T) {
	testbin.NeedRoot(t, "to mount a small tmpfs")
	mnt := t.TempDir()
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=1m"); err != nil {
		testbin.Missing(t, "cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(mnt, unix.MNT_DETACH) })
	state := t.TempDir()
	dir := t.TempDir()
	runJob(t, dir, "nohupx -q --all-stdio -o "+mnt+"/k.log seq 1 500000", "../"+filepath.Base(mnt)+"/k.log",
		"XDG_STATE_HOME="+state)
	settle(t, filepath.Join(mnt, "k.log"))
	b, err := os.ReadFile(filepath.Join(state, "nohupx", "relay.log"))
	if err != nil {
		t.Fatalf("relay log: %v", err)
	}
	m := regexp.MustCompile(`k\.log: nohupx: dropped (\d+) bytes of output between \S+ and \S+: .*no space left on device.*the relay is exiting`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("relay log %q; want the count of dropped bytes", b)
	}
	t.Logf("%s", bytes.TrimSpace(m[0]))
}

// TestNotRotatedSaysWhy: an output file the relay must not rotate (here a
// symbolic link) is appended to, as GNU nohup would, and one line says so.
func TestNotRotatedSaysWhy(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "target"), []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("target", filepath.Join(dir, "k.log")); err != nil {
		t.Fatal(err)
	}
	stderr := runJob(t, dir, "nohupx --all-stdio --max-size 1K -o k.log seq 1 1000", "k.log")
	want := "nohupx: not rotating 'k.log': it is a symbolic link; appending to it\n"
	if !strings.HasSuffix(stderr, want) {
		t.Errorf("stderr %q; want it to end with %q", stderr, want)
	}
	all, _ := exec.Command("seq", "1", "1000").Output()
	if got, _ := os.ReadFile(filepath.Join(dir, "target")); string(got) != "old\n"+string(all) {
		t.Errorf("target holds %d bytes; want the old line and seq's output appended", len(got))
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "k-*")); len(names) != 0 {
		t.Errorf("backups %q; want none", names)
	}
}
