package logrot

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// alert says msg where a user can read it when the log itself cannot be
// written: one line in the relay log of the user's state directory
// (StateLog), and one datagram to the system log (journald or syslogd
// listen on /dev/log), both best effort.
func alert(path string) func(msg string) {
	return func(msg string) {
		line := fmt.Sprintf("%s %s: %s", time.Now().Format(time.RFC3339), path, msg)
		_ = appendStateLog(line + "\n")
		syslogAlert(path + ": " + msg)
	}
}

// StateLog is where the relays of this user note what they could not
// write in the log: $XDG_STATE_HOME/nohupx/relay.log, by default
// ~/.local/state/nohupx/relay.log.
func StateLog() (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(dir) { // the XDG rule: a relative value is ignored
		home := os.Getenv("HOME")
		if home == "" {
			return "", errors.New("no HOME")
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "nohupx", "relay.log"), nil
}

func appendStateLog(line string) error {
	name, err := StateLog()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return err
	}
	fd, err := unix.Open(name, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || int(st.Uid) != unix.Geteuid() {
		return errors.New("not a file of ours")
	}
	_, err = unix.Write(fd, []byte(line))
	return err
}

// syslogAlert sends msg to the system log as a single datagram, best
// effort; log/syslog would link the net package into the relay for this.
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
