package entry_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/nohupx/nohupx/internal/entry"
	"github.com/nohupx/nohupx/internal/testbin"
)

// build builds the probe for goarch, with the entry point or without.
func build(t *testing.T, goarch string, withEntry bool) string {
	t.Helper()
	exe := filepath.Join(t.TempDir(), "probe")
	args := []string{"build", "-o", exe}
	if withEntry {
		args = append(args, "-ldflags="+entry.LinkFlag)
	}
	cmd := exec.Command("go", append(args, "./testdata/probe")...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return exe
}

// probe runs exe (through runner, if any) from bash after setup, with
// its stderr on a pipe (fd 3 until then), and returns what it printed.
func probe(t *testing.T, runner []string, exe, setup string) string {
	t.Helper()
	script := setup + `; exec "$@" 2>&3 3>&-`
	args := append(append([]string{"-c", script, "bash"}, runner...), exe)
	cmd := exec.Command("bash", args...)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	var b strings.Builder
	buf := make([]byte, 512)
	for {
		n, err := r.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v: %v (%q)", args, err, b.String())
	}
	return strings.TrimSpace(b.String())
}

// TestEntryPoint: the entry point records closed fds, ignores (those the
// runtime takes over included, and a real-time signal) and the mask; a
// build without it records nothing. The other architecture runs under
// qemu-user-static (which .ci/run installs).
func TestEntryPoint(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the entry point is Linux-only")
	}
	setup := `trap '' TERM QUIT PIPE 40; exec <&- >&-`
	for _, goarch := range []string{"amd64", "arm64"} {
		t.Run(goarch, func(t *testing.T) {
			var runner []string
			if goarch != runtime.GOARCH {
				q, err := exec.LookPath("qemu-" + map[string]string{"arm64": "aarch64", "amd64": "x86_64"}[goarch] + "-static")
				if err != nil {
					testbin.Missing(t, "no qemu to run %s: %v", goarch, err)
				}
				runner = []string{q}
			}
			// QUIT, PIPE, TERM and 40; none blocked (bash leaves the mask empty).
			want := "known=true closed=true,true,false ignored=0x8000005004 blocked=0x0"
			if runner != nil {
				// qemu keeps some host real-time signals for itself and
				// numbers the guest's differently: leave 40 out.
				setup = `trap '' TERM QUIT PIPE; exec <&- >&-`
				want = "known=true closed=true,true,false ignored=0x5004 blocked=0x0"
			}
			if got := probe(t, runner, build(t, goarch, true), setup); got != want {
				t.Errorf("with the entry point: %q; want %q", got, want)
			}
			if got := probe(t, runner, build(t, goarch, false), setup); got != "known=false closed=false,false,false ignored=0x0 blocked=0x0" {
				t.Errorf("without the entry point: %q; want nothing known", got)
			}
		})
	}
}
