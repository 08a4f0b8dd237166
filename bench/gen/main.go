// Command gen is the bench scripts' output generator: it writes BYTES
// (K/M/G suffixes) of 100-byte text lines to stdout in writes of WRITE
// bytes (default 1M), fast enough never to be the bottleneck.
//
//	gen BYTES [WRITE]
package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/nohupx/nohupx/logrot"
)

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: gen BYTES [WRITE]")
		os.Exit(2)
	}
	n, err := logrot.ParseSize(os.Args[1])
	write := int64(1 << 20)
	if err == nil && len(os.Args) == 3 {
		write, err = logrot.ParseSize(os.Args[2])
		if err == nil && write <= 0 {
			err = fmt.Errorf("write size %q: want at least 1 byte", os.Args[2])
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(2)
	}
	line := []byte(strings.Repeat("the quick brown fox jumps over the lazy dog ", 3))[:99]
	buf := bytes.Repeat(append(line, '\n'), int(write)/100+1)[:write]
	for n > 0 {
		b := buf[:min(n, int64(len(buf)))]
		if _, err := os.Stdout.Write(b); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		n -= int64(len(b))
	}
}
