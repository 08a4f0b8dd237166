package nohupx_test

import (
	"os/exec"
	"testing"

	"github.com/nohupx/nohupx/internal/testbin"
)

// TestRelaysNone: --relays with no relay running says so on stdout, with
// status 0, rather than printing nothing (which reads like a failure).
// Relays of other tests or users may run on this machine, so nohupx runs
// in a PID namespace of its own, with its own /proc, where none can.
func TestRelaysNone(t *testing.T) {
	unshare := testbin.Need(t, "unshare")
	// -r maps us to root in a new user namespace, so this works unprivileged
	// where the kernel allows user namespaces.
	if out, err := exec.Command(unshare, "-rpf", "--mount-proc", "true").CombinedOutput(); err != nil {
		testbin.Missing(t, "cannot make a PID namespace with unshare: %v: %s", err, out)
	}
	cmd := exec.Command(unshare, "-rpf", "--mount-proc", testbin.Path("nohupx"), "--relays")
	var stderr []byte
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = ee.Stderr
	}
	if err != nil || string(out) != "no relay is running\n" {
		t.Errorf("nohupx --relays with no relay = %q, %v (stderr %q); want %q and status 0",
			out, err, stderr, "no relay is running\n")
	}
}
