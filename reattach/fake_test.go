package reattach_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nohupx/nohupx/internal/testbin"
	"github.com/nohupx/nohupx/reattach"
)

// fake starts testdata/fakeserver under the name of a server the machine
// lacks, listening on sock, and returns its pid. It is built under each
// name, as comm is the executed file's name; copying one build in the test
// could hit ETXTBSY while other tests fork.
func (sb *sandbox) fake(name, sock string, rebind bool) int {
	sb.t.Helper()
	exe := testbin.Program(sb.t, "./testdata/fakeserver", name)
	os.MkdirAll(filepath.Dir(sock), 0o700)
	c := exec.Command(exe, "-sock", sock, "-rebind="+strconv.FormatBool(rebind))
	if err := c.Start(); err != nil {
		sb.t.Fatal(err)
	}
	sb.t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	waitFor(sb.t, name+"'s socket", 5*time.Second, func() bool { _, err := os.Stat(sock); return err == nil })
	return c.Process.Pid
}

func TestAbducoStandIn(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	sock := filepath.Join(sb.dir, "abduco", "session")
	pid := sb.fake("abduco", sock, true)
	os.RemoveAll(filepath.Dir(sock))
	code, out, errOut := sb.run("--under", sb.dir, "abduco")
	if code != 0 || !strings.Contains(out, "abduco server "+strconv.Itoa(pid)) || !strings.Contains(out, "sent SIGUSR1; reachable again") {
		_, list, _ := sb.run("--list", "--under", sb.dir)
		t.Fatalf("reattach-sock abduco = %d %q %q; want 0 and a recovery\n%s\n%s", code, out, errOut, list, procDump(pid))
	}
}

// Emacs ignores SIGUSR1 unless the user installed the handler:
// reattach-sock says so and prints it, and signals only when asked.
func TestEmacsStandIn(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	stock := filepath.Join(sb.dir, "emacs0", "server")
	handled := filepath.Join(sb.dir, "emacs1", "server")
	stockPid := sb.fake("emacs", stock, false)
	handledPid := sb.fake("emacs", handled, true)
	os.Remove(stock)
	os.Remove(handled)

	code, _, errOut := sb.run("--under", sb.dir, "emacs")
	if code != 1 || strings.Count(errOut, reattach.EmacsHandler) != 2 {
		_, list, _ := sb.run("--list", "--under", sb.dir)
		t.Errorf("reattach-sock emacs = %d %q; want 1 and the handler for both servers\n%s\n%s\n%s", code, errOut, list, procDump(stockPid), procDump(handledPid))
	}
	if _, err := os.Lstat(handled); !os.IsNotExist(err) {
		t.Errorf("Emacs was signalled without --emacs-signal")
	}
	code, out, errOut := sb.run("--under", sb.dir, "--emacs-signal", "--timeout=300ms", strconv.Itoa(stockPid), strconv.Itoa(handledPid))
	if code != 1 || !strings.Contains(out, "emacs server "+strconv.Itoa(handledPid)) || !strings.Contains(out, "reachable again") {
		t.Errorf("reattach-sock --emacs-signal = %d %q; want the handled one recovered", code, out)
	}
	if !strings.Contains(errOut, "emacs server "+strconv.Itoa(stockPid)) || !strings.Contains(errOut, "no answer") {
		t.Errorf("reattach-sock --emacs-signal stderr = %q; want the stock Emacs reported unanswered, with the handler", errOut)
	}
}
