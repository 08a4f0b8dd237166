//go:build linux

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/internal/testbin"
)

// testbed is a Debian 12 system booted with systemd-nspawn from the image
// .ci/logind-testbed builds: systemd, logind, a system bus and sshd, with
// the nohupx binary and the test scripts at /opt/nohupx. A login is a
// real ssh login with a pty, so pam_systemd gives it a session scope.
type testbed struct {
	t      *testing.T
	image  string // the cache directory: rootfs/ and id_ed25519
	nspawn *exec.Cmd
	leader int // the container's systemd, pid 1 inside
}

// testbedImage is the image directory, or Missing.
func testbedImage(t *testing.T) string {
	t.Helper()
	testbin.NeedRoot(t, "to boot a container with systemd-nspawn")
	for _, tool := range []string{"systemd-nspawn", "nsenter", "ssh"} {
		testbin.Need(t, tool)
	}
	dir := os.Getenv("NOHUPX_TESTBED")
	if dir == "" {
		dir = "/var/cache/nohupx-e2e"
	}
	if _, err := os.Stat(filepath.Join(dir, "rootfs/lib/systemd/systemd")); err != nil {
		testbin.Missing(t, "no test bed image in %s (.ci/logind-testbed builds it): %v", dir, err)
	}
	return dir
}

// bootTestbed boots the image with logind.conf's KillUserProcesses set to
// kup. UserStopDelaySec=2 (10 s by default) makes a user manager without
// linger stop 2 s after the last logout, to keep the test short.
func bootTestbed(t *testing.T, image, name string, kup bool) *testbed {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "logind.conf.d")
	mustMkdir(t, conf)
	mustWrite(t, filepath.Join(conf, "testbed.conf"), fmt.Sprintf("[Login]\nKillUserProcesses=%s\nUserStopDelaySec=2\n", yesNo(kup)))
	console, err := os.Create(filepath.Join(dir, "console.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer console.Close()
	cmd := exec.Command("systemd-nspawn", "--boot", "--volatile=overlay", "--private-network",
		// The host's pid 1 is no systemd here: no scope of its own, and
		// no machined to register with.
		"--keep-unit", "--register=no", "--machine="+name,
		"--directory="+filepath.Join(image, "rootfs"),
		"--bind-ro="+conf+":/etc/systemd/logind.conf.d",
		"--bind-ro="+optDir(t)+":/opt/nohupx")
	cmd.Env = append(os.Environ(),
		// A pure cgroup v2 tree: on a hybrid host the user manager misses
		// the events that say a cgroup is empty.
		"SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1",
		// No system call filter: nspawn's makes nohupx -p's injected
		// system calls fail (a skipped call at a syscall-entry stop is
		// answered by the filter, not by the tracer's registers).
		"SYSTEMD_SECCOMP=0")
	cmd.Stdout, cmd.Stderr = console, console
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b := &testbed{t: t, image: image, nspawn: cmd}
	t.Cleanup(b.stop)
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(console.Name())
			t.Logf("container console:\n%s", lastLines(string(log), 30))
		}
	})
	b.waitUp()
	return b
}

// waitUp finds the container's systemd and waits until root can log in.
func (b *testbed) waitUp() {
	b.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for ; time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if b.leader == 0 {
			b.leader = childNamed(b.nspawn.Process.Pid, "systemd")
			continue
		}
		if _, err := b.ssh("root", false, "true"); err == nil {
			return
		}
	}
	b.t.Fatalf("the container did not let root log in within 60 s (systemd pid %d)", b.leader)
}

// stop powers the container off (nspawn turns SIGTERM into a clean
// shutdown), and kills it if that takes more than 20 s: killing the pid
// namespace's init kills everything in it.
func (b *testbed) stop() {
	done := make(chan struct{})
	go func() { b.nspawn.Wait(); close(done) }()
	b.nspawn.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
		return
	case <-time.After(20 * time.Second):
	}
	if b.leader != 0 {
		syscall.Kill(b.leader, syscall.SIGKILL)
	}
	b.nspawn.Process.Kill()
	<-done
}

// ssh runs script as user in the container, through a login over the
// container's loopback (nsenter into its network namespace): with tty, a
// pty, as a person's ssh session has. It returns what the session printed.
func (b *testbed) ssh(user string, tty bool, script string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := []string{"--net=/proc/" + strconv.Itoa(b.leader) + "/ns/net", "ssh",
		"-i", filepath.Join(b.image, "id_ed25519"), "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5"}
	if tty {
		args = append(args, "-tt")
	}
	args = append(args, user+"@127.0.0.1", "export SYSTEMD_PAGER=cat; "+script)
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "nsenter", args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return strings.ReplaceAll(out.String(), "\r\n", "\n"), err
}

// root runs script as root, and fails the test if it fails.
func (b *testbed) root(script string) string {
	b.t.Helper()
	out, err := b.ssh("root", false, script)
	if err != nil {
		b.t.Fatalf("in the container, %q: %v\n%s", script, err, out)
	}
	return out
}

// waitFor polls script, run as root, until its output (trimmed) is one of
// want, for up to 60 s.
func (b *testbed) waitFor(script string, want ...string) {
	b.t.Helper()
	var got string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		out, _ := b.ssh("root", false, script)
		got = strings.TrimSpace(out)
		for _, w := range want {
			if got == w {
				return
			}
		}
	}
	b.t.Fatalf("in the container, %q printed %q for 60 s; want one of %q", script, got, want)
}

// optDir is a directory every user may read, with the binary as nohupx and
// detach, and the scripts of testdata/logind.
func optDir(t *testing.T) string {
	t.Helper()
	exe := testbin.PublicCopy(t, testbin.Path("nohupx"), "nohupx")
	dir := filepath.Dir(exe)
	if err := os.Symlink("nohupx", filepath.Join(dir, "detach")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"beat", "login.sh"} {
		b, err := os.ReadFile(testdataPath(t, filepath.Join("logind", name)))
		if err != nil {
			t.Fatal(err)
		}
		mustWrite(t, filepath.Join(dir, name), string(b))
		if err := os.Chmod(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// childNamed is the pid of a child of parent whose comm is name, or 0.
func childNamed(parent int, name string) int {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, err := procfs.ReadStat(pid); err == nil && st.PPID == parent && st.Comm == name {
			return pid
		}
	}
	return 0
}

func mustMkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func mustWrite(t *testing.T, name, s string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
