package logrot

import (
	"bytes"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/internal/reexec"
)

// pipeSize is what Start asks F_SETPIPE_SZ for: the relay's read size. The
// default 64 KiB pipe costs about 20% more CPU per byte.
const pipeSize = relayBuf

// Start starts a detached relay that appends everything written to w to
// the file at path, rotating it by p, and returns once the relay has opened
// the file. path should exist (nohupx creates it, 0600); symbolic links in
// it are resolved first, so that the file that is rotated is the one the
// data goes to.
//
// w is the only write end of the pipe, blocking (a command must never see
// EAGAIN on its stdout) and close-on-exec: dup2 it where the output should
// go and close it. The relay exits once every copy of w is closed and all
// that was written is on disk.
//
// Start returns an error wrapping ErrNotRegular for something other than a
// regular file (/dev/null, a fifo, a terminal), which cannot be rotated: write
// to it directly instead. Any other error carries the relay's reason.
func Start(path string, p Policy) (w *os.File, err error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	path, err = canonical(path)
	if err != nil {
		return nil, fmt.Errorf("log relay: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("log relay: %s: %w", path, ErrNotRegular)
	}
	_, w, err = startRelay(path, p)
	return w, err
}

// startRelay is Start, also returning the relay's pid.
func startRelay(path string, p Policy) (pid int, w *os.File, err error) {
	// Blocking pipes, close-on-exec (unlike os.Pipe's, which are
	// non-blocking for Go's poller: dup2'd onto a command's stdout that
	// would make its writes fail with EAGAIN).
	r, w, err := reexec.Pipe()
	if err != nil {
		return 0, nil, err
	}
	defer func() {
		if err != nil {
			w.Close()
			w = nil
		}
	}()
	_, _ = unix.FcntlInt(w.Fd(), unix.F_SETPIPE_SZ, pipeSize) // best effort

	reqR, reqW, err := reexec.Pipe()
	if err != nil {
		r.Close()
		return 0, nil, err
	}
	var req bytes.Buffer
	request{Path: path, Policy: p}.encode(&req)
	_, err = reqW.Write(req.Bytes()) // far below the pipe's capacity
	reqW.Close()
	if err != nil {
		r.Close()
		reqR.Close()
		return 0, nil, fmt.Errorf("log relay: %w", err)
	}
	statusR, statusW, err := reexec.Pipe()
	if err != nil {
		r.Close()
		reqR.Close()
		return 0, nil, err
	}
	defer statusR.Close()
	null, err := reexec.DevNull()
	if err != nil {
		r.Close()
		reqR.Close()
		statusW.Close()
		return 0, nil, fmt.Errorf("log relay: %w", err)
	}

	// The first stage gets its own session (so neither it nor the relay is
	// in the job's process group or the terminal's session), cwd / (so it
	// holds no mount busy), /dev/null as stdio (so it holds no terminal or
	// ssh channel), and never Pdeathsig: the relay must outlive us.
	proc, err := os.StartProcess(reexec.Exe(), []string{SpawnStage, path}, &os.ProcAttr{
		Dir:   "/",
		Files: []*os.File{null, null, null, r, reqR, statusW},
		Sys:   &syscall.SysProcAttr{Setsid: true},
	})
	// Only w may stay here: a write end anywhere else keeps the relay from
	// ever seeing EOF.
	r.Close()
	reqR.Close()
	statusW.Close()
	null.Close()
	if err != nil {
		return 0, nil, fmt.Errorf("log relay: %w", err)
	}
	// Reap the first stage now, so the command we exec has no child it did
	// not start.
	state, werr := proc.Wait()

	var line []byte
	buf := make([]byte, 512)
	for !bytes.Contains(line, []byte("\n")) && len(line) < 64<<10 {
		n, rerr := statusR.Read(buf)
		line = append(line, buf[:n]...)
		if rerr != nil {
			break
		}
	}
	pid, err = parseReply(string(line))
	switch {
	case err != nil:
		return 0, nil, fmt.Errorf("log relay for %s: %w", path, err)
	case werr != nil:
		return 0, nil, fmt.Errorf("log relay: %w", werr)
	case !state.Success():
		return 0, nil, fmt.Errorf("log relay: first stage %v", state)
	}
	return pid, w, nil
}
