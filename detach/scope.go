package detach

import (
	"io"
	"os"

	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/logind"
)

// keepScope moves detach out of a login session that logind kills at
// logout, into a scope of the user's systemd manager, unless --no-scope
// (see package logind): the relay, the session stage and the command all
// start afterwards and inherit it. A command run as another user (--user)
// stays: the scope would be ours, not theirs. It says what it must on w
// and returns the scope, if it moved; whatever it fails to do, the
// command runs all the same.
func keepScope(o Options, w io.Writer) (unit string) {
	req := logind.Request{Prefix: "detach", Command: o.Command, Linger: o.Linger}
	if !o.NoScope && o.User == nil {
		req.Pids = []int{os.Getpid()}
	}
	res := logind.Keep(req)
	for _, line := range res.Lines {
		_ = diag.Printf(w, o.Prog, "%s", line)
	}
	return res.Unit
}
