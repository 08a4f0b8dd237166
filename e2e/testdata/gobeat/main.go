// Command gobeat is the Go heartbeat job of the e2e suite.
//
// Synopsis:
//
//	gobeat [-stdin] [-stdout] BEATFILE
//
// Every 100 ms it writes "PID COUNT" to BEATFILE, like testdata/beat.sh.
// With -stdin it also reads stdin each beat, with -stdout it also writes a
// line to stdout each beat; errors from either are ignored.
//
// It is a plain Go program with no signal handling of its own, on purpose:
// the Go runtime then installs its own SIGTERM (and SIGQUIT, SIGPIPE)
// handler at start-up whatever the launcher ignored, and keeps an inherited
// SIG_IGN only for SIGHUP, SIGINT and the job-control signals. That is what a
// real Go, JVM or Node service does, and what a launcher has to cope with.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	stdin := flag.Bool("stdin", false, "read stdin every beat")
	stdout := flag.Bool("stdout", false, "write to stdout every beat")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gobeat [-stdin] [-stdout] BEATFILE")
		os.Exit(2)
	}
	path, pid := flag.Arg(0), os.Getpid()
	buf := make([]byte, 512)
	for n := 1; ; n++ {
		os.WriteFile(path, fmt.Appendf(nil, "%d %d\n", pid, n), 0o644)
		if *stdin {
			os.Stdin.Read(buf)
		}
		if *stdout {
			fmt.Printf("tick %d\n", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
