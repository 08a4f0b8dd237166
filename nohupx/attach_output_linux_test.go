package nohupx

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/nohupx/nohupx/internal/testbin"
)

// TestGrantOnlyWhatItCreated: nohupx -p, as root, gives the output file to
// the target's owner only if it made that file itself. The directory here
// is one the owner may write (root naming an --output in the user's
// directory), so the user can put a symbolic link to a file of root's at
// the name at any moment; that file must never change hands. Without
// O_EXCL telling what was created, a check before the open loses this
// race within a few hundred tries.
func TestGrantOnlyWhatItCreated(t *testing.T) {
	testbin.NeedRoot(t, "to give the output file away")
	dir := t.TempDir()
	victim, name := filepath.Join(dir, "victim"), filepath.Join(dir, "out.log")
	if err := os.WriteFile(victim, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	done := make(chan struct{})
	go func() { // the user's side: a link at the name, then none
		defer close(done)
		for !stop.Load() {
			_ = os.Symlink(victim, name)
			_ = os.Remove(name)
		}
	}()
	for i := 0; i < 3000; i++ {
		a := &attachOutput{o: Options{Output: name, NoRotate: true}}
		if out, err := a.get(); err == nil && out.Grant != nil {
			if err := out.Grant(65534, 65534); err != nil {
				t.Fatal(err)
			}
		}
		a.close()
	}
	stop.Store(true)
	<-done
	var st syscall.Stat_t
	if err := syscall.Stat(victim, &st); err != nil {
		t.Fatal(err)
	}
	if st.Uid != 0 {
		t.Errorf("%s, root's, now belongs to uid %d: a file reached through a link was given away as one nohupx created", victim, st.Uid)
	}
}
