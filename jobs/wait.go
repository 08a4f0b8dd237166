package jobs

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/nohupx/nohupx/internal/safedir"
)

// outputPoll is how often the relays are looked at once the job has ended:
// they finish within milliseconds of their last byte.
const outputPoll = 50 * time.Millisecond

// WaitEnd returns the record of job id once the job has ended and its
// output is all on disk.
func (s *Store) WaitEnd(id string) (Job, error) {
	for {
		j, err := s.Get(id)
		if err != nil {
			return Job{}, err
		}
		if !j.Done() {
			// Until the process goes, or a second passes (an event may
			// come first: a stopped job's waiter, say).
			waitGone(j.Pid, j.StartTicks, time.Second)
			time.Sleep(outputPoll) // a zombie's pidfd is readable at once
			continue
		}
		if j.OutputDone() {
			return j, nil
		}
		time.Sleep(outputPoll)
	}
}

// Runtime is how long the job ran, if its end is known.
func (j Job) Runtime() (time.Duration, bool) {
	if j.Ended == nil {
		return 0, false
	}
	return j.Ended.Sub(j.Started), true
}

// onExitEnv is what --on-exit's command gets on top of the environment.
func onExitEnv(j Job) []string {
	state, _ := j.Status()
	status := "unknown"
	if n, ok := j.ShellStatus(); ok {
		status = strconv.Itoa(n)
	}
	runtime := ""
	if d, ok := j.Runtime(); ok {
		runtime = strconv.FormatInt(int64(d.Round(time.Second)/time.Second), 10)
	}
	return []string{
		"NOHUPX_JOB_ID=" + j.ID,
		"NOHUPX_JOB_PID=" + strconv.Itoa(j.Pid),
		"NOHUPX_JOB_STATE=" + state,
		"NOHUPX_JOB_STATUS=" + status,
		"NOHUPX_JOB_SIGNAL=" + j.Signal,
		"NOHUPX_JOB_RUNTIME=" + runtime,
		"NOHUPX_JOB_COMMAND=" + ShellWords(j.Command),
		"NOHUPX_JOB_OUTPUT=" + j.Output,
	}
}

// RunOnExit runs cmd with /bin/sh once job id has ended and its output is
// on disk, waits for it, and records how it went. The caller has detached
// itself already; cmd's standard input and output are /dev/null, and the
// end of what it writes to standard error goes into the record if it
// fails.
func (s *Store) RunOnExit(id, cmd string) error {
	j, err := s.WaitEnd(id)
	if err != nil {
		return err
	}
	c := exec.Command("/bin/sh", "-c", cmd)
	c.Env = append(os.Environ(), onExitEnv(j)...)
	c.Dir = hookDir(j.Cwd)
	var stderr tailBuffer
	c.Stderr = &stderr
	e := Event{Event: EvOnExit}
	if err := c.Run(); err != nil {
		e.Message = fmt.Sprintf("%s: %v", cmd, err)
		if msg := bytes.TrimSpace(stderr.b); len(msg) > 0 {
			e.Message += ": " + string(msg)
		}
	}
	return s.Append(id, e)
}

// hookDir is where --on-exit runs: the job's working directory, if no
// other user can rename or remove entries in it or in any directory on
// its path (safedir's walk, by the rule the relay rotates by), else /.
// The hook runs as whoever started the job, root for detach --user too,
// and the job's directory may be --user's USER's: a link they put there
// at a name the hook writes to would take root's write anywhere. The
// directories above count as much: the owner of one can put a link to
// any directory in place of the next, and the chdir by name follows it.
// A symbolic link on the way counts only if its owner is the hook's user
// or root (safedir.Resolve); the hook runs at the path it resolves to, no
// part of which anyone else can change.
func hookDir(cwd string) string {
	dir, err := safedir.Resolve(cwd, os.Geteuid())
	if err != nil {
		return "/"
	}
	return dir
}

// tailBuffer keeps the last 512 bytes written to it.
type tailBuffer struct{ b []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 512 {
		t.b = t.b[len(t.b)-512:]
	}
	return len(p), nil
}

// ShellWords is argv as a shell would read it back: words that need no
// quoting as they are, others in single quotes.
func ShellWords(argv []string) string {
	var b strings.Builder
	for i, a := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a != "" && strings.Trim(a, plainChars) == "" {
			b.WriteString(a)
			continue
		}
		b.WriteString("'" + strings.ReplaceAll(a, "'", `'\''`) + "'")
	}
	return b.String()
}

const plainChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-"
