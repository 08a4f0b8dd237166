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
	"time"

	"github.com/creack/pty"

	"github.com/nohupx/nohupx/internal/testbin"
)

// backupsAndLive is the concatenation of the rotated files (in name order,
// which is time order) and then the live file.
func backupsAndLive(t *testing.T, dir, live string) (data []byte, backups int) {
	t.Helper()
	base := strings.TrimSuffix(live, filepath.Ext(live))
	names, _ := filepath.Glob(filepath.Join(dir, base+"-*"+filepath.Ext(live)))
	sort.Strings(names)
	for _, n := range append(names, filepath.Join(dir, live)) {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, b...)
	}
	return data, len(names)
}

func TestRotatesByDefault(t *testing.T) {
	dir := t.TempDir()
	r := run(t, testbin.Path("nohupx"), setup{tty: [3]bool{false, true, false}, dir: dir,
		args: []string{"--max-size=1M", "--keep=0", "seq", "1", "500000"}})
	if r.code != 0 || r.stderr != "nohup: appending output to 'nohup.out'\n" {
		t.Fatalf("got %v", r)
	}
	want, _ := exec.Command("seq", "1", "500000").Output()
	got, backups := backupsAndLive(t, dir, "nohup.out")
	if !bytes.Equal(got, want) || backups < 2 {
		t.Errorf("backups+live = %d bytes in %d backups; want the %d bytes of seq in at least 2", len(got), backups, len(want))
	}
	if r.mode != 0o600 {
		t.Errorf("live file mode %v; want -rw-------", r.mode)
	}
}

// TestNoRotate: GNU's behaviour, the command writes the file itself.
func TestNoRotate(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string // what the command's stdout is
	}{
		{[]string{"--no-rotate"}, "DIR/nohup.out\n"},
		{nil, "pipe:"},
		{[]string{"-o", "/dev/null"}, ""}, // not a regular file: written directly
	} {
		dir := t.TempDir()
		args := append(tt.args, "readlink", "/proc/self/fd/1")
		r := run(t, testbin.Path("nohupx"), setup{tty: [3]bool{false, true, false}, args: args, dir: dir})
		if got := strings.ReplaceAll(r.nohupOut, dir, "DIR"); r.code != 0 || !strings.HasPrefix(got, tt.want) || (tt.want == "" && r.nohupOut != "<none>") {
			t.Errorf("nohupx %q: stdout was %q (%v); want %q", tt.args, got, r, tt.want)
		}
	}
}

func TestRotateNowAndRelays(t *testing.T) {
	bin := testbin.Path("nohupx")
	dir := t.TempDir()
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	job := exec.Command(bin, "sh", "-c", "echo first; while [ ! -e go-on ]; do sleep 0.05; done; echo second")
	job.Dir = dir
	job.Stdout = slave
	if err := job.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	defer job.Process.Kill()
	live := filepath.Join(dir, "nohup.out")
	waitFor(t, func() bool { b, _ := os.ReadFile(live); return string(b) == "first\n" })

	out, err := exec.Command(bin, "--relays").Output()
	for _, role := range []string{"writer", "holder"} {
		if err != nil || !regexp.MustCompile(`(?m)^\d+\t`+role+`\t`+regexp.QuoteMeta(live)+`$`).Match(out) {
			t.Errorf("--relays = %q, %v; want a line for the %s of %s", out, err, role, live)
		}
	}
	rot := exec.Command(bin, "--rotate", "nohup.out")
	rot.Dir = dir
	if out, err := rot.CombinedOutput(); err != nil || !strings.Contains(string(out), "to rotate 'nohup.out'") {
		t.Fatalf("--rotate = %q, %v", out, err)
	}
	// Only the backup is looked for: the live file is missing for a moment
	// between the rename and the new file's creation.
	waitFor(t, func() bool { b, _ := filepath.Glob(filepath.Join(dir, "nohup-*.out")); return len(b) == 1 })
	os.WriteFile(filepath.Join(dir, "go-on"), nil, 0o644)
	if err := job.Wait(); err != nil {
		t.Fatal(err)
	}
	settle(t, live)
	got, n := backupsAndLive(t, dir, "nohup.out")
	if live, _ := os.ReadFile(live); string(got) != "first\nsecond\n" || n != 1 || string(live) != "second\n" {
		t.Errorf("after --rotate: %d backups, all %q, live %q; want first in the backup, second live", n, got, live)
	}

	rot = exec.Command(bin, "--rotate", "nohup.out")
	rot.Dir = dir
	out, _ = rot.CombinedOutput()
	if rot.ProcessState.ExitCode() != 125 || string(out) != fmt.Sprintf("%s: no relay is writing 'nohup.out'\n", bin) {
		t.Errorf("--rotate with no relay = %d %q; want 125 and a message", rot.ProcessState.ExitCode(), out)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
	}
}

// TestKeepAndCompress: when the job ends right after a burst, the relay
// still applies --keep and --compress before it exits.
func TestKeepAndCompress(t *testing.T) {
	dir := t.TempDir()
	r := run(t, testbin.Path("nohupx"), setup{tty: [3]bool{false, true, false}, dir: dir,
		args: []string{"-q", "--max-size=1M", "--keep=2", "--compress", "seq", "1", "1000000"}})
	if r.code != 0 {
		t.Fatalf("got %v", r)
	}
	gz, _ := filepath.Glob(filepath.Join(dir, "nohup-*.out.gz"))
	plain, _ := filepath.Glob(filepath.Join(dir, "nohup-*.out"))
	if len(gz) != 3 || len(plain) != 0 {
		t.Fatalf("backups: %q and %q; want exactly 3 (the first and the 2 newest), gzipped", gz, plain)
	}
	sort.Strings(gz)
	first, err := exec.Command("zcat", gz[0]).Output()
	if err != nil || !bytes.HasPrefix(first, []byte("1\n2\n3\n")) {
		t.Errorf("first backup %s starts %q, %v; want the start of the output", gz[0], first[:min(20, len(first))], err)
	}
	var got []byte
	for _, name := range gz[1:] {
		b, err := exec.Command("zcat", name).Output()
		if err != nil {
			t.Fatalf("zcat %s: %v", name, err)
		}
		got = append(got, b...)
	}
	live, _ := os.ReadFile(filepath.Join(dir, "nohup.out"))
	got = append(got, live...)
	all, _ := exec.Command("seq", "1", "1000000").Output()
	got = regexp.MustCompile(`(?m)^nohupx: removed .*\n`).ReplaceAll(got, nil)
	if len(got) == 0 || !bytes.HasSuffix(all, got) {
		t.Errorf("kept backups + live (%d bytes, %q…%q) are not the end of the output", len(got), got[:min(20, len(got))], got[max(0, len(got)-20):])
	}
}
