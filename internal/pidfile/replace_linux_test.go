package pidfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestCleanupTouchesOnlyOurs: after a failed swap, the temporary name may
// hold someone else's file (swapped in, and not swapped back because its
// name went meanwhile): cleanup removes only our own file, and putBack
// returns theirs to the name it had.
func TestCleanupTouchesOnlyOurs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "job.pid")
	p, err := Prepare(path)
	if err != nil {
		t.Fatal(err)
	}
	defer p.File().Close()
	tmp := p.tmp.Name()
	// Theirs now holds the temporary name, ours is elsewhere.
	if err := os.Rename(tmp, tmp+".ours"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, []byte("theirs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.removeTmp()
	if b, err := os.ReadFile(tmp); err != nil || string(b) != "theirs\n" {
		t.Fatalf("after cleanup, the temporary name holds %q, %v; want theirs left alone", b, err)
	}
	putBack(int(p.dir.Fd()), filepath.Base(tmp), p.Name())
	if b, err := os.ReadFile(path); err != nil || string(b) != "theirs\n" {
		t.Errorf("after putBack, %s holds %q, %v; want theirs", path, b, err)
	}
	// Ours back under its name: now cleanup removes it.
	if err := os.Rename(tmp+".ours", tmp); err != nil {
		t.Fatal(err)
	}
	p.Abort()
	if _, err := os.Lstat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Abort, our temporary file: %v; want it removed", err)
	}
}
