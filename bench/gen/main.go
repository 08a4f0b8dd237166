// Command gen is the bench scripts' output generator: it writes BYTES
// (K/M/G suffixes) of 100-byte text lines to stdout in 1 MiB writes, fast
// enough never to be the bottleneck.
//
//	gen BYTES
package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/nohupx/nohupx/logrot"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen BYTES")
		os.Exit(2)
	}
	n, err := logrot.ParseSize(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(2)
	}
	line := []byte(strings.Repeat("the quick brown fox jumps over the lazy dog ", 3))[:99]
	buf := bytes.Repeat(append(line, '\n'), (1<<20)/100+1)[:1<<20]
	for n > 0 {
		b := buf[:min(n, int64(len(buf)))]
		if _, err := os.Stdout.Write(b); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		n -= int64(len(b))
	}
}
