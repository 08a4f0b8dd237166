package nohupx

import (
	"fmt"
	"strconv"

	"github.com/nohupx/nohupx/internal/getopt"
	"github.com/nohupx/nohupx/internal/sigs"
)

// jobOptions read and act on the job record. They are options, not
// subcommands: "nohupx jobs" runs a program named jobs, as nohup would.
var jobOptions = []option{
	{Spec: getopt.Spec{Long: "jobs"}, act: actJobs},
	{Spec: getopt.Spec{Long: "json"}, set: func(o *Options, _ string) error { o.JSON = true; return nil }},
	{Spec: getopt.Spec{Long: "log", Arg: true}, act: actLog, set: setJob},
	{Spec: getopt.Spec{Long: "follow", Short: 'f'}, set: func(o *Options, _ string) error { o.Follow = true; return nil }},
	{Spec: getopt.Spec{Long: "lines", Short: 'n', Arg: true}, set: func(o *Options, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("--lines: invalid number of lines %q: want 0 or more", v)
		}
		o.Lines = n
		return nil
	}},
	{Spec: getopt.Spec{Long: "wait", Arg: true}, act: actWait, set: setJob},
	{Spec: getopt.Spec{Long: "kill", Arg: true}, act: actKill, set: setJob},
	{Spec: getopt.Spec{Long: "signal", Arg: true}, set: func(o *Options, v string) error {
		sig, err := sigs.Parse(v)
		if err != nil {
			return fmt.Errorf("--signal: %w", err)
		}
		o.Signal = sig
		return nil
	}},
	{Spec: getopt.Spec{Long: "on-exit", Arg: true}, set: func(o *Options, v string) error { return named(&o.OnExit, v, "--on-exit needs a command") }},
	{Spec: getopt.Spec{Long: "no-record"}, set: func(o *Options, _ string) error { o.NoRecord = true; return nil }},
}

func setJob(o *Options, v string) error {
	if v == "" {
		return fmt.Errorf("a job id or pid is needed")
	}
	if o.Job != "" && o.Job != v {
		return fmt.Errorf("one job at a time: %q and %q", o.Job, v)
	}
	o.Job = v
	return nil
}

// jobOptionsFit checks that each job option goes with its action.
func jobOptionsFit(act action, given map[string]bool, o Options) error {
	acts := 0
	for opt := range options {
		if opt.act != actRun && opt.act != actHelp && opt.act != actVersion && given[opt.Long] {
			acts++
		}
	}
	if acts > 1 {
		return fmt.Errorf("--jobs, --log, --wait, --kill, --rotate, --relays and --install-links go one at a time")
	}
	for _, rule := range []struct {
		opt  string
		with action
		what string
	}{
		{"json", actJobs, "--jobs"},
		{"follow", actLog, "--log"},
		{"lines", actLog, "--log"},
		{"signal", actKill, "--kill"},
		{"on-exit", actRun, "a command"},
	} {
		if given[rule.opt] && act != rule.with {
			return fmt.Errorf("--%s goes with %s", rule.opt, rule.what)
		}
	}
	if given["no-record"] && act != actRun {
		return fmt.Errorf("--no-record goes with a command or -p/-g")
	}
	if given["on-exit"] && (given["pid"] || given["pgid"]) {
		return fmt.Errorf("--on-exit goes with a command, not with -p or -g")
	}
	if given["on-exit"] && given["no-record"] {
		// The watcher learns of the end from the record: without one,
		// CMD would never run, and nothing would say so.
		return fmt.Errorf("--on-exit needs the job record, which --no-record turns off")
	}
	return nil
}
