//go:build linux

package logrot

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/testbin"
)

// TestKillEachRelayProcess kills the holder and the writer in turn with
// SIGKILL while the job streams and the file rotates at 1M: the job must
// never see EPIPE, and every byte must be in the files once, in order.
func TestKillEachRelayProcess(t *testing.T) {
	total := int64(2_000_000 * patternLine / 16) // 2 M lines' worth of 16-byte lines
	if raceEnabled {
		total /= 8
	}
	path := filepath.Join(t.TempDir(), "nohup.out")
	w := startWriter(t, path, Policy{MaxSize: 1 << 20}, 8192)
	const rounds = 20 // ten kills of each
	step := total / rounds
	for i := range rounds {
		holder := i%2 == 0
		victim := roleOf(t, path, holder)
		// Kill while the write is under way, at a random moment.
		killed := make(chan struct{})
		go func() {
			defer close(killed)
			time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
			syscall.Kill(victim, syscall.SIGKILL)
		}()
		w.write(step, 60*time.Second)
		<-killed
		// Output resumes within a second: a new process takes its place.
		deadline := time.Now().Add(time.Second)
		for r := roleOf(t, path, holder); r == 0 || r == victim || roleOf(t, path, !holder) == 0; r = roleOf(t, path, holder) {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: no new %s a second after the kill", i, role(holder))
			}
			time.Sleep(time.Millisecond)
		}
	}
	w.finish()
	// A kill in the middle of a write is repaired without a note: the
	// journal always tells. A kill in the middle of a rotation is
	// finished by the next writer, which says so in a line of its own;
	// those lines are taken out before the stream is checked.
	for _, f := range logFiles(t, path) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var kept []string
		for _, l := range strings.SplitAfter(string(b), "\n") {
			switch {
			case strings.HasPrefix(l, "nohupx: a rotation was interrupted (the relay was killed); finished it: "):
				t.Logf("%s: %s", filepath.Base(f), strings.TrimSpace(l))
			case strings.HasPrefix(l, "nohupx:"):
				t.Errorf("%s: a note: %q", filepath.Base(f), l)
			default:
				kept = append(kept, l)
			}
		}
		if err := os.WriteFile(f, []byte(strings.Join(kept, "")), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	verifyStream(t, path, rounds*step, 1<<20)
}

func role(holder bool) string {
	if holder {
		return "holder"
	}
	return "writer"
}

// roleOf is the pid of path's holder or writer, 0 if there is none.
func roleOf(t *testing.T, path string, holder bool) int {
	for _, r := range relaysOf(path) {
		if r.Holder == holder {
			return r.Pid
		}
	}
	return 0
}

// TestLiveNameAlwaysExists watches the live name while the file rotates
// every millisecond or so: tail -F must never find it missing.
func TestLiveNameAlwaysExists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nohup.out")
	w := startWriter(t, path, Policy{MaxSize: 64 << 10}, 4096)
	stop := make(chan struct{})
	missing := make(chan int, 1)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				missing <- n
				return
			default:
			}
			var st unix.Stat_t
			if unix.Lstat(path, &st) != nil {
				n++
			}
		}
	}()
	w.write(32<<20, 60*time.Second)
	close(stop)
	w.finish()
	if n := <-missing; n > 0 {
		t.Errorf("the live name was missing %d times during rotations", n)
	}
	if files := logFiles(t, path); len(files) < 100 {
		t.Errorf("%d files; want hundreds of rotations", len(files))
	}
}

// plant makes what an attacker (uid nobody) can leave in a sticky,
// world-writable directory: a symlink owned by them, or a FIFO.
func plant(t *testing.T, name, target string) {
	t.Helper()
	if target == "" {
		if err := unix.Mkfifo(name, 0o666); err != nil {
			t.Fatal(err)
		}
	} else if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(name, 65534, 65534); err != nil {
		t.Fatal(err)
	}
}

// TestPlantedNames runs a rotating, gzipping, pruning relay as root in a
// sticky world-writable directory where another user has planted symlinks
// to root's secrets under every name the relay might touch, and a FIFO:
// the secrets stay byte for byte as they were, none of their bytes lands
// in a file of the directory, and the planted names are left alone.
func TestPlantedNames(t *testing.T) {
	testbin.NeedRoot(t, "to be the victim")
	private := t.TempDir()
	secret := filepath.Join(private, "secret")
	secretData := []byte("root's secret, never to be copied\n")
	if err := os.WriteFile(secret, secretData, 0o600); err != nil {
		t.Fatal(err)
	}
	shared := t.TempDir()
	if err := os.Chmod(shared, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(shared, "nohup.out")
	names := newBackupNamer(-1, "nohup.out")
	planted := map[string]string{ // name -> symlink target ("" for a FIFO)
		".nohup.out.nohupx-new.1.1":                  secret,
		names.name(time.Unix(1, 0)):                  secret,
		names.name(time.Unix(2, 0)):                  "",
		names.name(time.Unix(3, 0)) + compressSuffix: secret,
	}
	for name, target := range planted {
		plant(t, filepath.Join(shared, name), target)
	}
	// Backup names of the moment, and gzip temporaries of the old scheme.
	now := time.Now()
	for ms := range 3000 {
		n := names.name(now.Add(time.Duration(ms) * time.Millisecond))
		planted[n] = secret
		plant(t, filepath.Join(shared, n), secret)
		planted["."+n+compressSuffix+".tmp"] = secret
		plant(t, filepath.Join(shared, "."+n+compressSuffix+".tmp"), secret)
	}

	w := startWriter(t, path, Policy{MaxSize: 256 << 10, Keep: 1, Compress: true}, 4096)
	w.write(4<<20, 60*time.Second)
	w.finish()

	if got, err := os.ReadFile(secret); err != nil || !bytes.Equal(got, secretData) {
		t.Fatalf("secret = %q, %v; want it untouched", got, err)
	}
	ents, _ := os.ReadDir(shared)
	for _, e := range ents {
		p := filepath.Join(shared, e.Name())
		if target, ok := planted[e.Name()]; ok {
			var st unix.Stat_t
			unix.Lstat(p, &st)
			got, _ := os.Readlink(p)
			if got != target || st.Uid != 65534 {
				t.Errorf("planted %s now -> %q (uid %d); want -> %q, left alone", e.Name(), got, st.Uid, target)
			}
			continue
		}
		for _, b := range contents(t, p) {
			if bytes.Contains(b, []byte("root's secret")) {
				t.Errorf("%s holds the secret", e.Name())
			}
		}
	}
	for name := range planted {
		if _, err := os.Lstat(filepath.Join(shared, name)); err != nil {
			t.Errorf("planted %s: %v; want it left in place", name, err)
		}
	}
}

// contents is what a file holds, and what it holds gunzipped if it is a
// gzip file; symlinks and FIFOs are not read.
func contents(t *testing.T, p string) [][]byte {
	fi, err := os.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	out := [][]byte{b}
	if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
		u, _ := io.ReadAll(zr)
		out = append(out, u)
	}
	return out
}

// TestFollowedSymlinkNotRotated: root runs a job in a directory another
// user owns, where nohup.out is a symlink to a large file of someone
// else's. Appending through the link is what GNU nohup does; rotating,
// renaming or removing the victim is not.
func TestFollowedSymlinkNotRotated(t *testing.T) {
	testbin.NeedRoot(t, "to be the victim")
	victimDir := t.TempDir()
	victim := filepath.Join(victimDir, "data")
	old := bytes.Repeat([]byte("victim's data\n"), 20000) // past MaxSize
	if err := os.WriteFile(victim, old, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chown(victim, 65534, 65534)
	var before unix.Stat_t
	unix.Stat(victim, &before)
	theirs := t.TempDir()
	os.Chown(theirs, 65534, 65534)
	path := filepath.Join(theirs, "nohup.out")
	plant(t, path, victim)

	f, err := openAppend(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, note := Writer(f, path, Policy{MaxSize: 64 << 10, Keep: 1}, true)
	if w != f || note != "it is a symbolic link" {
		t.Fatalf("Writer = %v, %q; want the file itself, not rotated, because it is a symbolic link", w, note)
	}
	var after unix.Stat_t
	unix.Stat(victim, &after)
	got, _ := os.ReadFile(victim)
	ents, _ := os.ReadDir(victimDir)
	if after.Ino != before.Ino || !bytes.Equal(got, old) || len(ents) != 1 {
		t.Errorf("the victim was changed: inode %d -> %d, %d bytes, %d files beside it", before.Ino, after.Ino, len(got), len(ents))
	}
}
