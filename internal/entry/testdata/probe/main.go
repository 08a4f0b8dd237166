// Command probe prints what internal/entry recorded, for entry_test.go.
package main

import (
	"fmt"
	"os"

	"github.com/nohupx/nohupx/internal/entry"
)

func main() {
	fmt.Fprintf(os.Stderr, "known=%v closed=%v,%v,%v ignored=%#x blocked=%#x\n", entry.Known(),
		entry.Closed(0), entry.Closed(1), entry.Closed(2), entry.Ignored(), entry.Blocked())
}
