package reattach_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nohupx/nohupx/internal/testbin"
)

const nobody = 65534

// Another user's server: root recovers it with --user, and the directory
// it creates belongs to that user; the user, unprivileged, can recover it
// too. Both need root to set up.
func TestOtherUser(t *testing.T) {
	t.Parallel()
	testbin.NeedRoot(t, "to run a server as another user")
	testbin.Need(t, "tmux")
	sb := newSandbox(t)
	if err := os.Chown(sb.dir, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	sb.env = append(sb.env, "HOME="+sb.dir)
	asNobody := func(c *exec.Cmd) *exec.Cmd {
		c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		return c
	}
	if out, err := asNobody(sb.cmd("tmux", "-L", "n", "new-session", "-d", "sleep 3600")).CombinedOutput(); err != nil {
		t.Fatalf("tmux as nobody: %v %s", err, out)
	}
	pidOut, err := asNobody(sb.cmd("tmux", "-L", "n", "display-message", "-p", "#{pid}")).CombinedOutput()
	pid, perr := strconv.Atoi(strings.TrimSpace(string(pidOut)))
	if err != nil || perr != nil {
		t.Fatalf("tmux display-message as nobody: %v %q", err, pidOut)
	}
	t.Cleanup(func() { killServer(pid) })
	dir := filepath.Join(sb.dir, "tmux-"+strconv.Itoa(nobody))
	works := func() bool { return asNobody(sb.cmd("tmux", "-L", "n", "ls")).Run() == nil }

	// root, without --user, sees only root's servers.
	if code, out, errOut := sb.run("--under", sb.dir); code != 0 || out != "" || !strings.Contains(errOut, "no tmux, screen, abduco or emacs server of root") {
		t.Errorf("reattach-sock as root without --user = %d %q %q; want nobody's server ignored", code, out, errOut)
	}
	os.RemoveAll(dir)
	code, out, errOut := sb.run("--user", "nobody", "--under", sb.dir)
	if code != 0 || !strings.Contains(out, "directory deleted; created") {
		t.Fatalf("reattach-sock --user nobody = %d %q %q; want a recovery", code, out, errOut)
	}
	if m, uid := mode(t, dir); m != os.ModeDir|0o700 || uid != nobody {
		t.Errorf("recreated %s: %v uid %d; want drwx------ owned by nobody", dir, m, uid)
	}
	if !works() {
		t.Error("tmux ls as nobody fails after the recovery")
	}

	// Unprivileged: nobody runs reattach-sock itself, from a copy it can
	// execute.
	exe := testbin.PublicCopy(t, testbin.Path("reattach-sock"), "reattach-sock")
	os.Remove(filepath.Join(dir, "n"))
	c := asNobody(sb.cmd(exe, "--under", sb.dir, strconv.Itoa(pid)))
	c.Args[0] = "reattach-sock"
	if out, err := c.CombinedOutput(); err != nil || !strings.Contains(string(out), "socket deleted; sent SIGUSR1; reachable again") {
		t.Errorf("reattach-sock as nobody = %v %q; want a recovery", err, out)
	}
	if !works() {
		t.Error("tmux ls as nobody fails after nobody's own recovery")
	}
}
