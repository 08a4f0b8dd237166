package jobs

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/internal/testbin"
	"github.com/nohupx/nohupx/logrot"
)

const startLine = `{"v":1,"id":"kq3f","by":"detach","pid":4242,"pgid":4240,"sid":4240,"own_group":true,"command":["sh","-c","exit 7"],"cwd":"/","status_known":true,"started":"2026-12-04T10:00:00Z"}` + "\n"

func TestParse(t *testing.T) {
	seven := `{"event":"ended","time":"2026-12-04T10:05:00Z","exit_status":7}` + "\n"
	tests := []struct {
		name    string
		data    string
		status  int
		signal  string
		ended   bool
		dev     uint64 // the output file's identity
		ino     uint64
		wantErr string
	}{
		{name: "start only", data: startLine},
		{name: "exit status", data: startLine + seven, status: 7, ended: true},
		{name: "signal", data: startLine + `{"event":"ended","time":"2026-12-04T10:05:00Z","signal":"TERM"}` + "\n", signal: "TERM", ended: true},
		{name: "first end wins", data: startLine + seven + `{"event":"ended","time":"2026-12-04T10:06:00Z","exit_status":1}` + "\n", status: 7, ended: true},
		{name: "half-written event ignored", data: startLine + `{"event":"end`, status: 0},
		{name: "unknown event kind ignored", data: startLine + `{"event":"later","time":"2026-12-04T10:05:00Z"}` + "\n"},
		{name: "empty", data: "", wantErr: "incomplete record"},
		{name: "half-written start", data: startLine[:40], wantErr: "incomplete record"},
		{name: "not JSON", data: "hello\n", wantErr: "first line: invalid character"},
		{name: "unknown field", data: strings.Replace(startLine, `"by"`, `"bx"`, 1), wantErr: `first line: json: unknown field "bx"`},
		{name: "newer version", data: strings.Replace(startLine, `"v":1`, `"v":2`, 1), wantErr: "record version 2; this nohupx reads version 1"},
		{name: "no pid", data: strings.Replace(startLine, `"pid":4242`, `"pid":0`, 1), wantErr: "first line: no id, pid or command"},
		{name: "pid beyond pid_t", data: strings.Replace(startLine, `"pid":4242`, `"pid":4294967295`, 1), wantErr: "first line: a pid out of range"},
		{name: "waiter beyond pid_t", data: strings.Replace(startLine, `"pid":4242`, `"pid":4242,"waiter":4294967296`, 1), wantErr: "first line: a pid out of range"},
		{name: "bad event", data: startLine + "[]\n", wantErr: "line 2: json: cannot unmarshal array"},
		{name: "two values on a line", data: startLine + seven[:len(seven)-1] + " {}\n", wantErr: "line 2: more than one JSON value on a line"},
		{name: "output file identity", data: strings.Replace(startLine, `"status_known"`, `"output":"/tmp/o","output_dev":2049,"output_ino":131,"status_known"`, 1), dev: 2049, ino: 131},
		{name: "identity not a number", data: strings.Replace(startLine, `"status_known"`, `"output_ino":"131","status_known"`, 1), wantErr: "first line: json: cannot unmarshal string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := Parse([]byte(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if j.ID != "kq3f" || j.Pid != 4242 || (j.Ended != nil) != tt.ended || j.Signal != tt.signal {
				t.Fatalf("= %+v", j)
			}
			if j.OutputDev != tt.dev || j.OutputIno != tt.ino {
				t.Errorf("output file %d:%d; want %d:%d", j.OutputDev, j.OutputIno, tt.dev, tt.ino)
			}
			if n, ok := j.ShellStatus(); tt.ended && tt.signal == "" && (!ok || n != tt.status) {
				t.Errorf("ShellStatus = %d, %v; want %d", n, ok, tt.status)
			}
			if n, ok := j.ShellStatus(); tt.signal == "TERM" && (!ok || n != 128+15) {
				t.Errorf("ShellStatus = %d, %v; want 143", n, ok)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(startLine))
	f.Add([]byte(strings.Replace(startLine, `"status_known"`, `"output":"/tmp/o","offset":3,"output_dev":2049,"output_ino":131,"status_known"`, 1)))
	f.Add([]byte(startLine + `{"event":"ended","time":"2026-12-04T10:05:00Z","exit_status":7}` + "\n"))
	f.Add([]byte(startLine + `{"event":"kill","time":"2026-12-04T10:05:00Z","signal":"INT"}` + "\n{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := Parse(data)
		if err != nil {
			return
		}
		// What parses is a record a reader can show.
		if j.ID == "" || j.Pid <= 0 || len(j.Command) == 0 {
			t.Fatalf("accepted %+v", j)
		}
		var b bytes.Buffer
		if err := WriteTable(&b, []Job{j}, 80, time.Now(), "/root"); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(&b, []Job{j}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestIDs(t *testing.T) {
	for i := 0; i < 1000; i++ {
		id := newID(4 + i%3)
		if !IsID(id) {
			t.Fatalf("newID gave %q, which IsID refuses", id)
		}
	}
	for _, s := range []string{"", "1234", "4abc", "ab-c", "ABCD", "abc1", "o0l1"} {
		if IsID(s) {
			t.Errorf("IsID(%q) = true", s)
		}
	}
}

func TestDir(t *testing.T) {
	tests := []struct {
		env  []string
		want string
	}{
		{[]string{"HOME=/home/u"}, "/home/u/.local/state/nohupx/jobs"},
		{[]string{"HOME=/home/u", "XDG_STATE_HOME=/s"}, "/s/nohupx/jobs"},
		{[]string{"HOME=/home/u", "XDG_STATE_HOME=rel"}, "/home/u/.local/state/nohupx/jobs"},
		{[]string{"HOME=rel"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		got, err := Dir(tt.env)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("Dir(%q) = %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
	if !Disabled([]string{NoRecordEnv + "=1"}) || Disabled([]string{NoRecordEnv + "=0"}) || Disabled([]string{NoRecordEnv + "="}) || Disabled(nil) {
		t.Error("Disabled: want only a value other than \"\" and \"0\" to turn recording off")
	}
}

func TestStore(t *testing.T) {
	home := t.TempDir()
	dir, _ := Dir([]string{"HOME=" + home})
	if _, err := Open(dir, false); !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("Open without create of a missing directory: %v; want ENOENT", err)
	}
	if _, err := Open(filepath.Join(home, "nohome", ".local", "state", "nohupx", "jobs"), true); err == nil {
		t.Fatal("Open created a HOME that did not exist")
	}
	s, err := Open(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("record directory: %v %v; want mode 0700", fi.Mode(), err)
	}

	// Concurrent creates never share an id or tear a record.
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := Record{By: "nohupx", Pid: 1000 + i, Command: []string{"job", strings.Repeat("x", i)}, Started: time.Now()}
			if err := s.Create(&r); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	// A corrupt record is reported and hides nothing; an incomplete
	// young one is a launch in progress; a planted symlink is not read.
	os.WriteFile(filepath.Join(dir, "zzzz.jsonl"), []byte("garbage\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "yyyy.jsonl"), []byte(`{"v":1`), 0o600)
	os.Symlink("/etc/passwd", filepath.Join(dir, "xxxx.jsonl"))
	list, probs, err := s.List()
	if err != nil || len(list) != 200 {
		t.Fatalf("List: %d records, %v; want 200", len(list), err)
	}
	if len(probs) != 2 || !strings.Contains(probs[0].Error()+probs[1].Error(), "zzzz.jsonl") {
		t.Errorf("problems %v; want zzzz.jsonl and the symlink reported", probs)
	}
	if err := s.Append(list[0].ID, EndedEvent(syscall.WaitStatus(3<<8))); err != nil {
		t.Fatal(err)
	}
	if j, err := s.Get(list[0].ID); err != nil || j.ExitStatus == nil || *j.ExitStatus != 3 {
		t.Errorf("after Append: %+v %v; want status 3", j, err)
	}
	if err := s.Append("xxxx", Event{Event: EvKill}); err == nil {
		t.Error("Append through a planted symlink succeeded")
	}

	// Everything here has ended (no such pids at these start times):
	// Prune keeps the newest 200 finished, and removes older ones.
	old := Record{By: "nohupx", Pid: 999, StartTicks: 1, Command: []string{"old"}, Started: time.Now().Add(-40 * 24 * time.Hour)}
	if err := s.Create(&old); err != nil {
		t.Fatal(err)
	}
	list, probs, _ = s.List()
	s.Prune(list, func(Job) bool { return true }, probs, time.Now())
	if _, err := s.Get(old.ID); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("a record 40 days old survived Prune: %v", err)
	}
	if after, _, _ := s.List(); len(after) != keepFinished {
		t.Errorf("%d records after Prune; want %d", len(after), keepFinished)
	}
	if _, err := os.Lstat(filepath.Join(dir, "xxxx.jsonl")); err != nil {
		t.Errorf("Prune removed a name it did not make: %v", err)
	}
}

// TestPruneSince: retention counts from the recorded end or, when no end
// is recorded (a nohupx job), from when Prune first found the job ended,
// which it records: a job that ran longer than keepFor keeps its record
// for keepFor after its end, not none.
func TestPruneSince(t *testing.T) {
	now := time.Now()
	day := 24 * time.Hour
	tests := []struct {
		name   string
		events []Event
		kept   bool
		gone   bool // a gone event recorded now
	}{
		{"no end: found ended now", nil, true, true},
		{"found ended 31 days ago", []Event{{Event: EvGone, Time: now.Add(-31 * day)}}, false, false},
		{"found ended 2 days ago", []Event{{Event: EvGone, Time: now.Add(-2 * day)}}, true, false},
		{"ended 2 days ago", []Event{endedAt(now.Add(-2 * day))}, true, false},
		{"ended 31 days ago", []Event{endedAt(now.Add(-31 * day))}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(t.TempDir(), true)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			r := Record{By: "nohupx", Pid: 999, StartTicks: 1, Command: []string{"long"}, Started: now.Add(-40 * day)}
			if err := s.Create(&r); err != nil {
				t.Fatal(err)
			}
			for _, e := range tt.events {
				if err := s.Append(r.ID, e); err != nil {
					t.Fatal(err)
				}
			}
			list, probs, _ := s.List()
			s.Prune(list, func(Job) bool { return true }, probs, now)
			j, err := s.Get(r.ID)
			if kept := err == nil; kept != tt.kept {
				t.Fatalf("after Prune: %v; want kept %v", err, tt.kept)
			}
			if gone := j.gone != nil && j.gone.Equal(now.UTC().Round(0)); tt.kept && gone != tt.gone {
				t.Errorf("gone = %v; want a gone event at now: %v", j.gone, tt.gone)
			}
		})
	}
}

// endedAt is an ended event at t, status 0.
func endedAt(t time.Time) Event {
	e := EndedEvent(0)
	e.Time = t
	return e
}

func TestFind(t *testing.T) {
	list := []Job{{Record: Record{ID: "abcd", Pid: 10}}, {Record: Record{ID: "efgh", Pid: 20}}, {Record: Record{ID: "jkmn", Pid: 10}}}
	for _, tt := range []struct{ spec, want, err string }{
		{"efgh", "efgh", ""},
		{"10", "jkmn", ""}, // the newest record of a pid
		{"zzzz", "", `no job "zzzz"`},
		{"30", "", "no job with pid 30"},
		{"-3", "", `"-3" is neither a job id nor a pid`},
		{"a-b", "", `"a-b" is neither`},
	} {
		j, err := Find(list, tt.spec)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Find(%q) = %v; want %q", tt.spec, err, tt.err)
			}
			continue
		}
		if err != nil || j.ID != tt.want {
			t.Errorf("Find(%q) = %q, %v; want %q", tt.spec, j.ID, err, tt.want)
		}
	}
}

// TestTableFits: whatever the command and output, a row fits the width.
func TestTableFits(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.Local)
	seven := 7
	ended := now.Add(-time.Hour)
	list := []Job{
		{Record: Record{ID: "abcd", Pid: 4194303, Command: []string{"python3", "train.py", "--epochs=100", strings.Repeat("very-long-argument ", 10)},
			Output: "/home/someone/projects/a/very/deep/directory/nohup.out", Started: now.Add(-26 * time.Hour), StatusKnown: true},
			Ended: &ended, ExitStatus: &seven},
		{Record: Record{ID: "efgh", Pid: 1, StartTicks: 12345, Command: []string{"it's", "a b"}, Started: now.AddDate(-1, 0, 0)}},
	}
	var b bytes.Buffer
	if err := WriteTable(&b, list, 80, now, "/home/someone"); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("%d columns: %q", n, line)
		}
	}
	for _, want := range []string{" exited ", " 1d01h ", "…", "'it'\\''s' 'a b'", "?: "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

// TestTidy: launches alone keep the record bounded.
func TestTidy(t *testing.T) {
	defer func(n int) { tidyEvery = n }(tidyEvery)
	tidyEvery = 1
	dir, _ := Dir([]string{"HOME=" + t.TempDir()})
	s, err := Open(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < keepFinished+150; i++ {
		// Ended: no process has pid 1 with these start ticks.
		r := Record{By: "nohupx", Pid: 1, StartTicks: 12345, Command: []string{"job"}, Started: time.Now()}
		if err := s.Create(&r); err != nil {
			t.Fatal(err)
		}
		s.Tidy()
	}
	if names, _ := s.names(); len(names) > keepFinished+100 {
		t.Errorf("%d records after Tidy on every launch; want at most %d", len(names), keepFinished+100)
	}
}

// BenchmarkLaunchRecord is what a launch spends on its record: open the
// directory, describe this process, create the file.
func BenchmarkLaunchRecord(b *testing.B) {
	dir, _ := Dir([]string{"HOME=" + b.TempDir()})
	for i := 0; i < b.N; i++ {
		s, err := Open(dir, true)
		if err != nil {
			b.Fatal(err)
		}
		r := Record{By: "nohupx", Command: []string{"python3", "train.py"}, Cwd: "/home/u", Started: time.Now()}
		r.Self()
		if err := s.Create(&r); err != nil {
			b.Fatal(err)
		}
		s.Tidy()
		s.Close()
	}
}

// TestTimesUTC: records keep their times in UTC (so no launch loads the
// time zone); --jobs --json shows them in local time.
func TestTimesUTC(t *testing.T) {
	defer func(l *time.Location) { time.Local = l }(time.Local)
	time.Local = time.FixedZone("UTC+5", 5*3600)
	s, err := Open(t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	started := time.Date(2026, 12, 5, 10, 0, 0, 0, time.Local)
	r := Record{By: "nohupx", Pid: os.Getpid(), StartTicks: 1, Command: []string{"job"}, Started: started} // a pid since reused
	if err := s.Create(&r); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(r.ID, Event{Event: EvEnded, Time: started.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(s.Path, r.ID+suffix))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"started":"2026-12-05T05:00:00Z"`, `"time":"2026-12-05T05:01:00Z"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("record %s; want %s", data, want)
		}
	}
	j, err := s.Get(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	v := See(j)
	if v.Started != "2026-12-05T10:00:00+05:00" || v.Ended == nil || *v.Ended != "2026-12-05T10:01:00+05:00" {
		t.Errorf("--json times %q, %v; want local 10:00 and 10:01 at +05:00", v.Started, v.Ended)
	}
}

// BenchmarkList reads a directory at the size where Tidy prunes
// (keepFinished+100 records): what --jobs costs, and what a pruning
// launch pays once in about a hundred.
func BenchmarkList(b *testing.B) {
	s, err := Open(b.TempDir(), true)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < keepFinished+100; i++ {
		r := Record{By: "nohupx", Pid: 1, StartTicks: 12345, Command: []string{"python3", "train.py"}, Cwd: "/home/u", Started: time.Now()}
		if err := s.Create(&r); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		jobs, probs, err := s.List()
		if err != nil || len(probs) > 0 || len(jobs) != keepFinished+100 {
			b.Fatalf("List: %d jobs, problems %v, %v", len(jobs), probs, err)
		}
	}
}

// TestSetOutput: a regular output file is recorded with what it is; one
// that is not (/dev/null, a FIFO) is not recorded at all, so that --log
// says the output went to no file rather than refusing to read a device.
func TestSetOutput(t *testing.T) {
	file := filepath.Join(t.TempDir(), "out")
	if err := os.WriteFile(file, []byte("before\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		output string // recorded; "" for none
	}{{file, file}, {os.DevNull, ""}} {
		f, err := os.OpenFile(tt.name, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		var r Record
		r.SetOutput(&logrot.Output{Name: tt.name, File: f, W: f})
		f.Close()
		if r.Output != tt.output || (tt.output != "" && (r.Offset != 7 || r.OutputIno == 0)) {
			t.Errorf("SetOutput(%s): output %q offset %d ino %d; want %q", tt.name, r.Output, r.Offset, r.OutputIno, tt.output)
		}
	}
}

// TestHookDir: --on-exit runs in the job's directory only when no other
// user controls it; root's hook for a detach --user job whose directory is
// USER's runs in /.
func TestHookDir(t *testing.T) {
	own := t.TempDir()
	open := t.TempDir()
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	sticky := t.TempDir()
	if err := os.Chmod(sticky, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ dir, want string }{
		{own, own},
		{open, "/"},
		{sticky, sticky},
		{filepath.Join(own, "gone"), "/"},
		{filepath.Join(own, "link"), own}, // a link of the user's own, as $PWD may name
	}
	if err := os.Symlink(own, filepath.Join(own, "link")); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		theirs := t.TempDir()
		if err := os.Chown(theirs, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		// Root's directory in theirs: they can put a link to any
		// directory in its place, so the hook's chdir by name would
		// follow it.
		mine := filepath.Join(theirs, "mine")
		if err := os.Mkdir(mine, 0o755); err != nil {
			t.Fatal(err)
		}
		tests = append(tests, struct{ dir, want string }{theirs, "/"}, struct{ dir, want string }{mine, "/"})
	} else if os.Getenv("CI") == "true" {
		t.Error("CI runs as root: the case of another user's directory did not run")
	}
	for _, tt := range tests {
		if got := hookDir(tt.dir); got != tt.want {
			t.Errorf("hookDir(%s) = %s; want %s", tt.dir, got, tt.want)
		}
	}
}

// TestSignalNeverEveryProcess: a job recorded as pid 1 leading its group
// (a container's first process) is signalled alone, never as group 1,
// which kill(2) would take for every process the caller may signal.
// Signal 0 sends nothing, to any process: the test only sees the target.
func TestSignalNeverEveryProcess(t *testing.T) {
	testbin.NeedRoot(t, "to signal pid 1")
	st, err := procfs.ReadStat(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, waiter := range []int{0, 1} {
		j := Job{Record: Record{By: "nohupx", Pid: 1, StartTicks: st.Start, Pgid: 1, Sid: 1, OwnGroup: true,
			Waiter: waiter, WaiterTicks: st.Start, Command: []string{"init"}}}
		target, what, err := Signal(j, 0)
		if err != nil || target != 1 || what != "process" {
			t.Errorf("Signal of pid 1 leading group 1 (waiter %d) = %d %q %v; want process 1", waiter, target, what, err)
		}
	}
}

// TestSignalGroupNow: --kill signals the group the job is in now, not the
// one recorded. A detach job that made a session of its own (a daemon's
// setsid) is signalled in its own group, not through the waiting stage's,
// which it has left; one that left a group it led is signalled alone.
// Signal 0 sends nothing: the test only sees the target.
func TestSignalGroupNow(t *testing.T) {
	stage := sleeper(t, 0)
	tests := []struct {
		name      string
		jobGroup  int // 0: a group of its own
		recorded  func(job int) (pgid, waiter int)
		wantGroup bool
		wantStage bool // the stage's group, not the job's
	}{
		{name: "in detach's group", jobGroup: stage,
			recorded: func(int) (int, int) { return stage, stage }, wantGroup: true, wantStage: true},
		{name: "left detach's group for its own",
			recorded: func(int) (int, int) { return stage, stage }, wantGroup: true},
		{name: "leads its group, as recorded",
			recorded: func(job int) (int, int) { return job, 0 }, wantGroup: true},
		{name: "left the group it led", jobGroup: stage,
			recorded: func(job int) (int, int) { return job, 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := sleeper(t, tt.jobGroup)
			pgid, waiter := tt.recorded(job)
			j := Job{Record: Record{By: "detach", Pid: job, StartTicks: ticks(t, job), Pgid: pgid,
				OwnGroup: true, Waiter: waiter, Command: []string{"sleep"}}}
			if waiter != 0 {
				j.WaiterTicks = ticks(t, waiter)
			}
			want, wantWhat := job, "process"
			if tt.wantStage {
				want = stage
			}
			if tt.wantGroup {
				wantWhat = "process group"
			}
			if target, what, err := Signal(j, 0); err != nil || target != want || what != wantWhat {
				t.Errorf("Signal = %d %q %v; want %s %d", target, what, err, wantWhat, want)
			}
		})
	}
}

// sleeper starts a process that sleeps until the test ends, in process
// group pgid (0: a group of its own), and returns its pid.
func sleeper(t *testing.T, pgid int) int {
	t.Helper()
	c := exec.Command("sleep", "1000")
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pgid: pgid}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	return c.Process.Pid
}

func ticks(t *testing.T, pid int) uint64 {
	t.Helper()
	st, err := procfs.ReadStat(pid)
	if err != nil {
		t.Fatal(err)
	}
	return st.Start
}

// TestManyKills: a job signalled again and again (a reload signal sent
// by cron) keeps a readable record, and its end is still recorded.
func TestManyKills(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "jobs"), true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := Record{By: "detach", Pid: 4242, StatusKnown: true, Command: []string{"server"}, Started: time.Now()}
	if err := s.Create(&r); err != nil {
		t.Fatal(err)
	}
	kill := Event{Event: EvKill, Signal: "HUP"}
	each, _ := line(kill)
	for i := 0; i <= maxRecord/len(each); i++ {
		if err := s.Append(r.ID, kill); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Append(r.ID, EndedEvent(syscall.WaitStatus(0))); err != nil {
		t.Fatal(err)
	}
	if j, err := s.Get(r.ID); err != nil || j.ExitStatus == nil || len(j.Kills) == 0 {
		t.Errorf("after many kills: %v, status %v; want the record, its kills and its end", err, j.ExitStatus)
	}
}

// TestUnknownWhy: the reason given for an unknown status is the one that
// holds for how the job was started.
func TestUnknownWhy(t *testing.T) {
	for by, want := range map[string]string{
		"nohupx":    "only the shell that started it saw its status",
		"nohupx -p": "nohupx -p changed it while it ran, and only its parent saw its status",
		"nohupx -g": "nohupx -g changed it while it ran, and only its parent saw its status",
	} {
		// No such process at that start time: it has ended.
		j := Job{Record: Record{By: by, Pid: os.Getpid(), StartTicks: 1, Command: []string{"job"}}}
		if state, why := j.Status(); state != Unknown || !strings.Contains(why, want) {
			t.Errorf("%s: %s, %q; want unknown, %q", by, state, why, want)
		}
	}
}

// TestOpenNotInOthersDirectory: the record directory is not made inside
// a directory of another user's (root with a user's HOME), which would
// leave that user a root-owned directory their own nohupx refuses.
func TestOpenNotInOthersDirectory(t *testing.T) {
	testbin.NeedRoot(t, "to give a directory to another user")
	home := filepath.Join(t.TempDir(), "home")
	os.Mkdir(home, 0o755)
	if err := os.Chown(home, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	dir, _ := Dir([]string{"HOME=" + home})
	s, err := Open(dir, true)
	if err == nil {
		s.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "belongs to uid 65534") {
		t.Errorf("Open = %v; want it refused: the home belongs to uid 65534", err)
	}
	if _, err := os.Lstat(filepath.Join(home, ".local")); err == nil {
		t.Error("made .local in the other user's home")
	}
}
