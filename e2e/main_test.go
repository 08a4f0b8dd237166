//go:build linux

// Package e2e proves, with real shells on real terminals, which jobs survive
// the end of a login. Each test reads like an experiment: start
// `bash --login --noprofile --norc -i` or `zsh -i` on a pty, start a
// heartbeat job through a launcher, end the shell the way a user does, and
// watch whether the job keeps beating.
//
// The plain job and GNU nohup are the controls: they must die and survive
// exactly where the README's table says, or the harness is wrong.
package e2e

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/testbin"
)

func TestMain(m *testing.M) {
	// Every cell spends most of its time waiting, so run more of them at
	// once than go test's default (GOMAXPROCS, 2 here); cells bounds the
	// real concurrency. An explicit -parallel wins.
	flag.Parse()
	if !flagGiven("test.parallel") {
		flag.Set("test.parallel", "16")
	}
	// Jobs orphaned by their shell are re-parented to us rather than to
	// pid 1 (which here is no real init and may never reap them), so a dead
	// job is reaped and its fatal signal reported. Being a subreaper does
	// not change which groups are orphaned: we are in another session.
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	os.Exit(testbin.Main(m))
}

func flagGiven(name string) (given bool) {
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// cells bounds how many shells run at once: the machine has two noisy
// cores, and a starved heartbeat would look like a dead one.
var cells = make(chan struct{}, 6)

func acquireCell(t *testing.T) {
	t.Parallel()
	cells <- struct{}{}
	t.Cleanup(func() { <-cells })
}

// testdataPath is the absolute path of a file in testdata.
func testdataPath(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}
