package logrot

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/reexec"
	"github.com/nohupx/nohupx/internal/safedir"
)

// Start starts a detached relay that appends everything written to w to
// f, the file at name that the caller opened for appending, and rotates
// it by p. It returns as soon as the relay's first stage has started the
// holder; the writer may start a moment later, and what the command writes
// meanwhile waits in the pipe.
//
// The file is rotated only when that is safe for whoever runs nohupx (root
// included): name must be a regular file, reached without a symbolic link
// in its last component, owned by this process's effective user and with a
// single link, in a directory where no other user can rename or remove it
// (see safedir.OthersCanRename). Otherwise Start returns an error wrapping
// ErrNotRotatable that says why, and the caller should write to f directly.
//
// w is the only write end of the pipe, blocking (a command must never see
// EAGAIN on its stdout) and close-on-exec: dup2 it where the output should
// go and close it. The relay exits once every copy of w is closed and all
// that was written is on disk.
func Start(f *os.File, name string, p Policy) (w *os.File, err error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	path, err := canonical(name)
	if err != nil {
		return nil, fmt.Errorf("log relay: %w", err)
	}
	dirfd, err := checkRotatable(f, path)
	if err != nil {
		return nil, err
	}
	defer unix.Close(dirfd)
	var req bytes.Buffer
	request{Path: path, Policy: p}.encode(&req)
	j, err := newJournal(req.Bytes())
	if err != nil {
		return nil, fmt.Errorf("log relay: %w", err)
	}
	defer unix.Close(j.fd)
	// Blocking pipes, close-on-exec (unlike os.Pipe's, which are
	// non-blocking for Go's poller: dup2'd onto a command's stdout that
	// would make its writes fail with EAGAIN).
	r, pw, err := reexec.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	// pw is ours to return; on any failure below it is closed here, once.
	// (Not the result w: a failing return has set that to nil already.)
	defer func() {
		if err != nil {
			pw.Close()
		}
	}()
	_, _ = unix.FcntlInt(pw.Fd(), unix.F_SETPIPE_SZ, relayBuf) // best effort
	var priv [2]int
	if err = unix.Pipe2(priv[:], unix.O_CLOEXEC); err != nil {
		return nil, err
	}
	defer unix.Close(priv[0])
	defer unix.Close(priv[1])
	null, err := reexec.DevNull()
	if err != nil {
		return nil, fmt.Errorf("log relay: %w", err)
	}
	defer null.Close()
	if err := isNullDevice(int(null.Fd())); err != nil {
		return nil, fmt.Errorf("log relay: %w", err)
	}

	n := null.Fd()
	if err = startFirstStage(path, []uintptr{n, n, n, r.Fd(), uintptr(priv[0]), uintptr(priv[1]), uintptr(j.fd), uintptr(dirfd)}); err != nil {
		return nil, err
	}
	return pw, nil
}

// isNullDevice checks that fd is the null device (character device 1:3):
// the writer consumes what is in the file by splicing it to its stdout,
// this /dev/null. Where /dev/null is something else (a regular file that a
// `> /dev/null` created after the device was removed, in a container or a
// chroot), every byte of the output would be written there too, without
// bound, or, into a FIFO, the writer would block and the job with it.
func isNullDevice(fd int) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("%s: %w", os.DevNull, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(st.Rdev) != 1 || unix.Minor(st.Rdev) != 3 {
		return fmt.Errorf("%s is not the null device", os.DevNull)
	}
	return nil
}

// startFirstStage starts the relay's first stage with files as its
// descriptors, and reaps it. The first stage gets its own session (so no
// relay process is in the job's process group or the terminal's session),
// cwd / (so it holds no mount busy), /dev/null as stdio (so it holds no
// terminal or ssh channel), and never Pdeathsig: the relay must outlive
// us. Only the pipe's write end may stay with the caller: a write end
// anywhere else keeps the relay from ever seeing EOF.
func startFirstStage(path string, files []uintptr) error {
	pid, err := syscall.ForkExec(reexec.Exe(), []string{SpawnStage, path}, &syscall.ProcAttr{
		Dir:   "/",
		Env:   relayEnv(), // HOME and XDG_STATE_HOME say where the relay log is
		Files: files,
		Sys:   &syscall.SysProcAttr{Setsid: true},
	})
	if err != nil {
		return fmt.Errorf("log relay: %w", err)
	}
	// Reap the first stage now, so the command we exec has no child it did
	// not start.
	var ws syscall.WaitStatus
	for {
		_, err = syscall.Wait4(pid, &ws, 0, nil)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil || !ws.Exited() || ws.ExitStatus() != 0 {
		return fmt.Errorf("log relay: the first stage failed (%v)", describe(ws, err))
	}
	return nil
}

func describe(ws syscall.WaitStatus, err error) string {
	switch {
	case err != nil:
		return err.Error()
	case ws.Signaled():
		return "killed by " + ws.Signal().String()
	}
	return fmt.Sprintf("status %d", ws.ExitStatus())
}

// checkRotatable opens the directory of path and checks that the relay
// may rotate the file f there (see Start).
func checkRotatable(f *os.File, path string) (dirfd int, err error) {
	dirfd = -1
	refuse := func(why string) (int, error) {
		if dirfd >= 0 {
			unix.Close(dirfd)
		}
		return -1, fmt.Errorf("%w: %s", ErrNotRotatable, why)
	}
	var fst unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &fst); err != nil {
		return -1, fmt.Errorf("log relay: %w", err)
	}
	if fst.Mode&unix.S_IFMT != unix.S_IFREG {
		return refuse("it is not a regular file")
	}
	dirfd, err = unix.Open(filepath.Dir(path), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return refuse(fmt.Sprintf("its directory cannot be opened: %v", err))
	}
	var dst, lst unix.Stat_t
	err = unix.Fstatat(dirfd, filepath.Base(path), &lst, unix.AT_SYMLINK_NOFOLLOW)
	switch {
	case err == nil && lst.Mode&unix.S_IFMT == unix.S_IFLNK:
		return refuse("it is a symbolic link")
	case err != nil || lst.Dev != fst.Dev || lst.Ino != fst.Ino:
		return refuse("its name no longer leads to the file that was opened")
	case int(fst.Uid) != os.Geteuid():
		return refuse(fmt.Sprintf("it belongs to uid %d, not to the job's user (uid %d)", fst.Uid, os.Geteuid()))
	case fst.Nlink != 1:
		return refuse(fmt.Sprintf("it has %d hard links", fst.Nlink))
	}
	if err := unix.Fstat(dirfd, &dst); err != nil {
		return refuse(fmt.Sprintf("its directory cannot be examined: %v", err))
	}
	if why := safedir.OthersCanRename(&dst, os.Geteuid()); why != "" {
		return refuse("its directory " + why)
	}
	return dirfd, nil
}
