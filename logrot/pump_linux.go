package logrot

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// privPipe is the writer's side of the output: the job's pipe (fdData),
// the private pipe both relay processes hold (fdPrivR, fdPrivW), and a
// scratch pipe of the writer's own.
//
// A chunk moves from the job's pipe into the private pipe with splice(2),
// which moves pages and cannot half happen; the writer copies it out with
// tee(2) + read(2), which leave it in place; and only once a piece of it
// is in the file does the writer consume that piece from the private pipe.
// So at every moment each byte is in a pipe the holder keeps open, or in
// the file, and the journal tells which for the piece being written.
type privPipe struct {
	n                  int64 // bytes in the private pipe
	scratchR, scratchW int
	buf                []byte // mmap'ed, so idle pages can be given back
	touched            int    // bytes of buf used since they were given back
}

func newPrivPipe() (*privPipe, error) {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		return nil, err
	}
	_, _ = unix.FcntlInt(uintptr(fds[1]), unix.F_SETPIPE_SZ, relayBuf)
	_, _ = unix.FcntlInt(uintptr(fdPrivW), unix.F_SETPIPE_SZ, relayBuf)
	buf, err := unix.Mmap(-1, 0, relayBuf, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, err
	}
	n, err := unix.IoctlGetInt(fdPrivR, unix.TIOCINQ) // FIONREAD
	if err != nil {
		return nil, fmt.Errorf("FIONREAD: %w", err)
	}
	_ = unix.SetNonblock(fdData, false)
	return &privPipe{n: int64(n), scratchR: fds[0], scratchW: fds[1], buf: buf}, nil
}

func (p *privPipe) queued() int64 { return p.n }

// consume drops n bytes from the head of the private pipe: they are in
// the file, or counted as dropped.
func (p *privPipe) consume(n int64) error {
	for n > 0 {
		k, err := rawSplice(fdPrivR, 1 /* /dev/null */, int(n), 0)
		if k > 0 {
			n -= k
			p.n -= k
		}
		switch {
		case errors.Is(err, unix.EINTR):
		case err != nil:
			return fmt.Errorf("consume from the private pipe: %w", err)
		case k == 0:
			return errors.New("consume from the private pipe: it is empty")
		}
	}
	return nil
}

// fill moves what the job's pipe holds into the empty private pipe. It
// reports eof once every writer has closed the job's pipe and it is empty.
func (p *privPipe) fill() (eof bool, err error) {
	k, err := rawSplice(fdData, fdPrivW, relayBuf, unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
	switch {
	case k > 0:
		p.n += k
		return false, nil
	case err == nil:
		return true, nil
	case errors.Is(err, unix.EAGAIN), errors.Is(err, unix.EINTR):
		return false, nil
	}
	return false, fmt.Errorf("splice from the output pipe: %w", err)
}

// peek copies the head of the private pipe into buf, leaving it there.
func (p *privPipe) peek() ([]byte, error) {
	want := int(min(p.n, int64(len(p.buf))))
	k, err := rawTee(fdPrivR, p.scratchW, want, 0)
	if err != nil {
		return nil, fmt.Errorf("tee: %w", err)
	}
	got := 0
	for got < int(k) {
		n, err := rawRead(p.scratchR, p.buf[got:k])
		if err != nil && !errors.Is(err, unix.EINTR) {
			return nil, fmt.Errorf("read: %w", err)
		}
		got += max(n, 0)
	}
	p.touched = max(p.touched, got)
	return p.buf[:got], nil
}

// idle gives the pages of a large chunk back before the writer sleeps, so
// that an idle relay costs no more memory than a fresh one.
func (p *privPipe) idle() {
	if p.touched > 64<<10 {
		_ = unix.Madvise(p.buf, unix.MADV_DONTNEED)
	}
	p.touched = 0
}

// pump moves the output into s until every writer has closed the job's
// pipe. While output flows it takes it as it comes, without sleeping, and
// looks at the holder every partnerCheck; when the pipe is empty it blocks
// in poll(2) on the pipe and on the holder's pidfd: no timer, no wakeup
// while the job is quiet. When the holder dies it starts a new one, so
// that no single relay process is ever alone with the pipe for long.
func pump(p *privPipe, s *sink, partner *int) error {
	checked := time.Now()
	streaming := false // output came without a wait for it
	for {
		if p.n > 0 {
			chunk, err := p.peek()
			if err != nil {
				return err
			}
			s.Write(chunk, p)
			if *partner >= 0 && time.Since(checked) > partnerCheck {
				checked = time.Now()
				fds := []unix.PollFd{{Fd: int32(*partner), Events: unix.POLLIN}}
				if n, _ := unix.Poll(fds, 0); n > 0 {
					replaceHolder(s, partner)
				}
			}
			continue
		}
		eof, err := p.fill()
		if eof || err != nil {
			return err
		}
		if p.n > 0 && p.n < batchMin && streaming {
			// The job writes in small pieces and we keep up with it:
			// let a few more arrive, so that a chunk costs its system
			// calls once for many writes rather than once for each.
			_ = unix.Nanosleep(&unix.Timespec{Nsec: int64(batchWait)}, nil)
			if _, err := p.fill(); err != nil {
				return err
			}
		}
		if p.n > 0 {
			streaming = true
			continue
		}
		streaming = false
		p.idle()
		fds := []unix.PollFd{{Fd: fdData, Events: unix.POLLIN}}
		if *partner >= 0 {
			fds = append(fds, unix.PollFd{Fd: int32(*partner), Events: unix.POLLIN})
		}
		if _, err := unix.Poll(fds, -1); err != nil && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("poll: %w", err)
		}
		checked = time.Now()
		if len(fds) > 1 && fds[1].Revents != 0 {
			replaceHolder(s, partner)
		}
	}
}

// partnerCheck is how often a streaming writer looks whether the holder
// still lives.
const partnerCheck = 10 * time.Millisecond

// While output streams in chunks smaller than batchMin, the writer waits
// batchWait before it takes one: a tenth of a millisecond added to the
// output's way to the file, against four system calls per write of the
// job's.
const (
	batchMin  = 64 << 10
	batchWait = 100 * time.Microsecond
)

// replaceHolder starts a new holder after the old one died.
func replaceHolder(s *sink, partner *int) {
	reap(*partner)
	unix.Close(*partner)
	*partner = -1
	for delay := 50 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		fd, err := spawn(HolderStage)
		if err == nil {
			*partner = fd
			return
		}
		s.alert(fmt.Sprintf("cannot start a new holder: %v", err))
		time.Sleep(delay)
	}
}

// recoverWrite finishes the piece a killed writer was writing, as noted
// in the journal: the bytes of it that reached the file are consumed from
// the private pipe, the rest will be written. Only when another process
// appends to the same file can it not tell; it then says so in the log.
func recoverWrite(s *sink, p *privPipe, j journal) {
	if j.state() != stWriting {
		return
	}
	dev, ino := j.get(jDev), j.get(jIno)
	before, n, priv := int64(j.get(jBefore)), int64(j.get(jLen)), int64(j.get(jPriv))
	defer j.setState(stIdle)
	switch consumed := priv - p.n; {
	case consumed > 0 && consumed <= n:
		return // written (perhaps short) and consumed: only the journal was behind
	case consumed != 0:
		s.notes = append(s.notes, fmt.Sprintf("the relay was killed while writing %d bytes; "+
			"some of them may be missing or doubled here", n))
		return
	}
	size, ok := s.sizeOf(dev, ino)
	k := size - before
	if !ok || k < 0 || k > n {
		k = max(0, min(k, n))
		s.notes = append(s.notes, fmt.Sprintf("the relay was killed while writing %d bytes and another process "+
			"changed the file meanwhile; some of them may be missing or doubled here", n))
	}
	if err := p.consume(k); err != nil {
		s.alert(err.Error())
	}
}

// sizeOf finds the file (dev, ino) under the live name or a rotation's
// temporary name, and returns its size.
func (s *sink) sizeOf(dev, ino uint64) (int64, bool) {
	names, _ := readDirNames(s.dirfd)
	for _, name := range append([]string{s.base}, names...) {
		if name != s.base && !strings.HasPrefix(name, s.tmpPrefix()) {
			continue
		}
		var st unix.Stat_t
		if unix.Fstatat(s.dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Dev == dev && st.Ino == ino {
			return st.Size, true
		}
	}
	return 0, false
}
