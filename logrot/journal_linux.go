package logrot

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// journal is the relay's memory that outlives any one relay process: a
// memfd that the holder and the writer both keep open. The writer notes
// in it, before each write to the log, what it is about to write and from
// where, so that a writer started after a SIGKILL can tell whether those
// bytes reached the file (see recoverWrite). It also holds the request at
// reqOffset, so that a respawned writer gets the same orders.
//
// Fields are 64-bit words at fixed offsets in the memfd's first page, which
// every relay process maps shared: an update is an atomic store, which a
// signal cannot cut in half and which costs no system call (the writer
// notes every piece it writes). Where the page cannot be mapped, pread and
// pwrite do the same, slower.
type journal struct {
	fd  int
	mem []byte // the first page, mapped shared; nil if it could not be
}

// openJournal maps the journal at fd.
func openJournal(fd int) journal {
	mem, err := unix.Mmap(fd, 0, reqOffset, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		mem = nil
	}
	return journal{fd: fd, mem: mem}
}

func (j journal) word(off int) *uint64 { return (*uint64)(unsafe.Pointer(&j.mem[off])) }

const (
	jState      = 0  // uint64: stIdle, stWriting or stDone
	jDev        = 8  // the file being written
	jIno        = 16 //
	jBefore     = 24 // its size before the write
	jLen        = 32 // bytes being written
	jPriv       = 40 // bytes in the private pipe before the write
	jFirst      = 48 // unix ms of the first backup this job's relay made, 0 for none yet
	jDropped    = 56 // bytes dropped and not yet reported in the log
	jDropFirst  = 64 // unix ms of the first of them
	jDropLast   = 72 // and of the last
	jWriter     = 80 // pid of the first writer, for the first holder to watch
	jRemoved    = 88 // unix ms of the newest backup retention removed, 0 for none
	journalSize = 96

	reqOffset = 4096 // the request, as encode writes it
)

const (
	stIdle    = 0
	stWriting = 1
	stDone    = 2 // the writer reached EOF and the log is on disk
)

func newJournal(req []byte) (journal, error) {
	fd, err := unix.MemfdCreate("nohupx-relay", unix.MFD_CLOEXEC)
	if err != nil {
		return journal{fd: -1}, fmt.Errorf("memfd_create: %w", err)
	}
	j := journal{fd: fd}
	if _, err := unix.Pwrite(fd, make([]byte, journalSize), 0); err != nil {
		unix.Close(fd)
		return journal{fd: -1}, err
	}
	if _, err := unix.Pwrite(fd, req, reqOffset); err != nil {
		unix.Close(fd)
		return journal{fd: -1}, err
	}
	return j, nil
}

// request reads the request back.
func (j journal) request() ([]byte, error) {
	var st unix.Stat_t
	if err := unix.Fstat(j.fd, &st); err != nil {
		return nil, err
	}
	if st.Size <= reqOffset || st.Size > reqOffset+64<<10 {
		return nil, errors.New("bad request: none in the journal")
	}
	b := make([]byte, st.Size-reqOffset)
	n, err := unix.Pread(j.fd, b, reqOffset)
	return b[:n], err
}

func (j journal) get(off int) uint64 {
	if j.mem != nil {
		return atomic.LoadUint64(j.word(off))
	}
	var b [8]byte
	if n, err := unix.Pread(j.fd, b[:], int64(off)); err != nil || n != 8 {
		return 0
	}
	return binary.LittleEndian.Uint64(b[:])
}

func (j journal) put(off int, vals ...uint64) {
	if j.mem != nil {
		for i, v := range vals {
			atomic.StoreUint64(j.word(off+8*i), v)
		}
		return
	}
	b := make([]byte, 8*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint64(b[8*i:], v)
	}
	_, _ = unix.Pwrite(j.fd, b, int64(off))
}

// writing notes a write of n bytes to the file (dev, ino) of size before,
// with priv bytes in the private pipe.
func (j journal) writing(dev, ino uint64, before, n, priv int64) {
	j.put(jDev, dev, ino, uint64(before), uint64(n), uint64(priv))
	j.put(jState, stWriting)
}

func (j journal) state() uint64 { return j.get(jState) }
func (j journal) setState(s uint64) {
	j.put(jState, s)
}

// drops is the account of output lost and not yet reported in the log.
func (j journal) drops() (n int64, first, last time.Time) {
	return int64(j.get(jDropped)), time.UnixMilli(int64(j.get(jDropFirst))), time.UnixMilli(int64(j.get(jDropLast)))
}

func (j journal) setDrops(n int64, first, last time.Time) {
	j.put(jDropped, uint64(n), uint64(first.UnixMilli()), uint64(last.UnixMilli()))
}
