package nohupx

import (
	"errors"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/nohupx/nohupx/internal/getopt"
	"github.com/nohupx/nohupx/internal/sigs"
	"github.com/nohupx/nohupx/logrot"
)

func TestParse(t *testing.T) {
	hup := syscall.SIGHUP
	tests := []struct {
		args    []string
		act     action
		cmd     []string
		ignore  sigs.Set
		output  string
		quiet   bool
		all     bool
		wantErr string // "" for no error
	}{
		{args: []string{"ls", "-l"}, cmd: []string{"ls", "-l"}, ignore: sigs.Set{hup}},
		{args: []string{"grep", "--", "-v", "f"}, cmd: []string{"grep", "--", "-v", "f"}, ignore: sigs.Set{hup}},
		{args: []string{"--", "--help"}, cmd: []string{"--help"}, ignore: sigs.Set{hup}},
		{args: []string{"-"}, cmd: []string{"-"}, ignore: sigs.Set{hup}},
		{args: []string{"--help", "--bogus"}, act: actHelp},
		{args: []string{"--hel"}, act: actHelp},
		{args: []string{"--ver", "x"}, act: actVersion},
		{args: []string{"-q", "--help"}, act: actHelp},
		{args: []string{"ls", "--help"}, cmd: []string{"ls", "--help"}, ignore: sigs.Set{hup}},
		{args: []string{"-qo", "f.log", "cmd"}, cmd: []string{"cmd"}, ignore: sigs.Set{hup}, output: "f.log", quiet: true},
		{args: []string{"--output=f.log", "cmd"}, cmd: []string{"cmd"}, ignore: sigs.Set{hup}, output: "f.log"},
		{args: []string{"--ignore", "term,SIGCONT,20", "cmd"}, cmd: []string{"cmd"},
			ignore: sigs.Set{hup, syscall.SIGTERM, syscall.SIGCONT, syscall.SIGTSTP}},
		{args: []string{"--survive", "cmd"}, cmd: []string{"cmd"},
			ignore: sigs.Set{hup, syscall.SIGTERM, syscall.SIGTTIN, syscall.SIGTTOU}},
		{args: []string{"-s", "--ignore=HUP,QUIT", "cmd"}, cmd: []string{"cmd"},
			ignore: sigs.Set{hup, syscall.SIGTERM, syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGQUIT}},
		{args: []string{"--all-stdio", "cmd"}, cmd: []string{"cmd"}, ignore: sigs.Set{hup}, all: true},
		{args: nil, wantErr: "missing operand"},
		{args: []string{"--"}, wantErr: "missing operand"},
		{args: []string{"-q"}, wantErr: "missing operand"},
		{args: []string{"--bogus"}, wantErr: "unrecognized option '--bogus'"},
		{args: []string{"-x"}, wantErr: "invalid option -- 'x'"},
		{args: []string{"--help=x"}, wantErr: "option '--help' doesn't allow an argument"},
		{args: []string{"--output"}, wantErr: "option '--output' requires an argument"},
		{args: []string{"-o"}, wantErr: "option requires an argument -- 'o'"},
		{args: []string{"--output=", "cmd"}, wantErr: "--output needs a file name"},
		{args: []string{"--ignore=KILL", "cmd"}, wantErr: "--ignore: SIGKILL cannot be caught or ignored"},
		{args: []string{"--ignore=stop", "cmd"}, wantErr: "--ignore: SIGSTOP cannot be caught or ignored"},
		{args: []string{"--ignore=BOGUS", "cmd"}, wantErr: `--ignore: unknown signal "BOGUS"`},
		{args: []string{"--ignore=0", "cmd"}, wantErr: `--ignore: invalid signal number "0"`},
		{args: []string{"--ignore=65", "cmd"}, wantErr: `--ignore: invalid signal number "65"`},
		{args: []string{"--ignore=TERM,", "cmd"}, wantErr: "--ignore: empty signal name"},
		{args: []string{"--ignore=SEGV", "cmd"}, wantErr: "--ignore: SIGSEGV is a fault signal; ignoring it protects nothing (the kernel still kills on a fault)"},
		{args: []string{"--ignore=CHLD", "cmd"}, wantErr: "--ignore: ignoring SIGCHLD would break the command's wait() for its children"},
		{args: []string{"--max-size=10MB", "cmd"}, wantErr: `--max-size: invalid size "10MB": MB is ambiguous (GNU reads it as a power of 1000); write M or MiB`},
		{args: []string{"--max-size=0", "cmd"}, wantErr: "--max-size: invalid size \"0\": want 1 byte to 1T"},
		{args: []string{"--keep=-1", "cmd"}, wantErr: `--keep: invalid number of backups "-1": want 0 (all) or more`},
		{args: []string{"--keep=x", "cmd"}, wantErr: `--keep: invalid number of backups "x": want 0 (all) or more`},
		{args: []string{"--max-age=soon", "cmd"}, wantErr: `--max-age: invalid age "soon": want a number with a unit s, m, h or d, like 36h or 7d`},
		{args: []string{"--max-age=-3d", "cmd"}, wantErr: `--max-age: invalid age "-3d": want a number with a unit s, m, h or d, like 36h or 7d`},
		{args: []string{"--rotate=x", "cmd"}, wantErr: `extra operand "cmd" after --rotate`},
		{args: []string{"--relays", "cmd"}, wantErr: `extra operand "cmd" after --relays`},
		{args: []string{"--rotate="}, wantErr: "--rotate needs a file name"},
		{args: []string{"--rotate=nohup.out"}, act: actRotate},
		{args: []string{"--relays"}, act: actRelays},
		{args: []string{"--install-links", "bin", "--drop-in"}, act: actLinks},
		{args: []string{"--install-links="}, wantErr: "--install-links needs a directory"},
		{args: []string{"--drop-in", "cmd"}, wantErr: "--drop-in goes with --install-links"},
		{args: []string{"--on-exit=echo done", "cmd"}, cmd: []string{"cmd"}, ignore: sigs.Set{hup}},
		{args: []string{"--no-record", "cmd"}, cmd: []string{"cmd"}, ignore: sigs.Set{hup}},
		{args: []string{"--no-record", "--on-exit=echo done", "cmd"}, wantErr: "--on-exit needs the job record, which --no-record turns off"},
		{args: []string{"--on-exit=echo done", "--no-rec", "cmd"}, wantErr: "--on-exit needs the job record, which --no-record turns off"},
	}
	for _, tt := range tests {
		o, act, err := parse("nohupx", tt.args)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("parse(%q) error = %v; want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parse(%q) error = %v; want none", tt.args, err)
			continue
		}
		if act != tt.act {
			t.Errorf("parse(%q) action = %v; want %v", tt.args, act, tt.act)
		}
		if act != actRun {
			continue
		}
		if o.Policy != logrot.DefaultPolicy || o.NoRotate {
			t.Errorf("parse(%q) policy = %+v no-rotate %v; want the default and rotation on", tt.args, o.Policy, o.NoRotate)
		}
		if !slices.Equal(o.Command, tt.cmd) || !slices.Equal(o.Ignore, tt.ignore) ||
			o.Output != tt.output || o.Quiet != tt.quiet || o.AllStdio != tt.all {
			t.Errorf("parse(%q) = %+v; want cmd %q ignore %v output %q quiet %v all %v",
				tt.args, o, tt.cmd, tt.ignore, tt.output, tt.quiet, tt.all)
		}
	}
}

func TestParseErrorKinds(t *testing.T) {
	_, _, err := parse("nohupx", []string{"--bogus"})
	var ge *getopt.Error
	if !errors.As(err, &ge) {
		t.Errorf("parse(--bogus) error %T; want *getopt.Error", err)
	}
	if _, _, err := parse("nohupx", nil); !errors.Is(err, errMissingOperand) {
		t.Errorf("parse() error = %v; want errMissingOperand", err)
	}
}

func TestNotice(t *testing.T) {
	// Every combination of terminal fds, with GNU nohup's wording.
	tests := []struct {
		in, out, err bool
		want         string
	}{
		{false, false, false, ""},
		{true, false, false, "ignoring input"},
		{false, true, false, "appending output to 'nohup.out'"},
		{true, true, false, "ignoring input and appending output to 'nohup.out'"},
		{false, false, true, "redirecting stderr to stdout"},
		{true, false, true, "ignoring input and redirecting stderr to stdout"},
		{false, true, true, "appending output to 'nohup.out'"},
		{true, true, true, "ignoring input and appending output to 'nohup.out'"},
	}
	for _, tt := range tests {
		if got := makePlan(tt.in, tt.out, tt.err, false).notice("nohup.out"); got != tt.want {
			t.Errorf("notice(in=%v out=%v err=%v) = %q; want %q", tt.in, tt.out, tt.err, got, tt.want)
		}
	}
	if got := makePlan(false, false, false, true).notice("a b"); got != "ignoring input and appending output to 'a b'" {
		t.Errorf("notice(--all-stdio) = %q", got)
	}
}

func TestInHome(t *testing.T) {
	for _, tt := range []struct{ home, want string }{
		{"/root", "/root/nohup.out"},
		{"/root/", "/root/nohup.out"},
		{"", "nohup.out"},
		{"/", "/nohup.out"},
		{"/root//", "/root/nohup.out"},
		{"//", "//nohup.out"},
		{"a//b///", "a//b/nohup.out"},
	} {
		if got := inHome(tt.home, "nohup.out"); got != tt.want {
			t.Errorf("inHome(%q) = %q; want %q", tt.home, got, tt.want)
		}
	}
}

func TestParseRotation(t *testing.T) {
	o, _, err := parse("nohupx", []string{"--max-size=1500K", "--keep=0", "--max-age=7d", "--compress", "cmd"})
	want := logrot.Policy{MaxSize: 1500 << 10, Keep: 0, MaxAge: 7 * 24 * time.Hour, Compress: true}
	if err != nil || o.Policy != want {
		t.Errorf("policy = %+v, %v; want %+v", o.Policy, err, want)
	}
	o, _, err = parse("nohupx", []string{"--no-rotate", "--max-age=36h", "cmd"})
	if err != nil || !o.NoRotate || o.Policy.MaxAge != 36*time.Hour {
		t.Errorf("--no-rotate --max-age=36h = %+v, %v", o, err)
	}
}
