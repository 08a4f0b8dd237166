//go:build linux

package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The launchers the logind test starts a heartbeat with, in the order of
// testdata/logind/login.sh. GNU nohup and --no-scope are the controls:
// they leave the job in the login session's scope.
var logindJobs = []struct {
	name  string // login.sh's name for it: NAME.pid, NAME.out
	label string // as the table shows it
	moves bool   // it leaves the session scope where logind kills it
}{
	{"nohup", "`nohup job &` (control)", false},
	{"nohupx", "`nohupx job &`", true},
	{"survive", "`nohupx --survive job &`", true},
	{"noscope", "`nohupx --no-scope job &` (control)", false},
	{"linger", "`nohupx --linger job &` (polkit refuses)", true},
	{"detach", "`detach job`", true},
	{"p", "`job &` then `nohupx -p`", true},
}

// logindScenarios are the columns: logind's KillUserProcesses, and
// whether linger is on for the user.
var logindScenarios = []struct {
	name        string
	kup, linger bool
}{
	{"KUP=yes, linger off", true, false},
	{"KUP=yes, linger on", true, true},
	{"KUP=no", false, false},
}

// TestLogind is the README's logind rows, measured on a real systemd 252
// and logind: log in with ssh and a pty, start a heartbeat through each
// launcher, log out, wait until logind and systemd are done with the
// session (its scope stopped where KillUserProcesses=yes, and without
// linger the user manager too), and see which jobs still beat.
//
// Expected: where logind kills the session's processes, the jobs nohupx
// and detach moved to a scope of the user manager survive when linger is
// on, and die with the user manager when it is off (nothing can save
// them: each launcher said so before the job started); the controls die
// in both. Where logind kills nothing, every job survives, in the session
// scope, moved nowhere.
func TestLogind(t *testing.T) {
	t.Parallel()
	image := testbedImage(t)
	got := map[string]map[string]string{}
	for i, sc := range logindScenarios {
		t.Run(strings.NewReplacer(" ", "", ",", "_", "=", "").Replace(sc.name), func(t *testing.T) {
			got[sc.name] = runLogindScenario(t, image, fmt.Sprintf("nohupx-e2e-%d", i), sc.kup, sc.linger)
		})
	}
	t.Logf("measured:\n%s", logindTable(got))
}

// runLogindScenario boots, logs in, logs out and returns the outcome per
// launcher, plus "output" for whether nohupx's output file kept growing.
func runLogindScenario(t *testing.T, image, machine string, kup, linger bool) map[string]string {
	b := bootTestbed(t, image, machine, kup)
	if linger {
		b.root("loginctl enable-linger u")
	}
	out, err := b.ssh("u", true, "/opt/nohupx/login.sh /opt/nohupx")
	if err != nil || !strings.Contains(out, "LOGOUT") {
		t.Fatalf("the ssh session failed: %v\n%s", err, out)
	}
	t.Logf("the session printed:\n%s", out)
	checkLogindMessages(t, out, kup, linger)
	m := regexp.MustCompile(`SESSION (\w+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no SESSION line: %s", out)
	}
	// Logout is over when the session is gone (or, with nothing killed,
	// left closing), its scope stopped, and without linger the user
	// manager stopped: only then has every SIGKILL at a stop timeout
	// been sent.
	b.waitFor("loginctl show-session "+m[1]+" -p State --value 2>/dev/null || echo gone", "gone", "closing")
	if kup {
		b.waitFor("systemctl is-active session-"+m[1]+".scope", "inactive", "failed")
	}
	if kup && !linger {
		// Where nothing is killed, the session stays "closing" while
		// its processes run, and so does the user manager.
		b.waitFor("systemctl is-active user@1000.service", "inactive", "failed")
	}
	res := map[string]string{}
	for _, j := range logindJobs {
		res[j.name] = "killed"
		if strings.TrimSpace(b.root("if kill -0 $(cat /home/u/"+j.name+".pid) 2>/dev/null; then echo alive; fi")) == "alive" {
			res[j.name] = "survives"
		}
		want := "survives"
		if kup && (!linger || !j.moves) {
			want = "killed"
		}
		if res[j.name] != want {
			t.Errorf("%s, %s: the job %s after logout; want it %s", j.label, scenarioName(kup, linger), res[j.name], want)
		}
	}
	if kup && linger {
		// The job kept its pid ($!), in a scope named after it that
		// `systemctl --user status` finds.
		cg := b.root("cat /proc/$(cat /home/u/nohupx.pid)/cgroup; cat /home/u/nohupx.pid")
		if f := strings.Fields(cg); len(f) < 2 || !strings.HasSuffix(f[len(f)-2], "/app.slice/nohupx-"+f[len(f)-1]+".scope") {
			t.Errorf("the nohupx job's cgroup and pid: %q; want it in app.slice/nohupx-PID.scope", cg)
		}
	}
	res["output"] = outputGrows(b)
	checkRecordedUnits(t, b, kup)
	return res
}

// checkRecordedUnits: the job records name the scope each job was moved
// into (nohupx-PID.scope for a nohupx job, PID being $!), and none for a
// job that stayed in the login session. Read after logout, as the user,
// with --jobs --json.
func checkRecordedUnits(t *testing.T, b *testbed, kup bool) {
	out := b.root(`cd /home/u && for n in nohupx survive noscope linger detach p; do echo "PID $n $(cat $n.pid)"; done
env -u XDG_STATE_HOME HOME=/home/u setpriv --reuid=u --regid=u --clear-groups /opt/nohupx/nohupx --jobs --json`)
	pids := map[string]string{}
	units := map[string]string{} // by pid
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "PID" {
			pids[f[1]] = f[2]
			continue
		}
		var v struct {
			Pid  int    `json:"pid"`
			Unit string `json:"unit"`
		}
		if json.Unmarshal([]byte(line), &v) == nil && v.Pid != 0 {
			units[strconv.Itoa(v.Pid)] = v.Unit
		}
	}
	for _, j := range logindJobs {
		if j.name == "nohup" {
			continue // GNU nohup keeps no record
		}
		unit, ok := units[pids[j.name]]
		var bad bool
		switch {
		case !ok:
			t.Errorf("%s: no record of pid %q in --jobs --json:\n%s", j.label, pids[j.name], out)
			continue
		case !kup || !j.moves:
			bad = unit != ""
		case j.name == "detach":
			bad = !strings.HasPrefix(unit, "detach-") || !strings.HasSuffix(unit, ".scope")
		case j.name == "p":
			bad = !strings.HasPrefix(unit, "nohupx-") || !strings.HasSuffix(unit, ".scope")
		default:
			bad = unit != "nohupx-"+pids[j.name]+".scope"
		}
		if bad {
			t.Errorf("%s, KillUserProcesses=%v: the record's unit is %q", j.label, kup, unit)
		}
	}
}

// checkLogindMessages: with KillUserProcesses=yes and linger off, each
// launcher that moves the job says once, before the job starts, that it
// will die and how to prevent it; with linger off, --linger says that
// logind refused. The controls and the other cases say nothing of the
// kind.
func checkLogindMessages(t *testing.T, out string, kup, linger bool) {
	t.Helper()
	const warning = "'loginctl enable-linger'"
	prev := 0
	for _, j := range logindJobs {
		end := strings.Index(out, "STARTED "+j.name+"\n")
		if end < prev {
			t.Errorf("no STARTED %s line after the previous job's", j.name)
			continue
		}
		before := out[prev:end]
		prev = end
		want := 0
		if kup && !linger && j.moves {
			want = 1
		}
		if n := strings.Count(before, warning); n != want {
			t.Errorf("%s printed the linger warning %d times before its job started; want %d", j.label, n, want)
		}
		wantRefused := j.name == "linger" && !linger
		if refused := strings.Contains(before, "--linger: logind refused"); refused != wantRefused {
			t.Errorf("%s: a line saying that logind refused linger: %v; want %v", j.label, refused, wantRefused)
		}
	}
}

// outputGrows tells whether the files the jobs write through nohupx's and
// detach's relays keep growing after logout.
func outputGrows(b *testbed) string {
	const size = "stat -c %s /home/u/nohupx.out /home/u/detach.out /home/u/p.out"
	before := b.root(size)
	time.Sleep(2500 * time.Millisecond)
	after := strings.Fields(b.root(size))
	for i, s := range strings.Fields(before) {
		if i >= len(after) || after[i] == s {
			return "stops"
		}
	}
	return "keeps growing"
}

func scenarioName(kup, linger bool) string {
	for _, sc := range logindScenarios {
		if sc.kup == kup && sc.linger == linger {
			return sc.name
		}
	}
	return fmt.Sprintf("KUP=%v, linger %v", kup, linger)
}

// logindTable is the measured table, as the README shows it.
func logindTable(got map[string]map[string]string) string {
	var b strings.Builder
	b.WriteString("| started in the session |")
	for _, sc := range logindScenarios {
		b.WriteString(" " + sc.name + " |")
	}
	b.WriteString("\n|---|---|---|---|\n")
	rows := append(logindJobs[:len(logindJobs):len(logindJobs)], struct {
		name, label string
		moves       bool
	}{"output", "output file of nohupx, detach, -p", true})
	for _, j := range rows {
		b.WriteString("| " + j.label + " |")
		for _, sc := range logindScenarios {
			cell := got[sc.name][j.name]
			if cell == "" {
				cell = "not measured"
			}
			b.WriteString(" " + cell + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}
