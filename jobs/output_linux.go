package jobs

import (
	"os"
	"strconv"

	"github.com/nohupx/nohupx/logrot"
)

// OutputDone says whether all of the job's output is on disk: no log relay
// still holds a pipe it came through, standard output's or, when it has a
// relay of its own, standard error's. (Without a relay, the job's own
// writes put it there.) It does not say whether the job has ended.
func (j Job) OutputDone() bool {
	want := map[string]bool{}
	for _, p := range []uint64{j.Pipe, j.StderrPipe} {
		if p != 0 {
			want["pipe:["+strconv.FormatUint(p, 10)+"]"] = true
		}
	}
	if len(want) == 0 {
		return true
	}
	relays, err := logrot.ListRelays()
	if err != nil {
		return true
	}
	for _, r := range relays {
		dir := "/proc/" + strconv.Itoa(r.Pid) + "/fd/"
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue // gone, or a zombie: it holds nothing
		}
		for _, e := range ents {
			if l, err := os.Readlink(dir + e.Name()); err == nil && want[l] {
				return false
			}
		}
	}
	return true
}
