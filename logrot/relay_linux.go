package logrot

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/reexec"
)

// The descriptors Start hands down to both stages, after stdin, stdout and
// stderr (all /dev/null).
const (
	fdData    = 3 // read end of the output pipe
	fdRequest = 4 // the request, read to EOF
	fdStatus  = 5 // one status line back to Start
)

// relayBuf is the relay's read size: the size Start raises the pipe to, so
// that one read(2) can take everything the pipe holds.
const relayBuf = 1 << 20

// commName is what ps -e and top show for both stages (the kernel would
// show "exe", after /proc/self/exe).
const commName = "nohupx-relay"

// relayIgnored are the signals the relay ignores: the command owns the
// lifetime, and the relay goes when the last writer has closed the pipe.
// SIGPIPE can only come from the status pipe; SIGXFSZ would otherwise kill
// the relay when the log reaches RLIMIT_FSIZE, where it should drop and
// count instead.
var relayIgnored = []os.Signal{
	syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT,
	syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGPIPE,
	syscall.SIGXFSZ,
}

// SpawnMain is the intermediate stage: started by Start in a new session
// (setsid), it starts the relay and exits at once, so that the relay is
// orphaned (no longer anyone's child: Start reaps this stage before it
// returns) and is not a session leader, so it can never acquire a
// controlling terminal (POSIX: only a session leader opening a terminal
// does).
func SpawnMain() int {
	setComm()
	status := os.NewFile(fdStatus, "status")
	// Descriptors the caller inherited without close-on-exec (a shell's
	// 9>file, an ssh channel) must not live on in the relay.
	reexec.CloseOnExecFrom(fdStatus + 1)
	null, err := reexec.DevNull()
	if err != nil {
		reply(status, err)
		return 1
	}
	// The relay can be found (FindRelays reads argv) before it catches
	// SIGUSR1, whose default action would kill it and lose the output.
	// Start it with SIGUSR1 blocked: the runtime saves this thread's mask
	// for the child, and a "rotate now" sent in that window stays pending
	// until the relay's signal.Notify unblocks it.
	runtime.LockOSThread()
	var usr1 unix.Sigset_t
	usr1.Val[(unix.SIGUSR1-1)/64] |= 1 << ((unix.SIGUSR1 - 1) % 64)
	_ = unix.PthreadSigmask(unix.SIG_BLOCK, &usr1, nil)
	argv := append([]string{RelayStage}, os.Args[1:]...)
	p, err := os.StartProcess(reexec.Exe(), argv, &os.ProcAttr{
		Dir:   "/",
		Files: []*os.File{null, null, null, os.NewFile(fdData, "data"), os.NewFile(fdRequest, "request"), status},
	})
	if err != nil {
		reply(status, fmt.Errorf("start the relay: %w", err))
		return 1
	}
	p.Release()
	return 0
}

// RelayMain is the relay stage: it reads the request, opens the log,
// reports on the status descriptor and copies the pipe into the log until
// every writer has closed it.
func RelayMain() int {
	signal.Ignore(relayIgnored...)
	// USR1 is "rotate now"; until it is handled its default would kill us,
	// so it is caught before anyone can learn our pid from the status line.
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	setComm()
	status := os.NewFile(fdStatus, "status")
	reqf := os.NewFile(fdRequest, "request")
	req, err := decodeRequest(reqf)
	reqf.Close()
	if err != nil {
		reply(status, err)
		return 1
	}
	s := newSink(req.Path, req.Policy)
	if err := s.Open(); err != nil {
		reply(status, err)
		return 1
	}
	reply(status, nil)
	go func() {
		for range usr1 {
			_ = s.RotateNow() // a failure is retried by the next write
		}
	}()
	err = pump(fdData, make([]byte, relayBuf), s.Write)
	cerr := s.Close()
	if err != nil || cerr != nil {
		return 1
	}
	return 0
}

// pump reads fd until EOF, that is until every write end is closed, and
// hands each chunk to write. It blocks in read(2): no timer, no poller, no
// wakeup while the command is quiet.
func pump(fd int, buf []byte, write func([]byte)) error {
	// The read end is ours alone, but make sure: a non-blocking read would
	// spin.
	_ = unix.SetNonblock(fd, false)
	for {
		n, err := unix.Read(fd, buf)
		switch {
		case err == nil && n > 0:
			write(buf[:n])
		case err == nil:
			return nil
		case errors.Is(err, unix.EINTR):
		case errors.Is(err, unix.EAGAIN):
			// O_NONBLOCK came back somehow: wait in poll(2) instead of spinning.
			_, _ = unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, -1)
		default:
			return err
		}
	}
}

// reply writes the one status line: "ok PID" or "error REASON".
func reply(status *os.File, err error) {
	if err == nil {
		fmt.Fprintf(status, "ok %d\n", os.Getpid())
	} else {
		fmt.Fprintf(status, "error %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
	}
	status.Close()
}

// parseReply reads the status line; the pid is the relay's.
func parseReply(line string) (int, error) {
	line = strings.TrimSuffix(line, "\n")
	if rest, ok := strings.CutPrefix(line, "ok "); ok {
		if pid, err := strconv.Atoi(rest); err == nil {
			return pid, nil
		}
	}
	if reason, ok := strings.CutPrefix(line, "error "); ok {
		return 0, errors.New(reason)
	}
	if line == "" {
		return 0, errors.New("the relay exited without reporting")
	}
	return 0, fmt.Errorf("the relay reported %q", line)
}

// setComm names the process for ps -e, top and pgrep. prctl(PR_SET_NAME)
// would name only the calling thread, which in Go need not be the main
// one; /proc/self/comm is the thread group leader's.
func setComm() {
	_ = os.WriteFile("/proc/self/comm", []byte(commName), 0)
}
