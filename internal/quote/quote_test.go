package quote

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/nohupx/nohupx/internal/testbin"
)

var names = []string{
	"nohup.out", "a b", "it's", "it's $x", "it's\\", "it's@", "'", "''", "a\nb", "\n\n",
	"a'\nb", "\t'", "#x", "x#", "~", "a~", "{", "{}", "x{", "@", "a\\b", "\x01", "\x7f",
	"caf\xc3\xa9", "caf\xc3\xa9's", "\xff", "bad\xc3", "tab\there", "semi;colon", "q?", "",
	// gnulib's second pass after an apostrophe starts in the state its
	// first pass ended in.
	"it's\n", "\nit's\n", "\n'x\n", "\ta'b\n", "'\n", "it's\xff", "\xffit's\xff",
	// iswprint: other spaces, format characters and private use print.
	"\u00a0", "\u200b", "\u00ad", "\ufeff", "\ue000", "\U000f0000", "it's \u00a0", "\u2028", "\u0085",
}

// TestShellMatchesGNU uses the real GNU nohup as the oracle: it quotes the
// command name in "failed to run command NAME" with quoteaf(), which is what
// Shell must reproduce, in the C and in a UTF-8 locale.
func TestShellMatchesGNU(t *testing.T) {
	if _, err := os.Stat("/usr/bin/nohup"); err != nil {
		testbin.Missing(t, "GNU nohup, to compare with: %v", err)
	}
	for _, locale := range []string{"C", "C.UTF-8"} {
		for _, name := range names {
			cmd := exec.Command("/usr/bin/nohup", name)
			cmd.Dir = t.TempDir()
			cmd.Env = []string{"PATH=" + cmd.Dir, "LC_ALL=" + locale}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			_ = cmd.Run()
			line := strings.TrimSuffix(stderr.String(), "\n")
			want, ok := strings.CutPrefix(line, "/usr/bin/nohup: failed to run command ")
			if !ok {
				t.Fatalf("nohup %q printed %q; want a 'failed to run command' line", name, line)
			}
			want = want[:strings.LastIndex(want, ": ")]
			if got := shell(name, locale != "C"); got != want {
				t.Errorf("shell(%q) in %s = %s; want %s", name, locale, got, want)
			}
		}
	}
}
