package detach

import (
	"errors"
	"fmt"
	"os/user"
	"strconv"
	"strings"
	"time"

	"github.com/nohupx/nohupx/internal/getopt"
	"github.com/nohupx/nohupx/logrot"
)

// Options is what one detach invocation asks for.
type Options struct {
	Prog    string
	Command []string

	Chdir    string // the daemon's working directory; "/" by default
	Umask    int    // -1 leaves the umask as it is
	KeepFds  bool   // keep inherited descriptors >= 3
	Output   string // stdout (and stderr, unless Stderr) to this file; "" is /dev/null
	Stderr   string // stderr to this file
	NoRotate bool   // append to Output/Stderr directly instead of through a relay
	Policy   logrot.Policy

	PrintPid bool
	Wait     bool
	Pidfile  string
	Ready    bool
	Timeout  time.Duration // bounds --ready; 0 waits for ever

	User *Credential // --user; nil keeps the caller's identity

	// NoScope keeps the job in the login session's scope even where
	// logind kills it at logout; Linger asks logind for linger (scope.go).
	NoScope, Linger bool
}

// Credential is the identity the command runs as.
type Credential struct {
	Name   string
	Uid    uint32
	Gid    uint32
	Groups []uint32 // supplementary groups, as initgroups(3) would set them
	Home   string
}

var specs = append([]getopt.Spec{
	{Long: "chdir", Short: 'C', Arg: true},
	{Long: "umask", Arg: true},
	{Long: "keep-fds"},
	{Long: "output", Short: 'o', Arg: true},
	{Long: "stderr", Arg: true},
	{Long: "no-rotate"},
	{Long: "print-pid", Short: 'p'},
	{Long: "wait", Short: 'w'},
	{Long: "pidfile", Arg: true},
	{Long: "ready"},
	{Long: "timeout", Arg: true},
	{Long: "user", Short: 'u', Arg: true},
	{Long: "no-scope"},
	{Long: "linger"},
	{Long: "help"},
	{Long: "version"},
}, logrot.Options...)

type action int

const (
	actRun action = iota
	actHelp
	actVersion
)

var errMissingOperand = errors.New("missing operand")

// parse reads the command line (argv without argv[0]).
func parse(prog string, args []string) (Options, action, error) {
	o := Options{Prog: prog, Chdir: "/", Umask: -1, Policy: logrot.DefaultPolicy}
	opts, rest, perr := getopt.Parse(args, specs)
	switch getopt.HelpOrVersion(opts) {
	case "help":
		return o, actHelp, nil
	case "version":
		return o, actVersion, nil
	}
	if perr != nil {
		return o, actRun, perr
	}
	for _, opt := range opts {
		v := opt.Value
		var err error
		if ok, err := o.Policy.Set(opt.Name, v); ok {
			if err != nil {
				return o, actRun, err
			}
			continue
		}
		switch opt.Name {
		case "chdir":
			o.Chdir, err = nonEmpty("--chdir", v)
		case "umask":
			var m uint64
			m, err = strconv.ParseUint(v, 8, 32)
			if err != nil || m > 0o777 {
				err = fmt.Errorf("--umask: invalid mode %q: want octal, 0 to 777", v)
			}
			o.Umask = int(m)
		case "keep-fds":
			o.KeepFds = true
		case "output":
			o.Output, err = nonEmpty("--output", v)
		case "stderr":
			o.Stderr, err = nonEmpty("--stderr", v)
		case "no-rotate":
			o.NoRotate = true
		case "print-pid":
			o.PrintPid = true
		case "wait":
			o.Wait = true
		case "pidfile":
			o.Pidfile, err = nonEmpty("--pidfile", v)
		case "ready":
			o.Ready = true
		case "timeout":
			o.Timeout, err = time.ParseDuration(v)
			if err != nil || o.Timeout <= 0 {
				err = fmt.Errorf("--timeout: invalid duration %q: want e.g. 30s or 2m", v)
			}
		case "user":
			o.User, err = lookupUser(v)
		case "no-scope":
			o.NoScope = true
		case "linger":
			o.Linger = true
		}
		if err != nil {
			return o, actRun, err
		}
	}
	if err := o.Policy.Validate(); err != nil {
		return o, actRun, err
	}
	if o.Timeout > 0 && !o.Ready {
		return o, actRun, errors.New("--timeout goes with --ready")
	}
	if len(rest) == 0 {
		return o, actRun, errMissingOperand
	}
	o.Command = rest
	return o, actRun, nil
}

func nonEmpty(opt, v string) (string, error) {
	if v == "" {
		return "", fmt.Errorf("%s needs a file name", opt)
	}
	return v, nil
}

// lookupUser resolves USER[:GROUP] (names or numbers) and the user's
// supplementary groups, which is what initgroups(3) would install.
func lookupUser(spec string) (*Credential, error) {
	name, group, hasGroup := strings.Cut(spec, ":")
	u, err := user.Lookup(name)
	if err != nil {
		if u, err = user.LookupId(name); err != nil {
			return nil, fmt.Errorf("--user: no such user %q", name)
		}
	}
	c := &Credential{Name: u.Username, Home: u.HomeDir}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("--user: %q has a non-numeric id", name)
	}
	c.Uid, c.Gid = uint32(uid), uint32(gid)
	if hasGroup {
		g, err := user.LookupGroup(group)
		if err != nil {
			if g, err = user.LookupGroupId(group); err != nil {
				return nil, fmt.Errorf("--user: no such group %q", group)
			}
		}
		gid, err := strconv.ParseUint(g.Gid, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("--user: group %q has a non-numeric id", group)
		}
		c.Gid = uint32(gid)
	}
	ids, err := u.GroupIds()
	if err != nil {
		return nil, fmt.Errorf("--user: supplementary groups of %q: %w", name, err)
	}
	for _, id := range ids {
		if n, err := strconv.ParseUint(id, 10, 32); err == nil {
			c.Groups = append(c.Groups, uint32(n))
		}
	}
	return c, nil
}
