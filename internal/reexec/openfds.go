package reexec

import (
	"os"
	"slices"
	"strconv"
)

// OpenFds lists this process's open descriptors in increasing order, from
// /proc/self/fd on Linux and /dev/fd on the BSDs and macOS.
func OpenFds() []int {
	var fds []int
	for _, dir := range []string{"/proc/self/fd", "/dev/fd"} {
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if n, err := strconv.Atoi(e.Name()); err == nil {
				fds = append(fds, n)
			}
		}
		slices.Sort(fds) // the names sort as strings: "10" < "3"
		return fds
	}
	return fds
}
