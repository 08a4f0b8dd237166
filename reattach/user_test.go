package reattach_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

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

// A user's server whose socket directory would be in one of root's
// directories: root does not make it for them, or they would own a
// directory where root reads what they put (a systemd drop-in directory,
// say). The path is the user's to choose: a screen holding no socket is
// found by its SCREENDIR, and a socket bound in a mount namespace of the
// user's names any path.
func TestOtherUserDirInRoots(t *testing.T) {
	t.Parallel()
	testbin.NeedRoot(t, "to run a server as another user")
	sb := newSandbox(t)
	roots := filepath.Join(sb.dir, "roots")
	if err := os.Mkdir(roots, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := testbin.PublicCopy(t, testbin.Program(t, "./testdata/fakeserver", "SCREEN"), "SCREEN")
	c := exec.Command(exe, "-S", "x")
	c.Env = []string{"SCREENDIR=" + filepath.Join(roots, "S")}
	c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	pid := strconv.Itoa(c.Process.Pid)
	waitFor(t, "the stand-in's comm", 5*time.Second, func() bool {
		comm, _ := os.ReadFile("/proc/" + pid + "/comm")
		return string(comm) == "SCREEN\n"
	})
	code, out, errOut := sb.run("--user", "nobody", "--under", sb.dir, pid)
	if code != 1 || !strings.Contains(errOut, "is not made for uid 65534") {
		t.Errorf("reattach-sock = %d %q %q; want 1, the directory refused", code, out, errOut)
	}
	if _, err := os.Lstat(filepath.Join(roots, "S")); err == nil {
		t.Errorf("made %s for nobody in a directory of root's", filepath.Join(roots, "S"))
	}
}
