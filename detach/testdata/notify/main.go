// Command notify is a test daemon for detach --ready: it speaks sd_notify
// to $NOTIFY_SOCKET the way a real service does.
package main

import (
	"flag"
	"net"
	"os"
	"time"
)

func main() {
	delay := flag.Duration("delay", 0, "wait this long before READY=1")
	exit := flag.Int("exit", -1, "exit with this status instead of becoming ready")
	never := flag.Bool("never", false, "never become ready")
	readyExit := flag.Int("ready-exit", -1, "exit with this status at once after READY=1")
	flag.Parse()
	time.Sleep(*delay)
	if *exit >= 0 {
		os.Exit(*exit)
	}
	if !*never {
		c, err := net.Dial("unixgram", os.Getenv("NOTIFY_SOCKET"))
		if err != nil {
			os.Exit(99)
		}
		c.Write([]byte("STATUS=starting\nREADY=1\n"))
		c.Close()
		if *readyExit >= 0 {
			os.Exit(*readyExit)
		}
	}
	time.Sleep(time.Minute)
}
