package nohupx

// nohupx -p [OPTION]... PID... and nohupx -g [OPTION]... PGID...: the
// disown that works from outside the shell. For each running process (-g:
// each process of each process group, which is how a shell runs a job or a
// pipeline), package inject makes it ignore SIGHUP (and --ignore LIST),
// moves its terminal stdout and stderr to nohup.out in our working
// directory (or --output), in place, and its terminal stdin to /dev/null,
// with ptrace. One line per target says what changed; one target's failure
// does not stop the others.
//
// A target that is stopped (^Z) also ignores SIGTERM: bash sends SIGTERM
// to its stopped jobs when it exits or its terminal hangs up.
//
// Exit status (the largest over the targets): 0 every target done, 1 no
// such process, 2 already traced, 3 not permitted, 4 not supported, 5 a
// step failed in the target and was undone, 6 it failed and could not be
// undone, 125 a usage error, the output file could not be opened, or
// nohupx was interrupted. When none of these happened but a target kept a
// handler of its own for a signal it was to ignore, which may end it all
// the same (the Go runtime's handler for HUP and TERM exits), the status
// is 7: -a replaces such handlers.

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/exitcode"
	"github.com/nohupx/nohupx/internal/gobinary"
	"github.com/nohupx/nohupx/internal/inject"
	"github.com/nohupx/nohupx/internal/quote"
	"github.com/nohupx/nohupx/internal/sigs"
)

// The exit statuses of -p and -g, one per kind of failure, ordered so that
// the largest over several targets is the most serious.
const (
	attachNoProcess   = 1 // no such process (or process group), or it exited
	attachTraced      = 2 // already traced by a debugger or strace
	attachPermission  = 3 // the kernel does not let nohupx trace it
	attachUnsupported = 4 // not on this OS or architecture, or not this kind of process
	attachFailed      = 5 // a step failed inside the target, which was left as it was
	attachNotUndone   = 6 // a step failed and could not be undone
	// attachKept: every target was changed, but one kept its own handler
	// for a signal it was to ignore. Only when nothing above happened:
	// it is not a failure of nohupx, but the job may still die.
	attachKept = 7
)

type attachMode int

const (
	attachNone  attachMode = iota
	attachPID              // -p PID...
	attachGroup            // -g PGID...
)

// setAttach is -p or -g.
func (o *Options) setAttach(mode attachMode) error {
	if o.Attach != attachNone && o.Attach != mode {
		return fmt.Errorf("-p and -g cannot be combined: give either process IDs or process group IDs")
	}
	o.Attach = mode
	return nil
}

// attachOperands checks what goes with -p/-g and reads the IDs.
func attachOperands(o Options, act action, rest []string) (Options, action, error) {
	flag := "-p"
	if o.Attach == attachGroup {
		flag = "-g"
	}
	switch {
	case act != actRun:
		return o, actRun, fmt.Errorf("%s does not go with %s", flag, actionName(act))
	case o.DropIn:
		return o, actRun, fmt.Errorf("%s does not go with --drop-in", flag)
	case o.AllStdio:
		return o, actRun, fmt.Errorf("--all-stdio does not go with -p or -g: only terminal fds are replaced in a running process")
	case len(rest) == 0:
		return o, actRun, errMissingOperand
	}
	what := "process ID"
	if o.Attach == attachGroup {
		what = "process group ID"
	}
	for _, w := range rest {
		if strings.HasPrefix(w, "-") && len(w) > 1 {
			return o, actRun, fmt.Errorf("options go before the %ss: %s", what, quote.Shell(w))
		}
		n, err := strconv.Atoi(w)
		if err != nil || n <= 0 {
			return o, actRun, fmt.Errorf("invalid %s %s", what, quote.Shell(w))
		}
		o.Targets = append(o.Targets, n)
	}
	return o, actAttach, nil
}

// attach is -p/-g: every target in turn, one line each.
func attach(o Options, fail int) int {
	out := &attachOutput{o: o}
	defer out.close()
	defer func() {
		if out.note != "" && !o.Quiet {
			_ = diag.Printf(o.Err, o.Prog, "%s", out.note)
		}
	}()
	a := &adopter{o: o, out: out, fail: fail, status: exitcode.OK,
		req: inject.Request{Ignore: o.Ignore, Always: o.Always, Continue: o.Continue, Output: out.get,
			IgnoreIfStopped: []syscall.Signal{syscall.SIGTERM}}}
	scope := keepScope(o, attachPids(o)...)
	a.unit = scope.Unit
	for _, line := range scope.Lines {
		a.say("%s", line)
	}

	// A target is held stopped while it is changed: nohupx must not die
	// then (the kernel would let it go with borrowed registers). ^C and
	// TERM end nohupx after the current target. A hangup of our own
	// terminal changes nothing: the user wanted the targets protected.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT)
	signal.Notify(make(chan os.Signal, 1), syscall.SIGHUP)
	defer signal.Reset(syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGHUP)

	for i, id := range o.Targets {
		select {
		case sig := <-stop:
			var left []string
			for _, id := range o.Targets[i:] {
				left = append(left, strconv.Itoa(id))
			}
			a.say("interrupted by %s: left %s unchanged", unixSigName(sig), strings.Join(left, " "))
			a.worse(fail)
			return a.status
		default:
		}
		if o.Attach == attachPID {
			a.one(id, false)
		} else {
			a.group(id)
		}
	}
	if a.status == exitcode.OK && a.kept {
		return attachKept
	}
	return a.status
}

// adopter is one run of -p or -g: what every target gets, and how the
// run has gone so far.
type adopter struct {
	o      Options
	req    inject.Request
	out    *attachOutput
	fail   int
	status int    // the worst so far
	kept   bool   // a target kept a handler of its own
	unit   string // the scope the targets were moved into, if any
}

func (a *adopter) say(format string, args ...any) {
	_ = diag.Printf(a.o.Err, a.o.Prog, format, args...)
}

// worse makes s the status if it is worse than the one so far.
func (a *adopter) worse(s int) {
	if s > a.status {
		a.status = s
	}
}

// one changes process pid; gone reports a group member that exited first.
func (a *adopter) one(pid int, inGroup bool) (gone bool) {
	res, err := inject.Apply(pid, a.req)
	if err == nil {
		if !a.o.Quiet {
			a.say("%s", describe(res, a.out.name()))
		}
		if w := recordAdopted(a.o, res, a.out, a.unit); w != "" {
			a.say("warning: %s", w)
		}
		if len(res.KeptHandler) > 0 {
			a.kept = true
			// Said even with -q: it explains the status.
			a.say("%s: may still die of %s, which its own handler acts on; add -a to replace the handler",
				who(res, pid), sigs.Set(res.KeptHandler).String())
		}
		return false
	}
	if inGroup && errors.Is(err, inject.ErrNoProcess) {
		// It exited between the listing and now: nothing to protect.
		if !a.o.Quiet {
			a.say("%d: exited before it could be changed", pid)
		}
		return true
	}
	a.say("%s: %s", who(res, pid), err)
	a.worse(attachStatus(err, a.fail))
	return false
}

// group changes every process of process group id. A member may fork
// while others are changed. Its child inherits the change only if it came
// after the parent's, so the group is listed again until a listing shows
// nobody new who needs it.
func (a *adopter) group(id int) {
	pids, err := inject.Group(id)
	if err != nil {
		a.say("process group %d: %s", id, err)
		a.worse(attachStatus(err, a.fail))
		return
	}
	changed := 0
	seen := map[int]bool{}
	for pass := 1; len(pids) > 0; pass++ {
		if pass > maxGroupPasses {
			a.say("process group %d: still forking unprotected processes after %d passes; %d of them left unchanged",
				id, maxGroupPasses, len(pids))
			a.worse(attachFailed)
			break
		}
		for _, pid := range pids {
			seen[pid] = true
			if pid == os.Getpid() {
				a.say("%d: skipped: it is this nohupx, which is in process group %d", pid, id)
				continue
			}
			if !a.one(pid, true) {
				changed++
			}
		}
		pids = newcomers(id, seen, a.req)
	}
	if changed == 0 {
		a.say("process group %d: every process exited before it could be changed", id)
		a.worse(attachNoProcess)
	}
}

// maxGroupPasses bounds the listings of one process group: a group whose
// members fork faster than they can be changed is reported, not chased.
const maxGroupPasses = 10

// newcomers are the members of process group pgid not in seen that still
// need a change. The others are marked seen: they inherited the change,
// kept a handler of their own (without -a), or are gone.
func newcomers(pgid int, seen map[int]bool, req inject.Request) []int {
	all, _ := inject.Group(pgid) // empty once the group is gone
	var pids []int
	for _, pid := range all {
		if seen[pid] {
			continue
		}
		if need, err := inject.NeedsChange(pid, req); err != nil || !need {
			seen[pid] = true
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

// attachStatus is the exit status for one target's failure.
func attachStatus(err error, fail int) int {
	var oe *outputError
	switch {
	case errors.As(err, &oe):
		return fail
	case errors.Is(err, inject.ErrNotUndone):
		return attachNotUndone
	case errors.Is(err, inject.ErrFailed):
		return attachFailed
	case errors.Is(err, inject.ErrNoProcess):
		return attachNoProcess
	case errors.Is(err, inject.ErrTraced):
		return attachTraced
	case errors.Is(err, inject.ErrPermission):
		return attachPermission
	case errors.Is(err, inject.ErrUnsupported):
		return attachUnsupported
	}
	return attachFailed
}

// who names a target at the start of its line: "4242 (sleep)".
func who(res inject.Result, pid int) string {
	s := strconv.Itoa(pid)
	if res.Pid != 0 {
		s = strconv.Itoa(res.Pid)
	}
	switch {
	case res.ThreadOf != 0 && res.Comm != "":
		return fmt.Sprintf("%s (%s, for its thread %d)", s, res.Comm, res.ThreadOf)
	case res.Comm != "":
		return fmt.Sprintf("%s (%s)", s, res.Comm)
	}
	return s
}

// describe is the line that says what was changed in a target.
func describe(res inject.Result, outName string) string {
	var parts []string
	names := func(ss []syscall.Signal) string { return sigs.Set(ss).String() }
	if len(res.Ignored) > 0 {
		parts = append(parts, "now ignores "+names(res.Ignored))
	}
	if len(res.Replaced) > 0 {
		parts = append(parts, "now ignores "+names(res.Replaced)+" (its own handler replaced)")
	}
	if len(res.AlreadyIgnored) > 0 {
		parts = append(parts, "already ignored "+names(res.AlreadyIgnored))
	}
	if len(res.ForStopped) > 0 {
		parts = append(parts, names(res.ForStopped)+" too because it is stopped (bash sends SIGTERM to stopped jobs when it exits)")
	}
	if len(res.KeptHandler) > 0 {
		k := names(res.KeptHandler)
		note := "kept the program's own handler for " + k + "; -a replaces it"
		if isGo(res.Pid) {
			note = "kept the program's own handler for " + k + ": it is a Go program, whose runtime exits on " + k +
				" unless the program handles it; -a replaces the handler"
		}
		parts = append(parts, note)
	}
	if res.Stdin {
		parts = append(parts, "stdin from /dev/null")
	}
	if len(res.Redirected) > 0 {
		var fds []string
		for _, fd := range res.Redirected {
			fds = append(fds, [...]string{"stdin", "stdout", "stderr"}[fd])
		}
		s := strings.Join(fds, " and ") + " appended to " + quote.Shell(outName)
		switch {
		case res.Rotated:
			s += " (rotated by a relay)"
		case res.NotRotated != "":
			s += " (not rotated: " + res.NotRotated + ")"
		}
		parts = append(parts, s)
	}
	switch {
	case res.Continued:
		parts = append(parts, "continued")
	case res.Stopped:
		parts = append(parts, "still stopped (--continue resumes it)")
	}
	if !res.Changed() && len(res.AlreadyIgnored) == 0 && len(res.KeptHandler) == 0 {
		parts = append(parts, "nothing to change")
	}
	return who(res, res.Pid) + ": " + strings.Join(parts, "; ")
}

// isGo tells whether the process runs a Go binary (the Go runtime installs
// handlers for HUP, INT and TERM that exit).
func isGo(pid int) bool {
	return gobinary.Is("/proc/" + strconv.Itoa(pid) + "/exe")
}

func unixSigName(sig os.Signal) string {
	if s, ok := sig.(syscall.Signal); ok {
		return "SIG" + sigs.Name(s)
	}
	return sig.String()
}
