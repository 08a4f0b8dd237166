package logind

import (
	"errors"
	"fmt"
	"time"
)

// login is what Keep asks logind (org.freedesktop.login1 on the system
// bus).
type login interface {
	Settings() (Settings, error)
	// User is logind's name for uid and whether linger is on for it.
	User(uid int) (name string, linger bool, err error)
	SetLinger(uid int) error
	Close()
}

// manager is the user's systemd manager.
type manager interface {
	// StartScope creates the transient scope name with pids in it, and
	// returns once systemd's start job for it has completed. A name in
	// use is errUnitExists.
	StartScope(name, description string, pids []int) error
	Close()
}

// keeper is Keep with the system around it injected, for the tests.
// busTimeout bounds everything Keep asks over D-Bus, connections
// included: the job waits for it, and a hung bus must not hold it up
// for long. Reaching it closes the connection, which ends any call.
const busTimeout = 5 * time.Second

type keeper struct {
	procRoot    string // /proc
	uid         int
	dialLogin   func() (login, error)
	dialManager func() (manager, error)
	late        func() bool // the bus's time ran out
}

// keep is Keep; see the package doc.
func (k keeper) keep(req Request) (res Result) {
	defer func() {
		// A bus that hung: whatever was not learned or done, the job
		// waited for it, and may be left where logind ends it.
		if k.late != nil && k.late() {
			res.Lines = append(res.Lines, fmt.Sprintf("warning: D-Bus did not answer within %v; the job may stay in this login session, "+
				"which logind can end at logout (KillUserProcesses=yes)", busTimeout))
		}
	}()
	pids := inSession(k.procRoot, req.Pids)
	if len(pids) == 0 && !req.Linger {
		return res // the cheap way out: no session scope to leave
	}
	lg, err := k.dialLogin()
	if err != nil {
		// No logind or no system bus: whether the session's processes
		// are killed cannot be known, so behave as without logind.
		if req.Linger {
			res.Lines = append(res.Lines, fmt.Sprintf("--linger: cannot reach logind: %v", err))
		}
		return res
	}
	defer lg.Close()
	s, err := lg.Settings()
	doomed := err == nil && len(pids) > 0 && s.MayKill()
	if !doomed && !req.Linger {
		return res // the common case, KillUserProcesses=no: one question asked
	}
	name, linger, err := lg.User(k.uid)
	if err != nil {
		return res
	}
	if req.Linger && !linger {
		line, ok := k.enableLinger(lg, name)
		res.Lines = append(res.Lines, line)
		linger = ok
	}
	if !doomed || !s.ShallKill(name) {
		return res
	}
	// Moved even with linger off: the job then lives until the user's
	// last session ends, or for ever if linger is turned on before that.
	unit, err := k.move(req, pids)
	if err != nil {
		res.Lines = append(res.Lines, fmt.Sprintf(
			"warning: logind kills this session's processes when it ends (KillUserProcesses=yes), and moving the job out of it failed: %v", err))
	}
	res.Unit = unit
	if !linger {
		res.Lines = append(res.Lines, lingerLine(name))
	}
	return res
}

// enableLinger is --linger: logind's SetUserLinger for our own uid, which
// polkit may refuse. It returns the line to show and whether linger is on.
func (k keeper) enableLinger(lg login, name string) (string, bool) {
	if err := lg.SetLinger(k.uid); err != nil {
		return fmt.Sprintf("--linger: logind refused to turn linger on for %s: %v; an administrator can run 'loginctl enable-linger %s'", name, err, name), false
	}
	return fmt.Sprintf("linger is on for %s now: the user's systemd manager, and the job's scope, outlive the last logout ('loginctl disable-linger' turns it off)", name), true
}

// move puts pids into a new scope of the user manager and returns its
// name. Another scope of the same name (a recycled pid whose old scope
// still has processes) makes it try the next name.
func (k keeper) move(req Request, pids []int) (string, error) {
	m, err := k.dialManager()
	if err != nil {
		return "", fmt.Errorf("cannot reach the user's systemd manager: %w", err)
	}
	defer m.Close()
	desc := Description(req.Prefix, req.Command)
	for n := 0; n < 3; n++ {
		name := ScopeName(req.Prefix, pids[0], n)
		err = m.StartScope(name, desc, pids)
		if !errors.Is(err, errUnitExists) {
			if err != nil {
				return "", err
			}
			return name, nil
		}
	}
	return "", err
}
