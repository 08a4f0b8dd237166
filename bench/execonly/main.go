// Command execonly is the baseline of bench/launch.sh: a minimal static Go
// program that only execs its arguments, trying each PATH directory in
// turn as execvp does, so that the ratio measures what nohupx adds to the
// cost of any Go launcher.
//
//	execonly COMMAND [ARG]...
package main

import (
	"os"
	"strings"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		os.Exit(125)
	}
	argv, env := os.Args[1:], os.Environ()
	if strings.Contains(argv[0], "/") {
		syscall.Exec(argv[0], argv, env)
		os.Exit(126)
	}
	for _, dir := range strings.Split(os.Getenv("PATH"), ":") {
		if dir == "" {
			dir = "."
		}
		syscall.Exec(dir+"/"+argv[0], argv, env)
	}
	os.Exit(127)
}
