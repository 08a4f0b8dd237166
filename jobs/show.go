package jobs

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// View is one job as --jobs --json prints it: one object per line.
type View struct {
	ID         string   `json:"id"`
	Pid        int      `json:"pid"`
	State      string   `json:"state"`
	ExitStatus *int     `json:"exit_status"`
	Signal     *string  `json:"signal"`
	Command    []string `json:"command"`
	Cwd        string   `json:"cwd"`
	Output     *string  `json:"output"`
	Started    string   `json:"started"`
	Ended      *string  `json:"ended"`
	// Why the state is unknown, when it is.
	Unknown  string `json:"unknown_why,omitempty"`
	Pgid     int    `json:"pgid"`
	Sid      int    `json:"sid"`
	TTY      string `json:"tty,omitempty"`
	Unit     string `json:"unit,omitempty"`
	By       string `json:"by"`
	OnExit   string `json:"on_exit,omitempty"`
	OnExitOK *bool  `json:"on_exit_ok,omitempty"`
}

// See is j as --jobs shows it now.
func See(j Job) View {
	state, why := j.Status()
	v := View{ID: j.ID, Pid: j.Pid, State: state, Command: j.Command, Cwd: j.Cwd, Unknown: why,
		Started: j.Started.Local().Format(time.RFC3339), Pgid: j.Pgid, Sid: j.Sid, TTY: j.TTY, Unit: j.Unit, By: j.By, OnExit: j.OnExit}
	if state == Exited || state == Killed {
		v.ExitStatus = j.ExitStatus
		if j.Signal != "" {
			sig := j.Signal
			v.Signal = &sig
		}
	}
	if j.Ended != nil && state != Running && state != Stopped {
		e := j.Ended.Local().Format(time.RFC3339)
		v.Ended = &e
	}
	if j.Output != "" {
		out := j.Output
		v.Output = &out
	}
	if j.OnExit != "" && j.OnExitRan() {
		ok := j.OnExitErr() == ""
		v.OnExitOK = &ok
	}
	return v
}

// OnExitRan and OnExitErr say whether --on-exit's command has run, and
// how it failed if it did.
func (j Job) OnExitRan() bool { return j.onExit != nil }
func (j Job) OnExitErr() string {
	if j.onExit == nil {
		return ""
	}
	return j.onExit.Message
}

// WriteJSON writes one JSON object per job, newest last.
func WriteJSON(w io.Writer, jobs []Job) error {
	enc := json.NewEncoder(w)
	for _, j := range jobs {
		if err := enc.Encode(See(j)); err != nil {
			return err
		}
	}
	return nil
}

// WriteTable writes the jobs as a table no wider than width, newest last,
// and one line under it for each reason a status is unknown. Columns are
// as wide as what they hold; OUTPUT gives up to 16 columns and COMMAND
// takes what is left, both cut with "…".
func WriteTable(w io.Writer, jobs []Job, width int, now time.Time, home string) error {
	rows := [][]string{{"ID", "PID", "STATE", "STARTED", "RUNTIME", "STATUS", "OUTPUT"}}
	var whys []string
	for _, j := range jobs {
		v := See(j)
		status := "-"
		switch {
		case v.Signal != nil:
			status = *v.Signal
		case v.ExitStatus != nil:
			status = strconv.Itoa(*v.ExitStatus)
		case v.State == Unknown:
			status = "?"
			if !slices.Contains(whys, v.Unknown) {
				whys = append(whys, v.Unknown)
			}
		}
		out := "-"
		if v.Output != nil {
			out = shorten(tilde(*v.Output, home), 16)
		}
		rows = append(rows, []string{j.ID, strconv.Itoa(j.Pid), v.State, started(j.Started, now), runtime(j, now), status, out})
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for n, r := range rows {
		used := 0
		for i, c := range r {
			pad := widths[i] - utf8.RuneCountInString(c)
			if i == 1 { // numbers to the right
				c = strings.Repeat(" ", pad) + c
			} else {
				c += strings.Repeat(" ", pad)
			}
			b.WriteString(c + " ")
			used += widths[i] + 1
		}
		cmd := "COMMAND"
		if n > 0 {
			cmd = shorten(ShellWords(jobs[n-1].Command), width-used)
		}
		b.WriteString(cmd + "\n")
	}
	for _, why := range whys {
		b.WriteString(wrap("?: "+why+".", width, "   "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// started is the start time: the clock time today, else month and day
// (and the year, another year).
func started(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	switch y, m, d := now.Date(); {
	case t.Year() == y && t.Month() == m && t.Day() == d:
		return t.Format("15:04:05")
	case t.Year() == y:
		return t.Format("Jan 02")
	}
	return t.Format("2006-01-02")
}

// runtime is how long the job has run, or ran: "45s", "12m03s", "5h07m",
// "3d04h"; "?" when its end is unknown.
func runtime(j Job, now time.Time) string {
	var d time.Duration
	switch state, _ := j.Status(); {
	case j.Ended != nil:
		d = j.Ended.Sub(j.Started)
	case state == Running || state == Stopped:
		d = now.Sub(j.Started)
	default:
		return "?"
	}
	s := int64(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", max(s, 0))
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%dd%02dh", s/86400, s%86400/3600)
}

func tilde(path, home string) string {
	if home != "" && home != "/" {
		if rest, ok := strings.CutPrefix(path, strings.TrimSuffix(home, "/")+"/"); ok {
			return filepath.Join("~", rest)
		}
	}
	return path
}

// shorten cuts s to n characters, marking the cut with "…" (at the start
// for a path, whose end says most).
func shorten(s string, n int) string {
	if n < 1 {
		n = 1
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if strings.Contains(s, "/") && !strings.Contains(s, " ") {
		return "…" + string(r[len(r)-n+1:])
	}
	return string(r[:n-1]) + "…"
}

// wrap breaks text into lines no wider than width at spaces, indenting the
// lines after the first.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && utf8.RuneCountInString(line+" "+word) > width {
			b.WriteString(line + "\n")
			line = indent + word
			continue
		}
		if line == "" {
			line = word
		} else {
			line += " " + word
		}
	}
	return b.String() + line + "\n"
}
