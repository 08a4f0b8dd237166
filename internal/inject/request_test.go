package inject

import (
	"slices"
	"syscall"
	"testing"
)

// forStopped adds IgnoreIfStopped to Ignore, once, and reports what it
// added; it leaves the caller's Ignore slice alone.
func TestForStopped(t *testing.T) {
	hup, term, usr1 := syscall.SIGHUP, syscall.SIGTERM, syscall.SIGUSR1
	tests := []struct {
		ignore, ifStopped, want, added []syscall.Signal
	}{
		{[]syscall.Signal{hup}, []syscall.Signal{term}, []syscall.Signal{hup, term}, []syscall.Signal{term}},
		{[]syscall.Signal{hup, term}, []syscall.Signal{term}, []syscall.Signal{hup, term}, nil},
		{[]syscall.Signal{hup}, nil, []syscall.Signal{hup}, nil},
		{[]syscall.Signal{hup}, []syscall.Signal{term, usr1}, []syscall.Signal{hup, term, usr1}, []syscall.Signal{term, usr1}},
	}
	for _, tt := range tests {
		orig := slices.Clone(tt.ignore)
		got, added := Request{Ignore: tt.ignore, IgnoreIfStopped: tt.ifStopped}.forStopped()
		if !slices.Equal(got.Ignore, tt.want) || !slices.Equal(added, tt.added) || !slices.Equal(tt.ignore, orig) {
			t.Errorf("forStopped(%v + %v) = %v, added %v (caller's now %v); want %v, added %v",
				orig, tt.ifStopped, got.Ignore, added, tt.ignore, tt.want, tt.added)
		}
	}
}
