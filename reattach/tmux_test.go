package reattach_test

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/testbin"
)

// The first thing the user sees: tmux cannot connect although the server
// runs.
func tmuxBroken(t *testing.T, sb *sandbox, label string) {
	t.Helper()
	if ok, out := sb.works("tmux", "-L", label, "ls"); ok {
		t.Fatalf("tmux -L %s ls works after the deletion: %s", label, out)
	}
}

func TestTmuxSocketDeleted(t *testing.T) {
	t.Parallel()
	testbin.Need(t, "tmux")
	sb := newSandbox(t)
	pid := sb.tmux("x", "work")
	if err := os.Remove(sb.tmuxSock("x")); err != nil {
		t.Fatal(err)
	}
	tmuxBroken(t, sb, "x")

	code, out, errOut := sb.run("--under", sb.dir, strconv.Itoa(pid))
	if code != 0 || !strings.Contains(out, "socket deleted; sent SIGUSR1; reachable again") {
		t.Fatalf("reattach-sock = %d, %q, %q; want 0 and a recovery", code, out, errOut)
	}
	if ok, out := sb.works("tmux", "-L", "x", "ls"); !ok || !strings.HasPrefix(out, "work:") {
		t.Errorf("tmux -L x ls after recovery = %v %q; want the session work", ok, out)
	}
	if _, err := os.Stat(sb.tmuxSock("x") + ".lock"); !os.IsNotExist(err) {
		t.Errorf("the lock file reattach-sock created is still there: %v", err)
	}
}

func TestTmuxDirectoryDeleted(t *testing.T) {
	t.Parallel()
	testbin.Need(t, "tmux")
	sb := newSandbox(t)
	pid := sb.tmux("x", "work")
	if err := os.RemoveAll(sb.tmuxDir()); err != nil {
		t.Fatal(err)
	}
	// --list and --dry-run change nothing (a tmux client would recreate
	// the directory itself, so none is run before the recovery).
	code, out, _ := sb.run("--list", "--under", sb.dir)
	if code != 1 || !strings.Contains(out, "directory deleted") {
		t.Fatalf("reattach-sock --list = %d %q; want 1 and 'directory deleted'", code, out)
	}
	code, out, _ = sb.run("--dry-run", "--under", sb.dir)
	if code != 1 || !strings.Contains(out, "would create") || !strings.Contains(out, "would send SIGUSR1 to pid "+strconv.Itoa(pid)) {
		t.Fatalf("reattach-sock --dry-run = %d %q; want 1 and the plan", code, out)
	}
	if _, err := os.Lstat(sb.tmuxDir()); !os.IsNotExist(err) {
		t.Fatalf("--list or --dry-run created %s", sb.tmuxDir())
	}

	code, out, errOut := sb.run("--under", sb.dir, strconv.Itoa(pid))
	if code != 0 || !strings.Contains(out, "directory deleted; created") {
		t.Fatalf("reattach-sock = %d, %q, %q; want 0 and a recovery", code, out, errOut)
	}
	if m, uid := mode(t, sb.tmuxDir()); m != os.ModeDir|0o700 || int(uid) != os.Getuid() {
		t.Errorf("recreated directory: mode %v uid %d; want drwx------ and uid %d", m, uid, os.Getuid())
	}
	if ok, out := sb.works("tmux", "-L", "x", "ls"); !ok || !strings.HasPrefix(out, "work:") {
		t.Errorf("tmux -L x ls after recovery = %v %q; want the session work", ok, out)
	}
}

// A stale socket file (nobody listening) is in the way: tmux's SIGUSR1
// replaces it.
func TestTmuxStaleFile(t *testing.T) {
	t.Parallel()
	testbin.Need(t, "tmux")
	sb := newSandbox(t)
	pid := sb.tmux("x", "work")
	sock := sb.tmuxSock("x")
	os.Remove(sock)
	fd, _ := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: sock}); err != nil {
		t.Fatal(err)
	}
	syscall.Close(fd) // bound, never listened, closed: a stale file
	code, out, _ := sb.run("--list", "--under", sb.dir)
	if code != 1 || !strings.Contains(out, "stale file") {
		t.Fatalf("reattach-sock --list = %d %q; want 1 and 'stale file'", code, out)
	}
	code, out, errOut := sb.run("--under", sb.dir, strconv.Itoa(pid))
	if code != 0 || !strings.Contains(out, "stale file; sent SIGUSR1; reachable again") {
		t.Fatalf("reattach-sock = %d, %q, %q; want 0", code, out, errOut)
	}
	if ok, out := sb.works("tmux", "-L", "x", "ls"); !ok {
		t.Errorf("tmux -L x ls after recovery: %s", out)
	}
}

// While a tmux client holds <socket>.lock (it is starting a server),
// reattach-sock waits and signals nothing.
func TestTmuxLockIsHeld(t *testing.T) {
	t.Parallel()
	testbin.Need(t, "tmux")
	sb := newSandbox(t)
	pid := sb.tmux("x", "work")
	sock := sb.tmuxSock("x")
	os.Remove(sock)
	lock, err := os.OpenFile(sock+".lock", os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := sb.run("--timeout=300ms", "--under", sb.dir, strconv.Itoa(pid))
	if code != 1 || !strings.Contains(errOut, "still held by a tmux client") {
		t.Fatalf("reattach-sock with the lock held = %d %q; want 1 and the reason", code, errOut)
	}
	if _, err := os.Lstat(sock); !os.IsNotExist(err) {
		t.Fatalf("the server was signalled while the lock was held: %v", err)
	}
	syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if code, out, errOut := sb.run("--under", sb.dir, strconv.Itoa(pid)); code != 0 {
		t.Fatalf("reattach-sock after the lock was released = %d %q %q; want 0", code, out, errOut)
	}
	if _, err := os.Stat(sock + ".lock"); err != nil {
		t.Errorf("a lock file reattach-sock did not create was removed: %v", err)
	}
}

// A hijack: the directory was deleted, and a new tmux server was started
// on the same path. The old server must not get SIGUSR1, which would
// unlink the new server's socket and orphan it.
func TestTmuxHijackLeftAlone(t *testing.T) {
	t.Parallel()
	testbin.Need(t, "tmux")
	sb := newSandbox(t)
	old := sb.tmux("x", "first")
	os.RemoveAll(sb.tmuxDir())
	newer := sb.tmux("x", "second")
	ino := inode(sb.tmuxSock("x"))

	code, out, _ := sb.run("--list", "--under", sb.dir)
	wantRows := []string{"tmux  " + strconv.Itoa(old), "path taken", "tmux  " + strconv.Itoa(newer)}
	for _, w := range wantRows {
		if !strings.Contains(out, w) {
			t.Errorf("reattach-sock --list = %q; want it to contain %q", out, w)
		}
	}
	if code != 1 {
		t.Errorf("reattach-sock --list = %d; want 1", code)
	}
	code, _, errOut := sb.run("--under", sb.dir)
	if code != 1 || !strings.Contains(errOut, "now belongs to pid "+strconv.Itoa(newer)) || !strings.Contains(errOut, "left alone") {
		t.Fatalf("reattach-sock = %d %q; want 1, the owner's pid, and 'left alone'", code, errOut)
	}
	if got := inode(sb.tmuxSock("x")); got != ino {
		t.Errorf("socket inode %d -> %d: the old server was signalled and stole the path", ino, got)
	}
	code, out, _ = sb.run("--list", "--json", "--under", sb.dir)
	var list []struct {
		PID    int    `json:"pid"`
		State  string `json:"state"`
		Owner  int    `json:"owner"`
		Proven bool   `json:"proven"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 1 || len(list) != 2 {
		t.Fatalf("reattach-sock --list --json = %d %q, %v; want 1 and two servers", code, out, err)
	}
	if l := list[0]; l.PID != old || l.State != "path taken" || l.Owner != newer || !l.Proven {
		t.Errorf("--json for the old server = %+v; want path taken, owner %d, proven", l, newer)
	}
	if ok, out := sb.works("tmux", "-L", "x", "ls"); !ok || !strings.HasPrefix(out, "second:") {
		t.Errorf("tmux -L x ls = %v %q; want the newer server's session", ok, out)
	}
	if !alive(old) || !alive(newer) {
		t.Errorf("alive: old %v, newer %v; want both", alive(old), alive(newer))
	}
}

// The lock file is in the user's directory, and they can make it a FIFO:
// opening that for writing would wait for a reader for ever, and hang
// root's --all-users run before it reaches any other user's server.
func TestTmuxLockNotRegular(t *testing.T) {
	t.Parallel()
	testbin.Need(t, "tmux")
	sb := newSandbox(t)
	pid := sb.tmux("x", "work")
	os.Remove(sb.tmuxSock("x"))
	if err := syscall.Mkfifo(sb.tmuxSock("x")+".lock", 0o600); err != nil {
		t.Fatal(err)
	}
	// Not a timing assertion: only so that a hang fails the test rather
	// than the whole run.
	hung := time.AfterFunc(time.Minute, func() {
		if fd, err := unix.Open(sb.tmuxSock("x")+".lock", unix.O_RDONLY|unix.O_NONBLOCK, 0); err == nil {
			t.Cleanup(func() { unix.Close(fd) })
		}
	})
	defer hung.Stop()
	code, out, errOut := sb.run("--under", sb.dir, strconv.Itoa(pid))
	if code != 1 || !strings.Contains(errOut, "x.lock': is not a regular file") {
		t.Errorf("reattach-sock = %d %q %q; want 1, the lock file refused", code, out, errOut)
	}
	if !alive(pid) {
		t.Error("the server died")
	}
}
