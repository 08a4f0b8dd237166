// Package completions_test checks the static completion files: they offer
// every option --help lists, and bash and fish really complete with them.
package completions_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nohupx/nohupx/internal/testbin"
)

func TestMain(m *testing.M) { os.Exit(testbin.Main(m)) }

var files = []string{"nohupx.bash", "_nohupx", "nohupx.fish"}

var longRE = regexp.MustCompile(`(?m)^\s{1,8}(?:-[A-Za-z0-9], )?(--[a-z][a-z0-9-]*)`)

func TestEveryOption(t *testing.T) {
	for _, applet := range []string{"nohupx", "detach", "reattach-sock"} {
		help, err := exec.Command(testbin.Path(applet), "--help").Output()
		if err != nil {
			t.Fatal(err)
		}
		opts := longRE.FindAllStringSubmatch(string(help), -1)
		if len(opts) < 5 {
			t.Fatalf("%s --help: found only %v", applet, opts)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			text := string(b)
			if f == "nohupx.fish" {
				text = regexp.MustCompile(`-l ([a-z-]+)`).ReplaceAllString(text, "--$1")
			}
			for _, o := range opts {
				if !strings.Contains(text, o[1]) {
					t.Errorf("%s --help lists %s; %s does not complete it", applet, o[1], f)
				}
			}
		}
	}
}

func TestSyntax(t *testing.T) {
	if out, err := exec.Command(testbin.Need(t, "bash"), "-n", "nohupx.bash").CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v %s", err, out)
	}
	if out, err := exec.Command(testbin.Need(t, "zsh"), "-n", "_nohupx").CombinedOutput(); err != nil {
		t.Errorf("zsh -n: %v %s", err, out)
	}
}

// bashComplete is a script that completes its first argument as bash does
// when TAB is pressed at the end of that line: the line is split into
// COMP_WORDS at blanks and, as bash does for the "=" of COMP_WORDBREAKS,
// around each "=" (--opt=val is --opt, = and val); the completion function
// gets the command, the text after the last "=" of the current word and
// the word before it, and the candidates are printed one a line. $2, if
// set, is sourced first (bash-completion).
const bashComplete = `[[ -n $2 ]] && . "$2"
. "$3"
COMP_LINE=$1; COMP_POINT=${#COMP_LINE}
read -ra blank <<<"$COMP_LINE"; [[ $COMP_LINE == *" " ]] && blank+=("")
COMP_WORDS=()
for w in "${blank[@]}"; do
	[[ -z $w ]] && { COMP_WORDS+=(""); continue; }
	while [[ $w == *=* ]]; do
		[[ -n ${w%%=*} ]] && COMP_WORDS+=("${w%%=*}")
		COMP_WORDS+=("=")
		w=${w#*=}
	done
	[[ -n $w ]] && COMP_WORDS+=("$w")
done
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
word=${COMP_WORDS[COMP_CWORD]}; [[ $word == "=" ]] && word=
f=$(complete -p "${COMP_WORDS[0]}" | sed 's/.*-F \([^ ]*\).*/\1/')
"$f" "${COMP_WORDS[0]}" "$word" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"`

// TestBash completes in a plain bash --norc, and with bash-completion
// loaded, as at a prompt; the --opt=value forms complete the value as the
// spaced forms do. Nothing may be printed on stderr (a plain bash once
// said "_init_completion: command not found").
func TestBash(t *testing.T) {
	bash := testbin.Need(t, "bash")
	const lib = "/usr/share/bash-completion/bash_completion"
	script, err := filepath.Abs("nohupx.bash")
	if err != nil {
		t.Fatal(err)
	}
	// The directory the user is in: a file, run.log, and a directory, runs.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "run.log"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "runs"), 0o755); err != nil {
		t.Fatal(err)
	}
	pgrp := strconv.Itoa(syscall.Getpgrp()) // a process group bash can see
	tests := []struct {
		line, want string
		needLib    bool   // the answer comes from another command's bash-completion
		not        string // a candidate that must not be offered
	}{
		{line: "nohupx --ou", want: "--output="},
		{line: "nohupx --quiet --ign", want: "--ignore="},
		{line: "nohupx --ignore ", want: "TERM"},
		{line: "nohupx --ignore T", want: "TERM"},
		{line: "nohupx --ignore=T", want: "TERM"},
		{line: "nohupx --ignore=", want: "TERM"},
		{line: "nohupx --output r", want: "run.log"},
		{line: "nohupx --output=r", want: "run.log"},
		{line: "detach --pidfile=r", want: "run.log"},
		{line: "detach --chdir=", want: "runs"},
		{line: "detach --chdir r", want: "runs"},
		{line: "nohupx -q kill -s ", want: "TERM", needLib: true}, // kill's own completion, through _command_offset
		{line: "nohupx --ignore=TERM kill -s ", want: "TERM", needLib: true},
		{line: "nohupx --survive chown --fr", want: "--from", needLib: true},
		{line: "nohupx -o f.log unam", want: "uname"}, // -o takes a value, then the command
		{line: "nohupx --output=f.log unam", want: "uname"},
		{line: "detach -p --pidf", want: "--pidfile="},
		{line: "nohupx -p ", want: "1"}, // process IDs, not a command
		{line: "nohupx -g ", want: pgrp},
		{line: "nohupx -p 1 ", want: "1"},
		{line: "detach -p unam", want: "uname"},             // detach's -p is --print-pid
		{line: "detach -w --print-pid unam", want: "uname"}, // and takes no IDs
		{line: "nohupx ssh -p ", not: "1"},                  // the command's own -p
		{line: "nohupx -q ps -g ", not: pgrp},
		{line: "reattach-sock --wa", want: "--watch"},
		{line: "reattach-sock scr", want: "screen"},
		{line: "reattach-sock --under=r", want: "runs"},
		{line: "detach --user ", want: "root"},
		{line: "detach --user=r", want: "root"},
	}
	for _, withLib := range []bool{false, true} {
		name, source := "plain", ""
		if withLib {
			name, source = "bash-completion", lib
		}
		t.Run(name, func(t *testing.T) {
			if withLib {
				if _, err := os.Stat(lib); err != nil {
					testbin.Missing(t, "bash-completion is not installed: %v", err)
				}
			}
			for _, tt := range tests {
				if tt.needLib && !withLib {
					continue
				}
				cmd := exec.Command(bash, "--norc", "--noprofile", "-c", bashComplete, "bash", tt.line, source, script)
				cmd.Dir = dir
				var stderr strings.Builder
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				if err != nil || stderr.Len() > 0 || tt.want != "" && !strings.Contains("\n"+string(out), "\n"+tt.want+"\n") {
					t.Errorf("bash (%s): %q completes to %q, %v, stderr %q; want %s among them",
						name, tt.line, out, err, stderr.String(), tt.want)
				}
				if tt.not != "" && strings.Contains("\n"+string(out), "\n"+tt.not+"\n") {
					t.Errorf("bash (%s): %q completes to %q; want no %s among them", name, tt.line, out, tt.not)
				}
			}
		})
	}
}

func TestFish(t *testing.T) {
	fish := testbin.Need(t, "fish")
	pgrp := strconv.Itoa(syscall.Getpgrp())
	tests := []struct{ line, want string }{
		{"nohupx --ou", "--output"},
		{"nohupx -p 1 ", "1\t"}, // process IDs, more than one
		{"nohupx -g ", pgrp + "\n"},
		{"detach -p unam", "uname"}, // detach's -p is --print-pid
		{"nohupx --ignore=", "--ignore=TERM"},
		{"nohupx -q unam", "uname"},
		{"detach --pidf", "--pidfile"},
		{"reattach-sock --dry", "--dry-run"},
	}
	for _, tt := range tests {
		out, err := exec.Command(fish, "--no-config", "-c", "source nohupx.fish; complete -C '"+tt.line+"'").CombinedOutput()
		if err != nil || !strings.Contains("\n"+string(out), "\n"+tt.want) {
			t.Errorf("fish: %q completes to %q, %v; want %s among them", tt.line, out, err, tt.want)
		}
	}
}
