//go:build !linux

package reattach

import (
	"runtime"
	"time"
)

// hintWho gives the time only: kqueue and FSEvents do not name the
// deleter, and the tools that can (fs_usage, eslogger) need root.
type hintWho struct{}

func newAttributor(logf func(string, ...any)) attributor {
	logf("deletions are logged with the time; naming the deleter needs root and fs_usage -w -f filesys or eslogger")
	return hintWho{}
}

func (hintWho) Watch(string) {}
func (hintWho) Close()       {}

// Who recognises the macOS cleaners' schedule: dirhelper cleans the
// per-user temporary directory (/var/folders/…/T) daily at 03:35.
func (hintWho) Who(path string, at time.Time) string {
	if runtime.GOOS != "darwin" {
		return ""
	}
	if m := at.Hour()*60 + at.Minute(); m >= 3*60+30 && m <= 3*60+50 {
		return "likely macOS dirhelper, which cleans temporary directories at 03:35"
	}
	return ""
}
