//go:build linux && (amd64 || arm64)

package inject

import (
	"errors"
	"os"
	"os/user"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/diag"
	"github.com/nohupx/nohupx/internal/procfs"
	"github.com/nohupx/nohupx/internal/quote"
	"github.com/nohupx/nohupx/internal/sigs"
)

// Set by tests only: testCorrupt damages the registers at the restore, to
// prove that the checksum job notices when they are not put back;
// testVDSO makes findInsn borrow from the vDSO, its fallback.
var testCorrupt, testVDSO bool

// Apply makes the running process pid survive the end of its session as
// req asks, and says what it changed. A pid that is a thread stands for
// its process. On any error other than ErrNotUndone the target is as it
// was (ErrNoProcess: or gone).
//
// Caveats, all of them shared with strace and gdb attaching:
//   - the stopped thread returns EINTR from a call Linux never restarts
//     after a stop (epoll_wait, sigtimedwait, ...), as after ^Z and fg;
//   - the caller must not be killed while it holds the thread: the kernel
//     would let the thread go with the injected registers. nohupx catches
//     INT, TERM, QUIT and HUP meanwhile, which leaves SIGKILL, for the
//     milliseconds the work takes;
//   - on arm64 with SVE, a live SVE state beyond the FP/SIMD registers is
//     discarded by the injected calls, as by any syscall.
func Apply(pid int, req Request) (Result, error) {
	if req.Timeout <= 0 {
		req.Timeout = defaultTimeout
	}
	res := Result{Pid: pid}
	st, err := procfs.ReadStatus(pid)
	if err != nil {
		return res, errorf(ErrNoProcess, "")
	}
	res.Comm = st.Name
	if st.Tgid > 0 && st.Tgid != pid {
		// /proc/TID exists (unlisted) for every thread.
		res.ThreadOf, pid, res.Pid = pid, st.Tgid, st.Tgid
		if st, err = procfs.ReadStatus(pid); err != nil {
			return res, errorf(ErrNoProcess, "")
		}
		res.Comm = st.Name
	}
	if err := precheck(pid, st); err != nil {
		return res, err
	}
	tid, threads := pickThread(pid)
	res.Threads = threads

	runtime.LockOSThread()
	t := &tracee{pid: pid, tid: tid, timeout: req.Timeout, memfd: -1, filtered: st.Seccomp == 2}
	if err := t.seize(); err != nil {
		runtime.UnlockOSThread()
		return res, seizeError(pid, err)
	}
	err = t.run(req, &res)
	if t.memfd >= 0 {
		unix.Close(t.memfd)
	}
	if !errors.Is(err, ErrNotUndone) {
		// Otherwise the thread may still be this thread's tracee: keep
		// the goroutine on it so that no other work lands there.
		runtime.UnlockOSThread()
	}
	return res, err
}

// NeedsChange says, from /proc alone, whether Apply would have anything to
// do in pid: a signal of req not yet ignored (nor handled, without Always)
// or a terminal on fd 0, 1 or 2. A process forked by a target after Apply
// needs nothing: fork(2) and execve(2) keep SIG_IGN and the fd table.
func NeedsChange(pid int, req Request) (bool, error) {
	st, err := procfs.ReadStatus(pid)
	if err != nil || st.State == 'Z' || st.State == 'X' {
		return false, errorf(ErrNoProcess, "")
	}
	if st.State == 'T' {
		req, _ = req.forStopped()
	}
	return !plan(req, st, pid).empty(), nil
}

// precheck refuses what cannot or must not be traced, before touching it.
func precheck(pid int, st procfs.Status) error {
	switch {
	case st.State == 'Z' || st.State == 'X':
		return errorf(ErrNoProcess, "it has exited (a zombie)")
	case pid == os.Getpid():
		return &PermissionError{Why: "it is this nohupx process"}
	case st.Kthread || pid == 2 || st.PPID == 2:
		return errorf(ErrUnsupported, "a kernel thread has no signal handlers or files to change")
	case st.TracerPid != 0:
		return tracedError(st.TracerPid)
	case st.Seccomp == 1:
		return errorf(ErrUnsupported, "it runs in seccomp strict mode, where any other system call kills it")
	}
	// The target opens /dev/null, the output file and /proc/<our pid>/fd
	// by name: in another mount namespace or under chroot those names
	// mean something else.
	if a, b := readlink("/proc/self/ns/mnt"), readlink(procPath(pid, "ns/mnt")); a != "" && b != "" && a != b {
		return errorf(ErrUnsupported, "it runs in another mount namespace (a container)")
	}
	if root := readlink(procPath(pid, "root")); root != "" && root != "/" {
		return errorf(ErrUnsupported, "it runs under chroot %s", quote.Shell(root))
	}
	return nil
}

func tracedError(tracer int) error {
	// TracerPid is the tracing thread; name its process.
	name := ""
	if st, err := procfs.ReadStatus(tracer); err == nil {
		if st.Tgid > 0 {
			tracer = st.Tgid
		}
		name = " (" + st.Name + ")"
	}
	return errorf(ErrTraced, "process %d%s is tracing it; only one tracer at a time: end it (a debugger: detach) and try again",
		tracer, name)
}

// seizeError classifies a failed PTRACE_SEIZE.
func seizeError(pid int, err error) error {
	switch {
	case errors.Is(err, unix.ESRCH):
		return errorf(ErrNoProcess, "")
	case errors.Is(err, unix.EPERM):
		st, serr := procfs.ReadStatus(pid)
		if serr != nil {
			return errorf(ErrNoProcess, "")
		}
		if st.TracerPid != 0 { // another tracer came first
			return tracedError(st.TracerPid)
		}
		return &PermissionError{Why: explainPermission(permissionFacts(pid, st))}
	}
	return errorf(ErrFailed, "PTRACE_SEIZE: %s", diag.Strerror(err))
}

func permissionFacts(pid int, st procfs.Status) permFacts {
	f := permFacts{Pid: pid, Yama: -1, OurUID: os.Getuid(), OurGID: os.Getgid(), Target: st}
	if b, err := os.ReadFile("/proc/sys/kernel/yama/ptrace_scope"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			f.Yama = n
		}
	}
	if self, err := procfs.ReadStatus(os.Getpid()); err == nil {
		f.CapPtrace = self.CapEff&(1<<unix.CAP_SYS_PTRACE) != 0
	}
	// The kernel gives /proc/PID of a process that is not dumpable to
	// root (task_dump_owner).
	var sb unix.Stat_t
	if unix.Stat(procPath(pid, ""), &sb) == nil && sb.Uid == 0 && st.UID[1] != 0 {
		f.NotDumpbl = true
	}
	for p, n := st.PPID, 0; p > 1 && n < 4096; n++ {
		if p == os.Getpid() {
			f.Ancestor = true
			break
		}
		pst, err := procfs.ReadStatus(p)
		if err != nil {
			break
		}
		p = pst.PPID
	}
	f.UserName = func(uid int) string {
		if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
			return u.Username
		}
		return ""
	}
	return f
}

// run does the work on a seized thread and always lets it go: detached
// as it was, or changed as reported.
func (t *tracee) run(req Request, res *Result) error {
	req, r0, err := t.stop(req, res)
	if err != nil {
		return err
	}
	// What is there to do? The masks are process-wide and the thread is
	// stopped; the injected query below is what counts in the end.
	st, err := procfs.ReadStatus(t.pid)
	if err != nil {
		return t.detachUntouched(errorf(ErrNoProcess, ""))
	}
	w := plan(req, st, t.pid)
	alreadyDone(req, st, res)
	if w.empty() {
		return t.finish(req, res, t.detachUntouched(nil))
	}
	return t.change(req, res, w, r0)
}

// stop interrupts the seized thread and checks that it can be changed
// here: the kernel's syscall info, the architecture, /proc/PID/mem. It
// returns the request as it applies to the target (one that was already
// stopped gets forStopped's) and the thread's registers.
func (t *tracee) stop(req Request, res *Result) (Request, regs, error) {
	if err := ptrace(unix.PTRACE_INTERRUPT, t.tid, 0, 0); err != nil {
		// Not stopped, so it cannot be detached: the kernel lets it go
		// untouched when nohupx exits.
		return req, regs{}, errorf(ErrFailed, "PTRACE_INTERRUPT: %s", diag.Strerror(err))
	}
	first, err := t.firstStop()
	if err != nil {
		// Still running (uninterruptible sleep, say) and not stopped: the
		// kernel lets it go untouched when nohupx exits.
		return req, regs{}, err
	}
	res.Stopped = first.sig != syscall.SIGTRAP
	if res.Stopped {
		req, res.ForStopped = req.forStopped()
	}
	if _, err := getSyscallInfo(t.tid); err != nil {
		return req, regs{}, t.detachUntouched(errorf(ErrUnsupported, "this kernel has no PTRACE_GET_SYSCALL_INFO (Linux 5.3)"))
	}
	r0, err := getRegs(t.tid)
	if err != nil {
		return req, regs{}, t.detachUntouched(errorf(ErrFailed, "read registers: %s", diag.Strerror(err)))
	}
	if err := checkArch(&r0); err != nil {
		return req, regs{}, t.detachUntouched(err)
	}
	if t.memfd, err = unix.Open(procPath(t.pid, "mem"), unix.O_RDWR|unix.O_CLOEXEC, 0); err != nil {
		return req, regs{}, t.detachUntouched(errorf(ErrFailed, "open /proc/%d/mem: %s", t.pid, diag.Strerror(err)))
	}
	return req, r0, nil
}

// change does w in the stopped thread: it captures the thread's state
// (registers r0 at the stop), finds a syscall instruction, injects the
// calls and restores the state, undoing what it did if a step failed.
func (t *tracee) change(req Request, res *Result, w work, r0 regs) error {
	saved, atEntryStop, err := t.capture(r0, 0)
	if err != nil {
		return err
	}
	res.takenAt = "stop"
	if atEntryStop {
		res.takenAt = "entry"
	}
	insn, from, err := t.findInsn(&saved, atEntryStop)
	res.insnFrom = from
	if err != nil {
		// Nothing written yet but, after capture, maybe the registers of
		// an entry stop: restore makes the thread re-execute that call.
		if rerr := t.restore(saved, nil); rerr != nil {
			return rerr
		}
		return err
	}
	err = t.inject(&saved, insn, req, w, res)
	res.passed = t.passed
	if errors.Is(err, errGone) {
		if livesOn(t.pid) {
			return errorf(ErrNotUndone, "%s", t.threadGone(err))
		}
		return errorf(ErrNoProcess, "%s", t.goneWhile(err))
	}
	if rerr := t.restore(saved, nil); rerr != nil {
		switch {
		case err == nil:
			return rerr
		case errors.Is(rerr, ErrNoProcess) && !errors.Is(err, ErrNotUndone):
			return rerr
		}
		return &kindError{kind: ErrNotUndone, msg: detail(err) + "; and then: " + detail(rerr)}
	}
	if err != nil {
		return err
	}
	return t.finish(req, res, nil)
}

// goneWhile says how the target went while it was being changed. A
// thread killed by SIGSYS in a filtered process was, in all likelihood,
// killed by its seccomp filter (SECCOMP_RET_KILL_PROCESS) for a call
// nohupx made in it.
func (t *tracee) goneWhile(err error) string {
	var g gone
	errors.As(err, &g)
	if t.bySeccomp(g) {
		return "its seccomp filter killed it (SIGSYS) for a call nohupx made in it, and the kernel " +
			"gives a tracer no say"
	}
	return exited("it exited while it was being changed", g.how)
}

// threadGone says how the thread nohupx used went while the process runs
// on without it: a filter that kills only the calling thread
// (SECCOMP_RET_KILL_THREAD, libseccomp's SCMP_ACT_KILL), or the thread's
// own exit. What was changed before stays changed: the calls that would
// take it back ran in that thread.
func (t *tracee) threadGone(err error) string {
	var g gone
	errors.As(err, &g)
	msg := exited("the thread nohupx used ended while the process was being changed", g.how)
	if t.bySeccomp(g) {
		msg = "its seccomp filter killed the thread nohupx used (SIGSYS) for a call nohupx made in it, " +
			"and the kernel gives a tracer no say"
	}
	return msg + "; the process runs on without that thread, and keeps what was changed in it before"
}

func (t *tracee) bySeccomp(g gone) bool {
	return t.filtered && strings.HasPrefix(g.how, "killed by SIGSYS")
}

// finish continues a stopped target on request.
func (t *tracee) finish(req Request, res *Result, err error) error {
	if err == nil && req.Continue && res.Stopped {
		if kerr := unix.Kill(t.pid, unix.SIGCONT); kerr == nil {
			res.Continued = true
		}
	}
	return err
}

// firstStop waits for the stop PTRACE_INTERRUPT asked for: a
// PTRACE_EVENT_STOP, whose signal is SIGTRAP for a running thread and the
// stop signal for a thread in a group-stop (a job stopped with ^Z). A
// signal that was on its way is passed on meanwhile.
func (t *tracee) firstStop() (stop, error) {
	for {
		s, err := t.wait()
		if err == errTimeout {
			return s, errorf(ErrFailed, "it did not stop within %v (is it in uninterruptible sleep, state D?); it was not changed", t.timeout)
		}
		if err != nil {
			return s, errorf(ErrFailed, "%v", err)
		}
		switch s.kind {
		case stopGone:
			return s, errorf(ErrNoProcess, "%s", exited("it exited", s.how))
		case stopEvent:
			return s, nil
		case stopSignal:
			if err := ptrace(unix.PTRACE_CONT, t.tid, 0, uintptr(s.sig)); err != nil {
				return s, errorf(ErrNoProcess, "pass on %v: %s", s.sig, diag.Strerror(err))
			}
		case stopSyscall: // not asked for yet
			if err := ptrace(unix.PTRACE_CONT, t.tid, 0, 0); err != nil {
				return s, errorf(ErrNoProcess, "PTRACE_CONT: %s", diag.Strerror(err))
			}
		}
	}
}

// detachUntouched lets the thread go with nothing changed: no register was
// written, so the kernel resumes it exactly where it stopped.
func (t *tracee) detachUntouched(err error) error {
	if derr := ptrace(unix.PTRACE_DETACH, t.tid, 0, 0); derr != nil && !errors.Is(derr, unix.ESRCH) && err == nil {
		return errorf(ErrFailed, "PTRACE_DETACH: %s", diag.Strerror(derr))
	}
	return err
}

// restore puts back every register as captured and detaches. It is only
// called at a syscall stop or at the stop capture returned, with saved
// marked as "not in a system call" (outside, setSyscallNo): the thread
// then resumes at saved's pc with saved's registers, and re-executes the
// system call it was taken at, if any.
func (t *tracee) restore(saved regs, err error) error {
	if t.entryAt != 0 {
		// Still at capture's entry stop with nothing written: let go as
		// it is, the thread executes that call, which is what saved
		// means. Skipping it (-1) would show -1 to a seccomp filter (see
		// call).
		if derr := ptrace(unix.PTRACE_DETACH, t.tid, 0, 0); derr != nil && !errors.Is(derr, unix.ESRCH) {
			return &kindError{kind: ErrNotUndone, msg: "PTRACE_DETACH: " + diag.Strerror(derr)}
		}
		return err
	}
	r := outside(saved)
	if testCorrupt {
		corrupt(&r)
	}
	if serr := setRegs(t.tid, &r); serr != nil {
		if errors.Is(serr, unix.ESRCH) {
			return errorf(ErrNoProcess, "it exited while it was being changed")
		}
		return &kindError{kind: ErrNotUndone, msg: "cannot restore its registers: " + diag.Strerror(serr)}
	}
	if serr := setSyscallNo(t.tid, -1); serr != nil {
		return &kindError{kind: ErrNotUndone, msg: "cannot restore its system call state: " + diag.Strerror(serr)}
	}
	if derr := ptrace(unix.PTRACE_DETACH, t.tid, 0, 0); derr != nil && !errors.Is(derr, unix.ESRCH) {
		return &kindError{kind: ErrNotUndone, msg: "PTRACE_DETACH: " + diag.Strerror(derr)}
	}
	return err
}

func procPath(pid int, name string) string {
	if name == "" {
		return "/proc/" + strconv.Itoa(pid)
	}
	return "/proc/" + strconv.Itoa(pid) + "/" + name
}

func readlink(name string) string {
	s, err := os.Readlink(name)
	if err != nil {
		return ""
	}
	return s
}

// pickThread returns the thread to seize, the leader unless it has exited
// (a process whose main thread called pthread_exit lives on in the others),
// and the number of threads.
func pickThread(pid int) (tid, threads int) {
	ents, err := os.ReadDir(procPath(pid, "task"))
	if err != nil {
		return pid, 1
	}
	if threadAlive(pid, pid) {
		return pid, len(ents)
	}
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil && threadAlive(pid, n) {
			return n, len(ents)
		}
	}
	return pid, len(ents)
}

// livesOn reports whether any thread of the process runs on. A process
// that is exiting as a whole (SECCOMP_RET_KILL_PROCESS, exit_group) has
// SIGKILL queued to each of its other threads before the thread that
// ends it becomes a zombie: such a thread is on its way out, however
// alive it still looks.
func livesOn(pid int) bool {
	ents, _ := os.ReadDir(procPath(pid, "task"))
	for _, e := range ents {
		f, err := os.Open(procPath(pid, "task/"+e.Name()+"/status"))
		if err != nil {
			continue
		}
		st, err := procfs.ParseStatus(f)
		f.Close()
		if err == nil && st.State != 'Z' && st.State != 'X' && st.SigPnd&sigs.Mask(syscall.SIGKILL) == 0 {
			return true
		}
	}
	return false
}

// threadStat reads the stat line of one thread of the process.
func threadStat(pid, tid int) (procfs.Stat, error) {
	b, err := os.ReadFile(procPath(pid, "task/"+strconv.Itoa(tid)+"/stat"))
	if err != nil {
		return procfs.Stat{}, err
	}
	return procfs.ParseStat(b)
}

func threadAlive(pid, tid int) bool {
	st, err := threadStat(pid, tid)
	return err == nil && st.State != 'Z' && st.State != 'X'
}
