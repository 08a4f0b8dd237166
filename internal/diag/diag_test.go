package diag

import (
	"errors"
	"io/fs"
	"syscall"
	"testing"
)

func TestNamed(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&fs.PathError{Op: "open", Path: "/x/y", Err: syscall.ENOENT}, "'/x/y': No such file or directory"},
		{syscall.ENOTDIR, "Not a directory"},
		{errors.New("it is gone"), "it is gone"},
	}
	for _, tt := range tests {
		if got := Named(tt.err); got != tt.want {
			t.Errorf("Named(%v) = %q; want %q", tt.err, got, tt.want)
		}
	}
}
