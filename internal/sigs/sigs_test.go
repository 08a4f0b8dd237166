package sigs

import (
	"syscall"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want syscall.Signal
		err  bool
	}{
		{"TERM", syscall.SIGTERM, false},
		{"SIGTERM", syscall.SIGTERM, false},
		{"term", syscall.SIGTERM, false},
		{"sigCont", syscall.SIGCONT, false},
		{"15", syscall.SIGTERM, false},
		{" HUP ", syscall.SIGHUP, false},
		{"64", 64, false},
		{"0", 0, true},
		{"65", 0, true},
		{"-1", 0, true},
		{"", 0, true},
		{"SIG", 0, true},
		{"NOPE", 0, true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestParseList(t *testing.T) {
	s, err := ParseList("TERM,cont,TERM,20")
	if err != nil || s.String() != "TERM,CONT,TSTP" {
		t.Errorf("ParseList = %v, %v; want TERM,CONT,TSTP", s, err)
	}
	if _, err := ParseList("TERM,,CONT"); err == nil {
		t.Error("ParseList(TERM,,CONT) succeeded; want an error for the empty name")
	}
}

func TestCheckIgnorable(t *testing.T) {
	for sig, ok := range map[syscall.Signal]bool{
		syscall.SIGHUP: true, syscall.SIGTERM: true, syscall.SIGCONT: true, syscall.SIGTSTP: true,
		syscall.SIGKILL: false, syscall.SIGSTOP: false, syscall.SIGSEGV: false, syscall.SIGCHLD: false,
	} {
		if err := CheckIgnorable(sig); (err == nil) != ok {
			t.Errorf("CheckIgnorable(%v) = %v; want ok=%v", sig, err, ok)
		}
	}
}

func TestMask(t *testing.T) {
	tests := []struct {
		sig  syscall.Signal
		want uint64
	}{
		{syscall.SIGHUP, 1},
		{syscall.SIGINT, 2},
		{syscall.SIGKILL, 0x100},
		{10, 0x200}, // SIGUSR1 on Linux: the bit /proc/PID/status shows as 0000000000000200
		{64, 1 << 63},
		{0, 0},
		{65, 0},
		{-1, 0},
	}
	for _, tt := range tests {
		if got := Mask(tt.sig); got != tt.want {
			t.Errorf("Mask(%d) = %#x; want %#x", int(tt.sig), got, tt.want)
		}
	}
}
