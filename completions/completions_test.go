// Package completions_test checks the static completion files: they offer
// every option --help lists, and bash and fish really complete with them.
package completions_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
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

// TestBash completes as bash-completion does at a prompt.
func TestBash(t *testing.T) {
	bash := testbin.Need(t, "bash")
	const lib = "/usr/share/bash-completion/bash_completion"
	if _, err := os.Stat(lib); err != nil {
		testbin.Missing(t, "bash-completion is not installed: %v", err)
	}
	tests := []struct{ line, want string }{
		{"nohupx --ou", "--output="},
		{"nohupx --quiet --ign", "--ignore="},
		{"nohupx --ignore ", "TERM"},
		{"nohupx -q kill -s ", "TERM"}, // kill's own completion, through _command_offset
		{"nohupx --survive chown --fr", "--from"},
		{"nohupx -o f.log unam", "uname"}, // -o takes a value, then the command
		{"detach -p --pidf", "--pidfile="},
		{"nohupx -p ", "1"}, // process IDs, not a command
		{"reattach-sock --wa", "--watch"},
		{"reattach-sock scr", "screen"},
		{"detach --user ", "root"},
	}
	for _, tt := range tests {
		script := `. ` + lib + `; . ./nohupx.bash
COMP_LINE=$1; COMP_POINT=${#COMP_LINE}
read -ra COMP_WORDS <<<"$COMP_LINE"; [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
f=$(complete -p "${COMP_WORDS[0]}" | sed 's/.*-F \([^ ]*\).*/\1/')
"$f" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"`
		out, err := exec.Command(bash, "-c", script, "bash", tt.line).CombinedOutput()
		if err != nil || !strings.Contains("\n"+string(out), "\n"+tt.want+"\n") {
			t.Errorf("bash: %q completes to %q, %v; want %s among them", tt.line, out, err, tt.want)
		}
	}
}

func TestFish(t *testing.T) {
	fish := testbin.Need(t, "fish")
	tests := []struct{ line, want string }{
		{"nohupx --ou", "--output"},
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
