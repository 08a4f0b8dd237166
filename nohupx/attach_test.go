package nohupx

import (
	"errors"
	"fmt"
	"slices"
	"syscall"
	"testing"

	"github.com/nohupx/nohupx/internal/inject"
	"github.com/nohupx/nohupx/internal/sigs"
)

func TestParseAttach(t *testing.T) {
	hup, term := syscall.SIGHUP, syscall.SIGTERM
	tests := []struct {
		args     []string
		act      action
		mode     attachMode
		targets  []int
		ignore   sigs.Set
		always   bool
		cont     bool
		wantErr  string
		rotation bool
	}{
		{args: []string{"-p", "123"}, act: actAttach, mode: attachPID, targets: []int{123}, ignore: sigs.Set{hup}},
		{args: []string{"-p", "-a", "--continue", "--ignore=TERM", "1", "2"}, act: actAttach, mode: attachPID,
			targets: []int{1, 2}, ignore: sigs.Set{hup, term}, always: true, cont: true},
		{args: []string{"-pa", "5"}, act: actAttach, mode: attachPID, targets: []int{5}, ignore: sigs.Set{hup}, always: true},
		{args: []string{"--pid", "--always", "5"}, act: actAttach, mode: attachPID, targets: []int{5}, ignore: sigs.Set{hup}, always: true},
		{args: []string{"-g", "77"}, act: actAttach, mode: attachGroup, targets: []int{77}, ignore: sigs.Set{hup}},
		{args: []string{"--pgid", "-s", "77"}, act: actAttach, mode: attachGroup, targets: []int{77},
			ignore: sigs.Set{hup, term, syscall.SIGTTIN, syscall.SIGTTOU}},
		{args: []string{"-p", "-q", "-o", "log", "--no-rotate", "9"}, act: actAttach, mode: attachPID, targets: []int{9}, ignore: sigs.Set{hup}},
		{args: []string{"-p", "--help"}, act: actHelp},
		{args: []string{"-p"}, wantErr: "missing operand"},
		{args: []string{"-p", "x"}, wantErr: "invalid process ID 'x'"},
		{args: []string{"-g", "0"}, wantErr: "invalid process group ID '0'"},
		{args: []string{"-p", "1", "-a"}, wantErr: "options go before the process IDs: '-a'"},
		{args: []string{"-p", "-g", "1"}, wantErr: "-p and -g cannot be combined: give either process IDs or process group IDs"},
		{args: []string{"-p", "--all-stdio", "1"}, wantErr: "--all-stdio does not go with -p or -g: only terminal fds are replaced in a running process"},
		{args: []string{"-p", "--relays"}, wantErr: "-p does not go with --relays"},
		{args: []string{"-p", "--jobs"}, wantErr: "-p does not go with --jobs"},
		{args: []string{"-g", "--log=1"}, wantErr: "-g does not go with --log"},
		{args: []string{"--kill=1", "-p", "1"}, wantErr: "-p does not go with --kill"},
		{args: []string{"-p", "--wait=1"}, wantErr: "-p does not go with --wait"},
		{args: []string{"-g", "--rotate=f"}, wantErr: "-g does not go with --rotate"},
		{args: []string{"-p", "--install-links=d", "--drop-in"}, wantErr: "-p does not go with --install-links"},
		{args: []string{"-p", "--drop-in", "1"}, wantErr: "-p does not go with --drop-in"},
		{args: []string{"-p", "--ignore=KILL", "1"}, wantErr: "--ignore: SIGKILL cannot be caught or ignored"},
		{args: []string{"-p", "--ignore=CHLD", "1"}, wantErr: "--ignore: ignoring SIGCHLD would break the command's wait() for its children"},
		{args: []string{"-p", "--co", "1"}, wantErr: "option '--co' is ambiguous; possibilities: '--continue' '--compress'"},
		// Without -p or -g, -a and --continue do not exist: GNU nohup's
		// errors, where getopt would have stopped. One option table, so
		// --co is ambiguous with or without -p.
		{args: []string{"-ab"}, wantErr: "invalid option -- 'a'"},
		{args: []string{"-qa", "cmd"}, wantErr: "invalid option -- 'a'"},
		{args: []string{"--always", "cmd"}, wantErr: "unrecognized option '--always'"},
		{args: []string{"--co", "cmd"}, wantErr: "option '--co' is ambiguous; possibilities: '--continue' '--compress'"},
		{args: []string{"--com", "cmd"}, act: actRun, rotation: true},
	}
	for _, tt := range tests {
		o, act, err := parse("nohupx", tt.args)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("parse(%q) error = %v; want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || act != tt.act {
			t.Errorf("parse(%q) = action %v, %v; want %v", tt.args, act, err, tt.act)
			continue
		}
		if tt.rotation && !o.Policy.Compress {
			t.Errorf("parse(%q): --co is not --compress any more", tt.args)
		}
		if act != actAttach {
			continue
		}
		if o.Attach != tt.mode || !slices.Equal(o.Targets, tt.targets) || !slices.Equal(o.Ignore, tt.ignore) ||
			o.Always != tt.always || o.Continue != tt.cont {
			t.Errorf("parse(%q) = %+v; want mode %v targets %v ignore %v always %v continue %v",
				tt.args, o, tt.mode, tt.targets, tt.ignore, tt.always, tt.cont)
		}
	}
}

func TestAttachStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{fmt.Errorf("x: %w", inject.ErrNoProcess), attachNoProcess},
		{fmt.Errorf("x: %w", inject.ErrTraced), attachTraced},
		{&inject.PermissionError{Why: "uid"}, attachPermission},
		{fmt.Errorf("x: %w", inject.ErrUnsupported), attachUnsupported},
		{fmt.Errorf("x: %w", inject.ErrFailed), attachFailed},
		{fmt.Errorf("x: %w", inject.ErrNotUndone), attachNotUndone},
		{fmt.Errorf("%w: %w", inject.ErrFailed, &outputError{"cannot open"}), 125},
		{errors.New("other"), attachFailed},
	}
	for _, tt := range tests {
		if got := attachStatus(tt.err, 125); got != tt.want {
			t.Errorf("attachStatus(%v) = %d; want %d", tt.err, got, tt.want)
		}
	}
	// Ordered by seriousness: the largest wins over several targets.
	if !(attachNoProcess < attachTraced && attachTraced < attachPermission && attachPermission < attachUnsupported &&
		attachUnsupported < attachFailed && attachFailed < attachNotUndone) {
		t.Error("the statuses are not ordered by seriousness")
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		res  inject.Result
		want string
	}{
		{inject.Result{Pid: 4242, Comm: "sleep", Ignored: []syscall.Signal{syscall.SIGHUP}, Stdin: true, Redirected: []int{1, 2}, Rotated: true},
			"4242 (sleep): now ignores HUP; stdin from /dev/null; stdout and stderr appended to 'nohup.out' (rotated by a relay)"},
		{inject.Result{Pid: 7, Comm: "x", Replaced: []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM}, Redirected: []int{2},
			NotRotated: "it cannot reopen nohupx's pipe", Stopped: true},
			"7 (x): now ignores HUP,TERM (its own handler replaced); stderr appended to 'nohup.out' (not rotated: it cannot reopen nohupx's pipe); still stopped (--continue resumes it)"},
		{inject.Result{Pid: 7, Comm: "x", AlreadyIgnored: []syscall.Signal{syscall.SIGHUP}, Continued: true, Stopped: true},
			"7 (x): already ignored HUP; continued"},
		{inject.Result{Pid: 7, Comm: "x", ThreadOf: 9},
			"7 (x, for its thread 9): nothing to change"},
		{inject.Result{Pid: 9, Comm: "py", Ignored: []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM},
			ForStopped: []syscall.Signal{syscall.SIGTERM}, Stopped: true},
			"9 (py): now ignores HUP,TERM; TERM too because it is stopped (bash sends SIGTERM to stopped jobs when it exits); still stopped (--continue resumes it)"},
		{inject.Result{Pid: 1 << 30, Comm: "x", KeptHandler: []syscall.Signal{syscall.SIGHUP}},
			"1073741824 (x): kept the program's own handler for HUP; -a replaces it"},
	}
	for _, tt := range tests {
		if got := describe(tt.res, "nohup.out"); got != tt.want {
			t.Errorf("describe(%+v) =\n\t%q; want\n\t%q", tt.res, got, tt.want)
		}
	}
}
