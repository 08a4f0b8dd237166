package detach

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/nohupx/nohupx/internal/testbin"
	"time"
)

// TestNotifySocket: READY=1 is found in any line of any datagram, after
// an empty datagram too; Close wakes a WaitReady still waiting, and
// removes the socket's directory.
func TestNotifySocket(t *testing.T) {
	n, err := newNotifySocket(nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("unixgram", n.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, msg := range []string{"", "STATUS=starting", "MAINPID=1\nREADY=1\n"} {
		if _, err := c.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.WaitReady(); err != nil {
		t.Errorf("WaitReady = %v; want nil after READY=1", err)
	}
	done := make(chan error, 1)
	go func() { done <- n.WaitReady() }()
	if err := n.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrClosed) {
			t.Errorf("WaitReady after Close = %v; want os.ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not wake WaitReady")
	}
	if _, err := os.Stat(n.dir); !os.IsNotExist(err) {
		t.Errorf("stat %s after Close = %v; want it gone", n.dir, err)
	}
}

// TestNotifySettle: after Settle, WaitReady reads what is queued and
// returns: nil if a datagram said READY=1, errNotReady if none did, at
// once either way; the socket waits as before afterwards.
func TestNotifySettle(t *testing.T) {
	for _, tt := range []struct {
		name string
		msgs []string
		want error
	}{
		{"nothing queued", nil, errNotReady},
		{"no READY=1", []string{"", "STATUS=starting\n"}, errNotReady},
		{"READY=1 queued", []string{"STATUS=starting", "", "READY=1\n"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, err := newNotifySocket(nil)
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			c, err := net.Dial("unixgram", n.Path)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			for _, msg := range tt.msgs {
				if _, err := c.Write([]byte(msg)); err != nil {
					t.Fatal(err)
				}
			}
			// Settled before it reads: only the drain can find READY=1.
			if err := n.Settle(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- n.WaitReady() }()
			select {
			case err := <-done:
				if err != tt.want {
					t.Errorf("WaitReady after Settle = %v; want %v", err, tt.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("WaitReady still waiting after Settle")
			}
			if _, err := c.Write([]byte("READY=1")); err != nil {
				t.Fatal(err)
			}
			if err := n.WaitReady(); err != nil {
				t.Errorf("WaitReady after a settled one = %v; want nil after READY=1", err)
			}
		})
	}
}

// TestNotifySocketChownsNoLink: for --user, the socket's directory
// becomes the user's, who may then put a link at the socket's name at any
// moment; the chown of the socket must not follow it to a file of root's.
// The goroutine plays the user, changing the name as fast as it can.
func TestNotifySocketChownsNoLink(t *testing.T) {
	testbin.NeedRoot(t, "to chown the socket for --user")
	base := t.TempDir()
	t.Setenv("TMPDIR", base)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !stop.Load() {
			ents, _ := os.ReadDir(base)
			for _, e := range ents {
				p := filepath.Join(base, e.Name(), notifyName)
				for i := 0; i < 200 && os.Remove(p) != nil; i++ {
				}
				_ = os.Symlink(victim, p)
			}
		}
	}()
	u := &Credential{Uid: 65534, Gid: 65534}
	for i := 0; i < 500; i++ {
		if n, err := newNotifySocket(u); err == nil {
			n.Close()
		}
	}
	stop.Store(true)
	<-done
	var st syscall.Stat_t
	if err := syscall.Stat(victim, &st); err != nil {
		t.Fatal(err)
	}
	if st.Uid != 0 {
		t.Errorf("%s, root's, now belongs to uid %d: the socket's chown followed a link", victim, st.Uid)
	}
}
