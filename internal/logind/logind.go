// Package logind keeps a job alive across logout on a system whose
// systemd-logind kills a login session's processes when it ends
// (KillUserProcesses=yes in logind.conf(5)).
//
// Ending such a session stops its session-N.scope, and systemd kills
// whatever is in it, whatever signals the processes ignore: no nohup,
// setsid or disown can help. Keep moves the job's processes (and, because
// children inherit their parent's cgroup, everything the caller starts
// afterwards, such as the log relay) into a transient scope of the user's
// own systemd manager (user@UID.service), as `systemd-run --user --scope`
// does. That scope outlives the session as long as the user manager runs:
// for ever with linger on (`loginctl enable-linger`), otherwise until the
// user's last session ends.
//
// Keep is cheap where it has nothing to do: it reads /proc/PID/cgroup,
// and only for a process in a login session's scope does it talk to
// logind over D-Bus. Where logind does not kill session processes it
// moves nothing: there a scope of the user manager would die with the
// user's last session while the session scope would not. Every failure is
// soft: the job runs all the same.
package logind

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/internal/quote"
)

// Request says which processes to keep alive.
type Request struct {
	// Prefix starts the scope's name: the applet ("nohupx", "detach").
	Prefix string
	// Command is named in the scope's Description, so that
	// `systemctl --user status` says what runs there.
	Command []string
	// Pids are the processes to move; those that are not in a login
	// session's scope are left where they are. The first names the scope.
	Pids []int
	// Linger asks logind to turn linger on for this user (--linger).
	Linger bool
}

// Result is what Keep did.
type Result struct {
	// Unit is the scope the processes are in now, or "" if none moved.
	Unit string
	// Lines are for the user, one message each (a warning starts with
	// "warning: ").
	Lines []string
}

// Settings are logind's effective rules for killing a session's
// processes when it ends (logind.conf(5)).
type Settings struct {
	KillUserProcesses bool
	KillOnlyUsers     []string
	KillExcludeUsers  []string
}

// MayKill tells whether logind kills anyone's session processes: if not,
// nobody's name needs to be asked for.
func (s Settings) MayKill() bool {
	return s.KillUserProcesses || len(s.KillOnlyUsers) > 0
}

// ShallKill tells whether logind kills the session processes of user when
// a session ends, by logind's own rule: the excluded users never (root
// when the list is empty), else only the listed users if there is a list,
// else everyone when KillUserProcesses is set.
func (s Settings) ShallKill(user string) bool {
	if len(s.KillExcludeUsers) == 0 && user == "root" {
		return false
	}
	if slices.Contains(s.KillExcludeUsers, user) {
		return false
	}
	if len(s.KillOnlyUsers) > 0 {
		return slices.Contains(s.KillOnlyUsers, user)
	}
	return s.KillUserProcesses
}

// SessionScope reads a /proc/PID/cgroup file (cgroups(7)) and returns the
// login session scope the process is in ("session-4.scope"), or "". It
// looks at the unified hierarchy (id 0, no controllers) and at systemd's
// named v1 hierarchy, whichever holds systemd's tree.
func SessionScope(r io.Reader) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 || (parts[1] != "" && parts[1] != "name=systemd") {
			continue
		}
		for _, dir := range strings.Split(parts[2], "/") {
			if isSessionScope(dir) {
				return dir
			}
		}
	}
	return ""
}

// isSessionScope: logind names a session's scope session-ID.scope, with
// an ID of letters, digits and underscores (pam_systemd's "c1" included).
func isSessionScope(dir string) bool {
	id, ok1 := strings.CutPrefix(dir, "session-")
	id, ok2 := strings.CutSuffix(id, ".scope")
	if !ok1 || !ok2 || id == "" {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// ScopeName is the unit name for prefix and pid ("nohupx-4242.scope"),
// and for a second try n > 0 ("nohupx-4242-1.scope"). A unit name allows
// ASCII letters, digits and ":-_.\"; anything else in prefix becomes "_".
func ScopeName(prefix string, pid, n int) string {
	clean := []byte(prefix)
	for i, c := range clean {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			clean[i] = '_'
		}
	}
	name := string(clean) + "-" + strconv.Itoa(pid)
	if n > 0 {
		name += "-" + strconv.Itoa(n)
	}
	return name + ".scope"
}

// Description names the command, each word shell-quoted where it needs
// it, and cut to a readable length: it is what `systemctl --user` lists for the scope.
func Description(prefix string, command []string) string {
	words := make([]string, len(command))
	for i, w := range command {
		words[i] = w
		if w == "" || strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-") != "" {
			words[i] = quote.Shell(w)
		}
	}
	d := prefix + ": " + strings.Join(words, " ")
	if len(d) > 200 {
		d = d[:197] + "..."
	}
	return d
}

// inSession are the pids of req that are in a login session's scope,
// read from procRoot/PID/cgroup. A process that has gone is left out.
func inSession(procRoot string, pids []int) []int {
	var in []int
	for _, pid := range pids {
		b, err := procfs.ReadFile(procRoot + "/" + strconv.Itoa(pid) + "/cgroup")
		if err == nil && SessionScope(bytes.NewReader(b)) != "" {
			in = append(in, pid)
		}
	}
	return in
}

// errUnitExists is what a manager returns when a unit of that name exists.
var errUnitExists = errors.New("unit exists")

// lingerLine tells the user, before the job starts, that nothing saves it
// past the last logout while linger is off, and how to turn it on.
func lingerLine(user string) string {
	return fmt.Sprintf("warning: logind kills %s's processes when the last session ends (KillUserProcesses=yes) and linger is off: run 'loginctl enable-linger' (or add --linger) before logging out, or the job dies", user)
}
