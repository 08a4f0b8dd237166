package nohupx

import (
	"errors"
	"fmt"

	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/exitcode"
	"github.com/nohupx/nohupx/internal/quote"
	"github.com/nohupx/nohupx/logrot"
)

// rotateNow is --rotate FILE: it asks the relays writing FILE to rotate.
func rotateNow(o Options, fail int) int {
	pids, err := logrot.RotateNow(o.RotateFile)
	if err != nil {
		if errors.Is(err, logrot.ErrNoRelay) {
			err = fmt.Errorf("no relay is writing %s", quote.Shell(o.RotateFile))
		}
		_ = diag.Printf(o.Err, o.Prog, "%s", err)
		return fail
	}
	for _, pid := range pids {
		if !o.Quiet {
			_ = diag.Printf(o.Err, o.Prog, "asked relay %d to rotate %s", pid, quote.Shell(o.RotateFile))
		}
	}
	return exitcode.OK
}

// noRelay is what --relays prints when it finds no relay.
const noRelay = "no relay is running"

// listRelays is --relays: where the output of running jobs goes, one line
// per relay process (PID, writer or holder, FILE).
func listRelays(o Options, fail int) int {
	relays, err := logrot.ListRelays()
	if err != nil {
		_ = diag.Printf(o.Err, o.Prog, "cannot list relays: %s", err)
		return fail
	}
	if len(relays) == 0 {
		// An empty listing looks like a failure to a reader; say it.
		if _, err := fmt.Fprintln(o.Out, noRelay); err != nil {
			return diag.WriteStatus(o.Prog, err, fail)
		}
	}
	for _, r := range relays {
		role := "writer"
		if r.Holder {
			role = "holder"
		}
		if _, err := fmt.Fprintf(o.Out, "%d\t%s\t%s\n", r.Pid, role, r.Path); err != nil {
			return diag.WriteStatus(o.Prog, err, fail)
		}
	}
	return exitcode.OK
}
