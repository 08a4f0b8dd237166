// Package man_test keeps the hand-written manual pages honest: every option
// that an applet's --help lists must be documented in its page, and every
// page must be clean under mandoc -Tlint.
package man_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/nohupx/nohupx/internal/testbin"
)

func TestMain(m *testing.M) { os.Exit(testbin.Main(m)) }

var pages = []struct{ applet, page string }{
	{"nohupx", "nohupx.1"},
	{"detach", "detach.1"},
	{"setsid", "detach.1"},
	{"reattach-sock", "reattach-sock.1"},
}

// optionRE finds the options a help text offers: the words at the start
// of its option lines ("  -o, --output=FILE", "      --keep-fds").
var optionRE = regexp.MustCompile(`(?m)^\s{1,8}(-[A-Za-z0-9])?(?:, )?(--[a-z][a-z0-9-]*)?`)

func TestPagesListEveryOption(t *testing.T) {
	for _, p := range pages {
		t.Run(p.applet, func(t *testing.T) {
			help, err := exec.Command(testbin.Path(p.applet), "--help").Output()
			if err != nil {
				t.Fatal(err)
			}
			roff, err := os.ReadFile(p.page)
			if err != nil {
				t.Fatal(err)
			}
			page := strings.ReplaceAll(string(roff), `\-`, "-")
			var opts []string
			for _, m := range optionRE.FindAllStringSubmatch(string(help), -1) {
				for _, o := range m[1:] {
					if o != "" {
						opts = append(opts, o)
					}
				}
			}
			if len(opts) < 3 {
				t.Fatalf("found only %q in %s --help", opts, p.applet)
			}
			for _, o := range opts {
				if !regexp.MustCompile(`(^|[^a-z-])` + regexp.QuoteMeta(o) + `([^a-z-]|$)`).MatchString(page) {
					t.Errorf("%s --help lists %s, which %s does not document", p.applet, o, p.page)
				}
			}
		})
	}
}

func TestPagesLint(t *testing.T) {
	mandoc := testbin.Need(t, "mandoc")
	seen := map[string]bool{}
	for _, p := range pages {
		if seen[p.page] {
			continue
		}
		seen[p.page] = true
		out, _ := exec.Command(mandoc, "-Tlint", "-Wwarning", p.page).CombinedOutput()
		if len(out) > 0 {
			t.Errorf("mandoc -Tlint %s:\n%s", p.page, out)
		}
		for _, sec := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO", "WHY JOBS DIE"} {
			if b, _ := os.ReadFile(p.page); !strings.Contains(string(b), "\n.SH "+sec+"\n") {
				t.Errorf("%s has no %s section", p.page, sec)
			}
		}
	}
}
