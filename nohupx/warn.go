package nohupx

import (
	"bytes"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/gobinary"
	"github.com/nohupx/nohupx/internal/pathsearch"
	"github.com/nohupx/nohupx/internal/quote"
)

// warnings names the protections that cannot work for this command,
// because the program resets the signal dispositions it inherits when it
// starts (measured with Go 1.26, OpenJDK 17 and Node.js 18 on Linux):
//   - the Go runtime installs its own handlers for TERM and QUIT, so an
//     inherited SIG_IGN on them is lost (HUP, INT and the job-control
//     signals it keeps);
//   - Node.js sets every signal but PIPE and XFSZ back to SIG_DFL, so
//     it loses even the ignore on HUP, and it catches TERM.
//
// The JVM keeps an inherited ignore on HUP and TERM, so it needs no
// warning.
func warnings(o Options) []string {
	path := resolve(o.Command[0])
	if path == "" {
		return nil
	}
	name := quote.Shell(o.Command[0])
	var w []string
	if isNode(path) {
		w = append(w, name+" runs on Node.js, which resets SIGHUP and SIGTERM when it starts, so they cannot be ignored for it; run it with 'detach'")
	}
	if o.Ignore.Has(syscall.SIGTERM) || o.Ignore.Has(syscall.SIGQUIT) {
		if gobinary.Is(path) {
			w = append(w, name+" is a Go program: the Go runtime resets SIGTERM and SIGQUIT when it starts, so they cannot be ignored for it; run it with 'detach'")
		}
	}
	return w
}

// resolve finds the file execvp would run, or "".
func resolve(file string) string {
	for _, c := range pathsearch.Candidates(file) {
		var st unix.Stat_t
		if unix.Stat(c, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFREG && unix.Access(c, unix.X_OK) == nil {
			return c
		}
	}
	return ""
}

// isNode reports whether path is the node binary or a script whose "#!"
// line runs node, directly or through env.
func isNode(path string) bool {
	if nodeName(path) {
		return true
	}
	// A raw read: os.Open would start the runtime's poller (an epoll
	// instance) in a process that is about to exec anyway.
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	head := make([]byte, 256)
	n, _ := unix.Read(fd, head)
	unix.Close(fd)
	if n < 0 {
		n = 0
	}
	line, ok := bytes.CutPrefix(head[:n], []byte("#!"))
	if !ok {
		return false
	}
	line, _, _ = bytes.Cut(line, []byte("\n"))
	fields := strings.Fields(string(line))
	for i, fld := range fields {
		if i > 0 && strings.HasPrefix(fld, "-") {
			continue // env -S and the like
		}
		if filepath.Base(fld) == "env" && i == 0 {
			continue
		}
		return nodeName(fld)
	}
	return false
}

func nodeName(path string) bool {
	names := []string{filepath.Base(path)}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		names = append(names, filepath.Base(real))
	}
	for _, n := range names {
		if n == "node" || n == "nodejs" {
			return true
		}
	}
	return false
}
