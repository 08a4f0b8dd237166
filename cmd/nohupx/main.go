// Command nohupx is the multi-call binary of the nohupx suite. The applet is
// chosen by the name it is run as; see internal/multicall.
package main

import (
	"os"

	"github.com/nohupx/nohupx/internal/multicall"
)

func main() { os.Exit(multicall.Main(os.Args)) }
