package nohupx

import (
	"os"
	"strconv"

	"github.com/nohupx/nohupx/internal/inject"
	"github.com/nohupx/nohupx/internal/logind"
)

// keepScope moves pids (this process, which becomes the command; or -p's
// targets) out of a login session that logind kills at logout, into a
// scope of the user's systemd manager, unless --no-scope; see package
// logind. Processes started afterwards, the relay among them, inherit the
// scope. It returns the lines to show and the scope, if the pids moved;
// whatever it fails to do, the job runs all the same.
func keepScope(o Options, pids ...int) logind.Result {
	req := logind.Request{Prefix: "nohupx", Command: o.Command, Linger: o.Linger}
	if o.Attach != attachNone {
		req.Command = []string{"-p"}
		if o.Attach == attachGroup {
			req.Command[0] = "-g"
		}
		for _, id := range o.Targets {
			req.Command = append(req.Command, strconv.Itoa(id))
		}
	}
	if !o.NoScope {
		req.Pids = pids
	}
	return logind.Keep(req)
}

// attachPids are the processes -p or -g is about to change, and then this
// one: the relay it may start for their output inherits its scope. A
// process a group member forks later inherits the member's.
func attachPids(o Options) []int {
	pids := o.Targets
	if o.Attach == attachGroup {
		pids = nil
		for _, pgid := range o.Targets {
			members, _ := inject.Group(pgid) // a missing group is reported later
			pids = append(pids, members...)
		}
	}
	return append(pids[:len(pids):len(pids)], os.Getpid())
}
