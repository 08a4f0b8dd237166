package nohupx

import "github.com/nohupx/nohupx/internal/quote"

// plan says which of fds 0–2 nohupx replaces. GNU nohup replaces exactly
// the ones that are terminals, because those are the ones that die with the
// session: a read from a hung-up terminal fails or stops the job, and a
// write raises SIGHUP-era EIO. Whatever the user redirected is theirs.
type plan struct {
	stdin, stdout, stderr bool
}

func makePlan(inTTY, outTTY, errTTY, allStdio bool) plan {
	if allStdio {
		return plan{true, true, true}
	}
	return plan{inTTY, outTTY, errTTY}
}

// notice is the one advisory line GNU nohup prints for p, with file as
// the output file; it is "" when nothing is redirected.
func (p plan) notice(file string) string {
	switch {
	case p.stdout && p.stdin:
		return "ignoring input and appending output to " + quote.Shell(file)
	case p.stdout:
		return "appending output to " + quote.Shell(file)
	case p.stderr && p.stdin:
		return "ignoring input and redirecting stderr to stdout"
	case p.stderr:
		return "redirecting stderr to stdout"
	case p.stdin:
		return "ignoring input"
	}
	return ""
}

// replaced lists the fds p gives a file of nohupx's own.
func (p plan) replaced() []int {
	var fds []int
	for fd, r := range []bool{p.stdin, p.stdout, p.stderr} {
		if r {
			fds = append(fds, fd)
		}
	}
	return fds
}
