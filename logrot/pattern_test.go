//go:build linux

package logrot

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The test stream is made of 64-byte lines: the line number in 16 hex
// digits, a space, 46 letters and a newline. Any byte lost, repeated or
// moved breaks either the numbering or the alignment, so comparing with
// fillPattern byte for byte finds it.
const patternLine = 64

var lineTemplate = func() (l [patternLine]byte) {
	copy(l[:], "0000000000000000 abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST\n")
	return l
}()

// fillPattern writes bytes [off, off+len(b)) of the stream into b.
func fillPattern(b []byte, off int64) { fillStream(b, off, 0) }

// fillStream is fillPattern for the stream whose line numbers start at
// base, so that streams of several writers can be told apart.
func fillStream(b []byte, off int64, base uint64) {
	for len(b) > 0 {
		n, in := base+uint64(off/patternLine), off%patternLine
		if in == 0 && len(b) >= patternLine {
			copy(b, lineTemplate[:])
			putHex(b[:16], n)
			b, off = b[patternLine:], off+patternLine
			continue
		}
		line := lineTemplate
		putHex(line[:16], n)
		c := copy(b, line[in:])
		b, off = b[c:], off+int64(c)
	}
}

func putHex(b []byte, v uint64) {
	const digits = "0123456789abcdef"
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = digits[v&15]
		v >>= 4
	}
}

func pattern(off, n int64) []byte {
	b := make([]byte, n)
	fillPattern(b, off)
	return b
}

// logFiles lists the backups of path in name order, then path: the order in
// which they hold the stream.
func logFiles(t *testing.T, path string) []string {
	t.Helper()
	b := newBackupNamer(-1, filepath.Base(path))
	ents, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range ents {
		if _, ok := b.parse(e.Name()); ok {
			if strings.HasSuffix(e.Name(), compressSuffix) {
				t.Fatalf("unexpected gzipped backup %s", e.Name())
			}
			files = append(files, filepath.Join(filepath.Dir(path), e.Name()))
		} else if e.Name() != filepath.Base(path) {
			t.Errorf("unexpected file %s beside the log", e.Name())
		}
	}
	sort.Strings(files)
	return append(files, path)
}

// verifyStream checks that the backups of path and path hold exactly bytes
// [0, total) of the pattern, and that no file passes maxSize.
func verifyStream(t *testing.T, path string, total, maxSize int64) {
	t.Helper()
	buf := make([]byte, 1<<20)
	want := make([]byte, 1<<20)
	var off int64
	for _, name := range logFiles(t, path) {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		var size int64
		for {
			n, err := io.ReadFull(f, buf)
			if n > 0 {
				if off+int64(n) > total {
					f.Close()
					t.Fatalf("%s: the files hold more than the %d bytes written", name, total)
				}
				fillPattern(want[:n], off)
				if i := firstDiff(buf[:n], want[:n]); i >= 0 {
					f.Close()
					t.Fatalf("%s at %d (stream offset %d): got %q; want %q", name, size+int64(i), off+int64(i),
						around(buf[:n], i), around(want[:n], i))
				}
				off += int64(n)
				size += int64(n)
			}
			if err != nil {
				break
			}
		}
		f.Close()
		if maxSize > 0 && size > maxSize {
			t.Errorf("%s: %d bytes; want at most MaxSize %d", name, size, maxSize)
		}
	}
	if off != total {
		t.Fatalf("the files hold %d bytes; want %d (%d lost)", off, total, total-off)
	}
}

func firstDiff(a, b []byte) int {
	if bytes.Equal(a, b) {
		return -1
	}
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return len(a)
}

func around(b []byte, i int) []byte { return b[max(0, i-20):min(len(b), i+20)] }

// readLog concatenates the backups of path and path.
func readLog(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, name := range logFiles(t, path) {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, data...)
	}
	return all
}

func TestPattern(t *testing.T) {
	whole := pattern(0, 10*patternLine)
	for _, off := range []int64{0, 1, 63, 64, 65, 100, 639} {
		for _, n := range []int64{0, 1, 63, 64, 200} {
			n = min(n, int64(len(whole))-off)
			if got := pattern(off, n); !bytes.Equal(got, whole[off:off+n]) {
				t.Errorf("pattern(%d, %d) = %q; want %q", off, n, got, whole[off:off+n])
			}
		}
	}
	if got, want := string(whole[patternLine:2*patternLine]), "0000000000000001 "; !strings.HasPrefix(got, want) {
		t.Errorf("line 1 = %q; want prefix %q", got, want)
	}
}
