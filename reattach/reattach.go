package reattach

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/nohupx/nohupx/internal/applet"
	"github.com/nohupx/nohupx/internal/diag"
)

// Exit statuses. Unlike the launchers (125), this applet reports usage
// errors with 2, as most tools that are not drop-ins do.
const (
	ExitOK       = 0 // every server asked for is reachable at the end
	ExitNotFixed = 1 // some server is not, and the reason was printed
	ExitUsage    = 2 // bad option or operand
)

// Run is the applet: args is the whole command line, args[0] included;
// stdio takes the report and the messages; env is the environment the
// servers' socket directories are computed from, as each server computes
// them ($TMUX_TMPDIR, $SCREENDIR, $TMPDIR...). It returns the exit status.
func Run(args []string, stdio applet.Stdio, env []string) int {
	prog := args[0]
	o, act, err := parse(prog, args[1:], os.Getuid())
	switch act {
	case actHelp:
		return diag.WriteStatusTo(stdio.Err, prog, writeHelp(stdio.Out, prog), ExitNotFixed)
	case actVersion:
		return diag.WriteStatusTo(stdio.Err, prog, writeVersion(stdio.Out), ExitNotFixed)
	}
	if err != nil {
		diag.Usage(stdio.Err, prog, "%s", err)
		return ExitUsage
	}
	o.Stdout, o.Stderr, o.Env = stdio.Out, stdio.Err, env
	if o.Watch {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		return watch(ctx, o)
	}
	return run(o)
}

// run examines the servers o selects and, unless o.List or o.DryRun,
// recovers those a signal can bring back. It returns the exit status.
func run(o Options) int {
	sys := newSystem()
	all, warn, err := sys.Discover(o.wantUID)
	for _, w := range warn {
		_ = diag.Printf(o.Stderr, o.Prog, "warning: %s", w)
	}
	if err != nil {
		_ = diag.Printf(o.Stderr, o.Prog, "%s", err)
		return ExitNotFixed
	}
	servers, missing := selectServers(all, o.Kinds, o.PIDs, o.Under)
	code := ExitOK
	for _, pid := range missing {
		_ = diag.Printf(o.Stderr, o.Prog, "pid %d: not a tmux, screen, abduco or emacs server of %s", pid, o.who())
		code = ExitNotFixed
	}
	if len(servers) == 0 && len(missing) == 0 && !o.JSON {
		_ = diag.Printf(o.Stderr, o.Prog, "no tmux, screen, abduco or emacs server of %s is running", o.who())
	}
	rec := &recoverer{sys: sys, dryRun: o.DryRun || o.List, emacsSignal: o.EmacsSignal, timeout: o.Timeout}
	results := make([]Result, 0, len(servers))
	for _, s := range servers {
		var res Result
		if o.List {
			st := inspect(sys, s)
			res = Result{Server: s, Before: st, After: st}
		} else {
			res = rec.recover(s)
		}
		results = append(results, res)
		if !res.OK() {
			code = ExitNotFixed
		}
	}
	var werr error
	switch {
	case o.JSON:
		werr = writeJSON(o.Stdout, results, o.List)
	case o.List:
		werr = writeTable(o.Stdout, results)
	default:
		for _, res := range results {
			if res.Err != nil {
				_ = diag.Printf(o.Stderr, o.Prog, "%s", describe(res, time.Time{}))
			} else {
				_, werr = o.Stdout.Write([]byte(describe(res, time.Time{}) + "\n"))
			}
		}
	}
	if werr != nil {
		_ = diag.Printf(o.Stderr, o.Prog, "write error: %s", diag.Strerror(werr))
		return ExitNotFixed
	}
	return code
}

// watch is --watch: it runs until ctx ends, and returns 0 then.
func watch(ctx context.Context, o Options) int {
	if err := runWatch(ctx, o, newSystem()); err != nil {
		_ = diag.Printf(o.Stderr, o.Prog, "%s", err)
		return ExitNotFixed
	}
	return ExitOK
}

func (o Options) who() string {
	if o.AllUsers {
		return "any user"
	}
	return userName(o.UID)
}
