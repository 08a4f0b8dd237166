package ptytest

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/nohupx/nohupx/internal/testbin"
)

// The shells start with every signal at its default, whatever go test
// inherited.
func TestMain(m *testing.M) {
	testbin.DefaultSignals()
	os.Exit(m.Run())
}

func TestSyncMatchesOutputNotEcho(t *testing.T) {
	sh := Bash(t, t.TempDir())
	sh.Sync()
	sh.Send("echo A$((40+2))B\r")
	// The echoed input holds "A$((40+2))B"; only the output holds "A42B".
	if m := sh.Match(regexp.MustCompile(`A(\d+)B`), Timeout); m == nil || m[1] != "42" {
		t.Fatalf("Match(A(\\d+)B) = %q; want the output A42B", m)
	}
}

func TestControllingTerminal(t *testing.T) {
	sh := Bash(t, t.TempDir())
	sh.Sync()
	// Job control needs a controlling tty and the shell as session leader.
	sh.Send("[ -t 0 ] && [ $$ = $(ps -o sid= -p $$) ] && echo CT$((1+1))\r")
	sh.ExpectString("CT2", Timeout)
}

// The kernel's hangup reaches the foreground process group only if every
// copy of the master is really closed.
func TestHangupDeliversSIGHUP(t *testing.T) {
	for _, start := range []func(testing.TB, string, ...string) *Term{Bash, Zsh} {
		dir := t.TempDir()
		sh := start(t, dir)
		sh.Sync()
		sh.Send(`sh -c 'trap "echo hup >got; exit" HUP; echo FG$((1+1)); while :; do sleep 0.05; done'` + "\r")
		sh.ExpectString("FG2", Timeout)
		sh.Hangup()
		if err := sh.Wait(10 * time.Second); !sh.Exited() {
			t.Fatalf("after Hangup: %v; want the shell gone", err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			if _, err := os.Stat(filepath.Join(dir, "got")); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after Hangup the foreground job got no SIGHUP within 10s")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
