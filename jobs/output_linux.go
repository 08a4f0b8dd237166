package jobs

import (
	"os"
	"strconv"

	"github.com/nohupx/nohupx/logrot"
)

// OutputDone says whether all of the job's output is on disk: no log relay
// still holds the pipe it came through. (Without a relay, the job's own
// writes put it there.) It does not say whether the job has ended.
func (j Job) OutputDone() bool {
	if j.Pipe == 0 {
		return true
	}
	relays, err := logrot.ListRelays()
	if err != nil {
		return true
	}
	want := "pipe:[" + strconv.FormatUint(j.Pipe, 10) + "]"
	for _, r := range relays {
		dir := "/proc/" + strconv.Itoa(r.Pid) + "/fd/"
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue // gone, or a zombie: it holds nothing
		}
		for _, e := range ents {
			if l, err := os.Readlink(dir + e.Name()); err == nil && l == want {
				return false
			}
		}
	}
	return true
}
