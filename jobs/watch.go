package jobs

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/nohupx/nohupx/internal/reexec"
)

// WatchStage runs --on-exit for a job that keeps the launcher's pid (a
// nohupx job): the launcher cannot wait for its own exec.
const WatchStage = "nohupx:on-exit"

func init() { reexec.Register(WatchStage, watchMain) }

// watchRequest is what the watcher is told, on fd 3.
type watchRequest struct {
	Dir, ID, Cmd string
	// Spawned: this is the watcher itself, started by the first stage.
	Spawned bool
}

// StartWatcher starts a detached process that runs cmd once job id has
// ended and its output is on disk. It goes through a first stage that
// exits at once, so that the watcher is not the job's child: a job that
// waits for all its children (a shell's bare "wait") must not wait for it.
func StartWatcher(dir, id, cmd string) error {
	return spawn(watchRequest{Dir: dir, ID: id, Cmd: cmd}, true)
}

// spawn starts the stage with req and, when reap is set, waits for it.
func spawn(req watchRequest, reap bool) error {
	null, err := reexec.DevNull()
	if err != nil {
		return err
	}
	defer null.Close()
	r, w, err := reexec.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	defer w.Close()
	n := null.Fd()
	pid, err := syscall.ForkExec(reexec.Exe(), []string{WatchStage}, &syscall.ProcAttr{
		Dir:   "/",
		Env:   os.Environ(),
		Files: []uintptr{n, n, n, r.Fd()},
		// Its own session: no terminal, nothing in the job's group.
		Sys: &syscall.SysProcAttr{Setsid: !req.Spawned},
	})
	if err != nil {
		return err
	}
	werr := reexec.WriteRequest(w, req)
	if !reap {
		return werr
	}
	var ws syscall.WaitStatus
	for {
		_, err = syscall.Wait4(pid, &ws, 0, nil)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	switch {
	case werr != nil:
		return werr
	case err != nil:
		return err
	case !ws.Exited() || ws.ExitStatus() != 0:
		return fmt.Errorf("the --on-exit watcher did not start (wait status %#x)", int(ws))
	}
	return nil
}

func watchMain() int {
	var req watchRequest
	if err := reexec.ReadRequest(os.NewFile(3, "request"), &req); err != nil {
		fmt.Fprintln(os.Stderr, "nohupx: the --on-exit stage is started by nohupx, not by hand")
		return 125
	}
	syscall.Close(3)
	if !req.Spawned {
		req.Spawned = true
		if err := spawn(req, false); err != nil {
			return 1
		}
		return 0
	}
	s, err := Open(req.Dir, false)
	if err != nil {
		return 1
	}
	defer s.Close()
	// The end time, which nobody else records for such a job.
	j, err := s.Get(req.ID)
	if err != nil {
		return 1
	}
	for !j.Done() {
		waitGone(j.Pid, j.StartTicks, time.Minute)
		if j, err = s.Get(req.ID); err != nil {
			return 1
		}
	}
	if j.Ended == nil {
		_ = s.Append(req.ID, Event{Event: EvEnded})
	}
	if err := s.RunOnExit(req.ID, req.Cmd); err != nil {
		return 1
	}
	return 0
}
