package nohupx

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/nohupx/nohupx/internal/getopt"
	"github.com/nohupx/nohupx/internal/sigs"
	"github.com/nohupx/nohupx/logrot"
)

// Options is what one invocation asks for.
type Options struct {
	// Prog is argv[0] as given; every message starts with it, as GNU's do.
	Prog string
	// Command is the command and its arguments.
	Command []string
	// Output replaces nohup.out as the file redirected output goes to.
	// There is no $HOME fallback for a file the user named.
	Output string
	// Quiet drops the advisory lines ("ignoring input", …).
	Quiet bool
	// Ignore lists the signals set to SIG_IGN before exec; SIGHUP is
	// always in it.
	Ignore sigs.Set
	// AllStdio redirects stdin, stdout and stderr whether or not they are
	// terminals, so that a remote shell's channel is released at once.
	AllStdio bool
	// Survive is the logout-proof preset; it is already folded into Ignore
	// and kept for the warnings.
	Survive bool
	// NoRotate appends to the output file directly, as GNU nohup does;
	// otherwise a relay (package logrot) writes it and rotates it by Policy.
	NoRotate bool
	Policy   logrot.Policy
	// PolicySet says a rotation option was given: then an output the user
	// redirected to a regular file is rotated too.
	PolicySet bool
	// RotateFile is the log file whose relay --rotate signals.
	RotateFile string
	// LinksDir is where --install-links puts the applet links; DropIn
	// adds nohup and setsid.
	LinksDir string
	DropIn   bool
	// Attach is -p or -g: change the running processes (or process
	// groups) Targets instead of running a command; see attach.go.
	Attach   attachMode
	Targets  []int
	Always   bool // -a: replace a handler the program installed itself
	Continue bool // --continue: resume a stopped target afterwards
	// NoScope keeps the job in the login session's scope even where
	// logind kills it at logout; Linger asks logind for linger (scope.go).
	NoScope, Linger bool
}

// survivePreset is what --survive ignores. SIGTERM because bash sends it
// to stopped jobs when it exits; SIGTTIN and SIGTTOU because a background
// job that touches the terminal is otherwise stopped, and a stopped job is
// what gets that SIGTERM. SIGTSTP and SIGCONT stay as they are so that ^Z,
// bg and fg still work.
var survivePreset = []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGTTIN, syscall.SIGTTOU}

var specs = append([]getopt.Spec{
	{Long: "output", Short: 'o', Arg: true},
	{Long: "quiet", Short: 'q'},
	{Long: "ignore", Arg: true},
	{Long: "survive", Short: 's'},
	{Long: "all-stdio"},
	{Long: "no-rotate"},
	{Long: "rotate", Arg: true},
	{Long: "relays"},
	{Long: "install-links", Arg: true},
	{Long: "drop-in"},
	{Long: "no-scope"},
	{Long: "linger"},
	{Long: "help"},
	{Long: "version"},
}, logrot.Options...)

// action is what the command line asks for besides running a command.
type action int

const (
	actRun action = iota
	actHelp
	actVersion
	actRotate // --rotate FILE: rotate a running relay's file now
	actRelays // --relays: list the running relays
	actLinks  // --install-links DIR
	actAttach // -p PID... or -g PGID...: change running processes
)

// errMissingOperand is GNU's "missing operand": no COMMAND was given.
var errMissingOperand = errors.New("missing operand")

// parse reads the command line (argv without argv[0]). --help and
// --version win over anything that follows them, as in GNU nohup.
func parse(prog string, args []string) (Options, action, error) {
	o := Options{Prog: prog, Ignore: sigs.Set{syscall.SIGHUP}, Policy: logrot.DefaultPolicy}
	// -p, -g, -a and --continue exist only when -p or -g is given, so
	// that without them nohupx parses exactly as before (and as GNU
	// nohup does: "-a" is an invalid option, --co means --compress).
	table := specs
	if attachOpts, _, _ := getopt.Parse(args, attachSpecs); wantsAttach(attachOpts) {
		table = attachSpecs
	}
	opts, rest, perr := getopt.Parse(args, table)
	switch getopt.HelpOrVersion(opts) {
	case "help":
		return o, actHelp, nil
	case "version":
		return o, actVersion, nil
	}
	if perr != nil {
		return o, actRun, perr
	}
	act := actRun
	for _, opt := range opts {
		if ok, err := o.Policy.Set(opt.Name, opt.Value); ok {
			if err != nil {
				return o, actRun, err
			}
			o.PolicySet = true
			continue
		}
		switch opt.Name {
		case "output":
			if opt.Value == "" {
				return o, actRun, fmt.Errorf("--output needs a file name")
			}
			o.Output = opt.Value
		case "quiet":
			o.Quiet = true
		case "ignore":
			set, err := sigs.ParseList(opt.Value)
			if err != nil {
				return o, actRun, fmt.Errorf("--ignore: %w", err)
			}
			for _, sig := range set {
				if err := sigs.CheckIgnorable(sig); err != nil {
					return o, actRun, fmt.Errorf("--ignore: %w", err)
				}
			}
			o.Ignore = o.Ignore.Add(set...)
		case "survive":
			o.Survive = true
			o.Ignore = o.Ignore.Add(survivePreset...)
		case "all-stdio":
			o.AllStdio = true
		case "no-rotate":
			o.NoRotate = true
		case "rotate":
			if opt.Value == "" {
				return o, actRun, fmt.Errorf("--rotate needs a file name")
			}
			o.RotateFile = opt.Value
			act = actRotate
		case "relays":
			act = actRelays
		case "install-links":
			if opt.Value == "" {
				return o, actRun, fmt.Errorf("--install-links needs a directory")
			}
			o.LinksDir = opt.Value
			act = actLinks
		case "drop-in":
			o.DropIn = true
		case "no-scope":
			o.NoScope = true
		case "linger":
			o.Linger = true
		case "pid", "pgid", "always", "continue":
			if err := o.setAttach(opt.Name); err != nil {
				return o, actRun, err
			}
		}
	}
	if err := o.Policy.Validate(); err != nil {
		return o, actRun, err
	}
	if o.Attach != attachNone {
		return attachOperands(o, act, rest)
	}
	if o.DropIn && act != actLinks {
		return o, actRun, fmt.Errorf("--drop-in goes with --install-links")
	}
	if act != actRun {
		if len(rest) > 0 {
			return o, actRun, fmt.Errorf("extra operand %q after --rotate, --relays or --install-links", rest[0])
		}
		return o, act, nil
	}
	if len(rest) == 0 {
		return o, actRun, errMissingOperand
	}
	o.Command = rest
	return o, actRun, nil
}
