package detach

import (
	"errors"
	"net"
	"os"
	"testing"
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
