package reattach

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// writeTable prints --list: one row a server, and the reason for any
// state but reachable on the line below it.
func writeTable(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tPID\tUSER\tSTATE\tSOCKET")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", r.Kind, r.PID, r.User, r.Before.State, r.Path)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range results {
		if r.Before.Reason == "" {
			continue
		}
		if _, err := fmt.Fprintf(w, "%s %d: %s\n", r.Kind, r.PID, r.Before.Reason); err != nil {
			return err
		}
	}
	return nil
}

// jsonResult is one server in --json output. With --list, only "state"
// and "reason" describe it; otherwise "before", "actions", "error" and
// "after" say what was done.
type jsonResult struct {
	Kind    Kind     `json:"kind"`
	PID     int      `json:"pid"`
	UID     int      `json:"uid"`
	User    string   `json:"user"`
	Socket  string   `json:"socket"`
	Proven  bool     `json:"proven"`
	FIFO    bool     `json:"fifo,omitempty"`
	State   State    `json:"state"`
	Reason  string   `json:"reason,omitempty"`
	Owner   int      `json:"owner,omitempty"`
	Before  *Status  `json:"before,omitempty"`
	Actions []string `json:"actions,omitempty"`
	Error   string   `json:"error,omitempty"`
	Millis  float64  `json:"elapsed_ms,omitempty"`
}

func writeJSON(w io.Writer, results []Result, list bool) error {
	out := make([]jsonResult, 0, len(results))
	for _, r := range results {
		j := jsonResult{Kind: r.Kind, PID: r.PID, UID: r.UID, User: r.User, Socket: r.Path,
			Proven: r.Proven(), FIFO: r.FIFO, State: r.After.State, Reason: r.After.Reason, Owner: r.After.Owner}
		if !list {
			before := r.Before
			j.Before, j.Actions = &before, r.Actions
			if r.Err != nil {
				j.Error = r.Err.Error()
			}
			if len(r.Actions) > 0 {
				j.Millis = float64(r.Elapsed.Microseconds()) / 1000
			}
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
