package reattach_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nohupx/nohupx/internal/testbin"
)

func screenListed(t *testing.T, sb *sandbox, pid int, name string) {
	t.Helper()
	// screen -ls exits 1 even when it lists sessions; read its output.
	_, out := sb.works("screen", "-ls")
	if !strings.Contains(out, strconv.Itoa(pid)+"."+name) {
		t.Errorf("screen -ls = %q; want %d.%s", out, pid, name)
	}
}

// screen is recovered twice: the first time its socket is recreated as a
// FIFO (screen 4.x), which must be found and recovered the second time.
func TestScreenSocketDeleted(t *testing.T) {
	t.Parallel()
	testbin.Need(t, "screen")
	sb := newSandbox(t)
	pid := sb.screen("work")
	sock := filepath.Join(sb.screenDir(), strconv.Itoa(pid)+".work")
	for round := 1; round <= 2; round++ {
		if err := os.Remove(sock); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := sb.run("--under", sb.dir, strconv.Itoa(pid))
		if code != 0 || !strings.Contains(out, "socket deleted; sent SIGCHLD; reachable again") {
			t.Fatalf("round %d: reattach-sock = %d, %q, %q; want 0 and a recovery\n%s", round, code, out, errOut, procDump(pid))
		}
		if !alive(pid) {
			t.Fatalf("round %d: the screen session died", round)
		}
	}
	// Only now: screen -ls connects, and a connect followed by a deletion
	// can itself end a screen session (see mayProbe).
	screenListed(t, sb, pid, "work")
}

func TestScreenDirectoryDeleted(t *testing.T) {
	t.Parallel()
	testbin.Need(t, "screen")
	sb := newSandbox(t)
	pid := sb.screen("work")
	if err := os.RemoveAll(sb.screenDir()); err != nil {
		t.Fatal(err)
	}
	code, out, _ := sb.run("--list", "--under", sb.dir, "screen")
	if code != 1 || !strings.Contains(out, "directory deleted") {
		t.Fatalf("reattach-sock --list = %d %q; want 1 and 'directory deleted'", code, out)
	}
	code, out, errOut := sb.run("--under", sb.dir, "screen")
	if code != 0 || !strings.Contains(out, "directory deleted; created") || !strings.Contains(out, "sent SIGCHLD; reachable again") {
		t.Fatalf("reattach-sock = %d, %q, %q; want 0 and a recovery", code, out, errOut)
	}
	if m, _ := mode(t, sb.screenDir()); m != os.ModeDir|0o700 {
		t.Errorf("recreated directory mode %v; want drwx------ (screen demands exactly 0700)", m)
	}
	time.Sleep(50 * time.Millisecond)
	if !alive(pid) {
		t.Fatal("the screen session died")
	}
	screenListed(t, sb, pid, "work")
}

// The hazard reattach-sock's order avoids, shown with screen itself: a
// SIGCHLD while the directory is missing ends the whole session.
func TestScreenDiesIfSignalledBeforeItsDirectoryExists(t *testing.T) {
	t.Parallel()
	testbin.Need(t, "screen")
	sb := newSandbox(t)
	pid := sb.screen("doomed")
	os.RemoveAll(sb.screenDir())
	syscall.Kill(pid, syscall.SIGCHLD)
	// A generous bound: one CI run, under -race with the packages in
	// parallel on two cores, saw screen still alive after 5 s.
	waitFor(t, "screen to end its session", 30*time.Second, func() bool { return !alive(pid) })
}

// procDump describes a process for a failure message: its state and its
// descriptors.
func procDump(pid int) string {
	var b strings.Builder
	stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	fmt.Fprintf(&b, "stat: %.60s\n", stat)
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, fd := range fds {
		link, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		fmt.Fprintf(&b, "fd %s -> %s\n", fd.Name(), link)
	}
	return b.String()
}
