// fakeserver stands in for the servers the test machine lacks (abduco,
// Emacs). Installed under their names, its comm is theirs. It listens on
// the socket path given and, with -rebind, binds it again on SIGUSR1 as
// abduco does and as Emacs does with the handler reattach-sock prints;
// without -rebind it ignores SIGUSR1, as a stock Emacs does. With -S and
// no -sock it holds no socket, as a screen server can between reopening
// its FIFO, whose path is then guessed from its -S and SCREENDIR.
package main

import (
	"flag"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sock := flag.String("sock", "", "socket path")
	rebind := flag.Bool("rebind", false, "bind again on SIGUSR1")
	flag.String("S", "", "session name, as screen's")
	flag.Parse()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1)
	if *sock == "" {
		select {}
	}
	ln := listen(*sock)
	for range sigs {
		if *rebind {
			os.Remove(*sock)
			ln.Close()
			ln = listen(*sock)
		}
	}
}

func listen(path string) *net.UnixListener {
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		log.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln
}
