package procfs

import "testing"

func TestParseStat(t *testing.T) {
	tests := []struct {
		line string
		want Stat
		err  bool
	}{
		{line: "4242 (tmux: server) S 1 4242 4242 0 -1 4194560 1 0 0 0 5 3 0 0 20 0 1 0 8675309 0 0",
			want: Stat{Pid: 4242, Comm: "tmux: server", State: 'S', PPID: 1, PGRP: 4242, Session: 4242, Start: 8675309}},
		// A zombie thread killed by SIGSYS with a core dump (status 0x9f),
		// as its tracer reads it: 52 fields.
		{line: "77 (x) Z 1 77 77 0 -1 4194304 99 0 0 0 0 0 0 0 20 0 1 0 629818 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 159",
			want: Stat{Pid: 77, Comm: "x", State: 'Z', PPID: 1, PGRP: 77, Session: 77, Start: 629818, ExitCode: 159}},
		{line: "77 (x) Z 1 77 77 0 -1 4194304 99 0 0 0 0 0 0 0 20 0 1 0 629818 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 x", err: true},
		{line: "42 (a) b) c) T 7 42 40 34816 -1",
			want: Stat{Pid: 42, Comm: "a) b) c", State: 'T', PPID: 7, PGRP: 42, Session: 40, TTYNr: 34816}},
		{line: "1234 (x", err: true},
		{line: "1234 (x) S 1 2", err: true},
		{line: "pid (x) S 1 2 3 4", err: true},
	}
	for _, tt := range tests {
		got, err := ParseStat([]byte(tt.line))
		if (err != nil) != tt.err || (!tt.err && got != tt.want) {
			t.Errorf("ParseStat(%q) = %+v, %v; want %+v (error %v)", tt.line, got, err, tt.want, tt.err)
		}
	}
}
