package procfs

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("0123456789abcdef"), 1000) // past several doublings of the buffer
	for name, data := range map[string][]byte{"empty": nil, "small": []byte("abc\n"), "exact": bytes.Repeat([]byte{'x'}, 512), "big": big} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		want []byte
		err  error
	}{
		{"empty", nil, nil},
		{"small", []byte("abc\n"), nil},
		{"exact", bytes.Repeat([]byte{'x'}, 512), nil},
		{"big", big, nil},
		{"missing", nil, fs.ErrNotExist},
		{".", nil, syscall.EISDIR},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadFile(filepath.Join(dir, tc.name))
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			var pe *fs.PathError
			if err != nil && !errors.As(err, &pe) {
				t.Errorf("error %T, want *fs.PathError", err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("read %d bytes, want %d", len(got), len(tc.want))
			}
		})
	}
}

// A proc file reports size 0: the read must not stop at the size.
func TestReadFileProc(t *testing.T) {
	b, err := ReadFile("/proc/self/status")
	if errors.Is(err, fs.ErrNotExist) && os.Getenv("CI") == "" {
		t.Skip("no /proc here")
	}
	if err != nil {
		t.Fatal(err)
	}
	st, err := ParseStatus(bytes.NewReader(b))
	if err != nil || st.Tgid != os.Getpid() {
		t.Fatalf("ParseStatus of %d bytes: %+v, %v; want Tgid %d", len(b), st, err, os.Getpid())
	}
}
