package logrot

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// syslogAlert sends msg to the system log (journald or syslogd listen on
// /dev/log), the one place a detached relay can speak when its log file
// cannot be written. It is a single datagram, best effort; log/syslog would
// link the net package into the relay for this.
func syslogAlert(msg string) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	const userWarning = 1<<3 | 4 // facility user, severity warning
	line := fmt.Sprintf("<%d>%s %s[%d]: %s", userWarning, time.Now().Format(time.Stamp), commName, os.Getpid(), msg)
	_ = unix.Sendto(fd, []byte(line), unix.MSG_DONTWAIT, &unix.SockaddrUnix{Name: "/dev/log"})
}
