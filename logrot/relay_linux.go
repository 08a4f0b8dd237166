package logrot

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/reexec"
)

// The descriptors every relay process holds, after stdin, stdout and
// stderr (all /dev/null). fdPartner is the pidfd of the process that
// started this one, when it is the other relay process.
const (
	fdData    = 3 // read end of the output pipe: the job writes the other end
	fdPrivR   = 4 // the private pipe: a chunk taken from fdData waits here
	fdPrivW   = 5 //   until it is in the file
	fdJournal = 6 // the journal memfd, with the request
	fdDir     = 7 // the log's directory
	fdPartner = 8 // a pidfd of the other relay process, or /dev/null
	nFds      = 8 // descriptors 0..7 are handed on
)

func init() {
	reexec.Register(SpawnStage, SpawnMain)
	reexec.Register(HolderStage, HolderMain)
	reexec.Register(RelayStage, RelayMain)
}

// relayBuf is the size of the pipes and of one chunk: one read(2) can take
// everything the pipe holds. The default 64 KiB pipe costs about 20% more
// CPU per byte.
const relayBuf = 1 << 20

// commName is what ps -e and top show for the relay processes (the kernel
// would show "exe", after /proc/self/exe).
const commName = "nohupx-relay"

// relayIgnored are the signals the relay processes ignore: the job owns
// the lifetime, and the relay goes when the last writer has closed the
// pipe. SIGPIPE cannot come from anything the relay writes; SIGXFSZ would
// otherwise kill the writer when the log reaches RLIMIT_FSIZE, where it
// should drop and count instead.
var relayIgnored = []os.Signal{
	syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT,
	syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGPIPE,
	syscall.SIGXFSZ,
}

// SpawnMain is the first stage: started by Start in a new session
// (setsid), it starts the holder and the writer and exits, so that neither
// is anybody's child (Start reaps this stage before it returns) nor a
// session leader, so neither can acquire a controlling terminal (POSIX:
// only a session leader opening a terminal does).
//
// It starts both, rather than leaving the writer to the holder, so that
// from the moment Start returns two processes hold the pipe and either can
// be killed, without waiting for either to initialise. The writer gets the
// holder's pidfd; the holder finds the writer's pid in the journal.
func SpawnMain() int {
	reexec.CloseOnExecFrom(nFds)
	holder, _, err := spawnWith(HolderStage, -1)
	if err != nil {
		return 1
	}
	_, writer, err := spawnWith(RelayStage, holder)
	if err != nil {
		writer = -1 // the holder starts one itself
	}
	openJournal(fdJournal).put(jWriter, uint64(writer))
	return 0
}

// HolderMain is the holder: it keeps the read end of the output pipe, the
// private pipe and the journal open, and does nothing else but start the
// writer again whenever it dies before the end. So the job never gets
// SIGPIPE or EPIPE while a relay process lives, and what is in the pipes
// waits for the next writer. It does no I/O at all; it blocks in poll(2).
func HolderMain() int {
	signal.Ignore(append(relayIgnored, syscall.SIGUSR1)...)
	setComm()
	j := openJournal(fdJournal)
	partner := -1
	if given(fdPartner) { // started by a writer whose holder died
		partner = fdPartner
	} else { // started by the first stage, with a writer
		partner = firstWriter(j)
	}
	var delay time.Duration
	var born time.Time
	for {
		if partner < 0 {
			time.Sleep(delay)
			started := time.Now()
			var err error
			if partner, err = spawn(RelayStage); err != nil {
				delay = min(max(2*delay, 100*time.Millisecond), time.Second)
				continue
			}
			born = started
		}
		crashed := waitExit(partner)
		unix.Close(partner)
		partner = -1
		if j.state() == stDone {
			return 0
		}
		// A writer that fails by itself at once would fail again: wait a
		// little longer each time, up to a second. A killed one is
		// replaced at once.
		if crashed && time.Since(born) < time.Second {
			delay = min(max(2*delay, 50*time.Millisecond), time.Second)
		} else {
			delay = 0
		}
	}
}

// RelayMain is the writer: it moves the output from the pipe into the log
// file, rotating it, and starts a new holder if the holder dies.
func RelayMain() int {
	signal.Ignore(relayIgnored...)
	// USR1 is "rotate now"; until it is handled its default would kill us.
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	setComm()
	j := openJournal(fdJournal)
	raw, err := j.request()
	var req request
	if err == nil {
		req, err = decodeRequest(bytes.NewReader(raw))
	}
	if err != nil {
		syslogAlert(fmt.Sprintf("cannot start: %v", err))
		return 1
	}
	s := newSink(fdDir, filepath.Dir(req.Path), filepath.Base(req.Path), req.Policy, j)
	s.alert = alert(req.Path)
	pp, err := newPrivPipe()
	if err != nil {
		s.alert(fmt.Sprintf("cannot start the writer: %v", err))
		return 1
	}
	recoverWrite(s, pp, j)
	if err := s.Open(); err != nil {
		s.alert(fmt.Sprintf("cannot open the log: %v", err)) // Write retries
	}
	go func() {
		for range usr1 {
			_ = s.RotateNow() // a failure is retried by the next write
		}
	}()
	partner := -1
	if given(fdPartner) {
		partner = fdPartner
	}
	if err := pump(pp, s, &partner); err != nil {
		// Not the end: what is in the pipes waits for the writer the
		// holder starts next.
		s.alert(fmt.Sprintf("the writer stops: %v", err))
		s.Close()
		return 1
	}
	ferr := s.Finish() // the end: the holder may go
	cerr := s.Close()
	if ferr != nil || cerr != nil {
		return 1
	}
	return 0
}

// firstWriter waits for the first stage to note the first writer's pid in
// the journal and returns a pidfd of it, or -1 (start one) if there is none
// or it is gone already.
func firstWriter(j journal) int {
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if pid := int(int64(j.get(jWriter))); pid != 0 {
			if pid < 0 {
				return -1
			}
			fd, err := unix.PidfdOpen(pid, 0)
			if err != nil {
				return -1
			}
			unix.CloseOnExec(fd)
			return fd
		}
	}
	return -1
}

// spawn starts a relay process for stage with the shared descriptors
// and, as fdPartner, a pidfd of this process; it returns a pidfd of the
// new process.
func spawn(stage string) (int, error) {
	self, err := unix.PidfdOpen(os.Getpid(), 0)
	if err != nil {
		return -1, fmt.Errorf("pidfd_open: %w", err)
	}
	defer unix.Close(self)
	fd, _, err := spawnWith(stage, self)
	return fd, err
}

// spawnWith starts a relay process for stage with the shared descriptors
// and partner as fdPartner (-1: none); it returns a pidfd of the new
// process and its pid.
func spawnWith(stage string, partner int) (pidfd, pid int, err error) {
	req, err := journal{fd: fdJournal}.request()
	if err != nil {
		return -1, 0, err
	}
	r, err := decodeRequest(bytes.NewReader(req))
	if err != nil {
		return -1, 0, err
	}
	// Descriptor 8 is always given, /dev/null (fd 0) standing for none: a
	// gap would be filled by whatever the Go runtime opens first (it keeps
	// cgroup files open), and taken for a partner.
	if partner < 0 {
		partner = 0
	}
	files := []uintptr{0, 1, 2, fdData, fdPrivR, fdPrivW, fdJournal, fdDir, uintptr(partner)}
	pid, err = syscall.ForkExec(reexec.Exe(), []string{stage, r.Path}, &syscall.ProcAttr{
		Dir: "/", Env: relayEnv(), Files: files,
	})
	if err != nil {
		return -1, 0, fmt.Errorf("start %s: %w", stage, err)
	}
	// The child is ours until we reap it, so its pid cannot be reused
	// before this pidfd refers to it.
	pidfd, err = unix.PidfdOpen(pid, 0)
	if err != nil {
		return -1, pid, fmt.Errorf("pidfd_open: %w", err)
	}
	unix.CloseOnExec(pidfd)
	return pidfd, pid, nil
}

// relayEnv is the environment of the relay processes: the caller's (for
// HOME and XDG_STATE_HOME), on one CPU, which is all a relay needs and
// keeps its memory small.
func relayEnv() []string {
	env := os.Environ()
	if os.Getenv("GOMAXPROCS") == "" {
		env = append(env, "GOMAXPROCS=1")
	}
	return env
}

// given reports whether fd (fdPartner) holds something rather than the
// /dev/null of fd 0 that stands for nothing, and marks it close-on-exec.
func given(fd int) bool {
	var st, null unix.Stat_t
	if unix.Fstat(fd, &st) != nil || unix.Fstat(0, &null) != nil {
		return false
	}
	unix.CloseOnExec(fd)
	return st.Dev != null.Dev || st.Ino != null.Ino
}

// waitExit blocks until the process of pidfd has ended, reaps it if it is
// our child, and reports whether it exited by itself (not killed).
func waitExit(pidfd int) (failed bool) {
	for {
		_, err := unix.Poll([]unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}, -1)
		if err == nil || !errors.Is(err, unix.EINTR) {
			break
		}
	}
	return reap(pidfd)
}

// reap collects the process of pidfd if it is our child, and reports
// whether it exited by itself (CLD_EXITED) rather than being killed: a
// relay process exits by itself before the end only when it failed.
func reap(pidfd int) (exited bool) {
	var info unix.Siginfo
	if unix.Waitid(unix.P_PIDFD, pidfd, &info, unix.WEXITED|unix.WNOHANG, nil) != nil {
		return false
	}
	const cldExited = 1
	return info.Code == cldExited
}

// setComm names the process for ps -e, top and pgrep. prctl(PR_SET_NAME)
// would name only the calling thread, which in Go need not be the main
// one; /proc/self/comm is the thread group leader's.
func setComm() {
	_ = os.WriteFile("/proc/self/comm", []byte(commName), 0)
}
