package jobs

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nohupx/nohupx/logrot"
)

// ErrNoOutput is returned for a job whose output went to no file.
var ErrNoOutput = errors.New("its output went to no file")

// segment is one file of a job's output: a backup the relay rotated out
// after the job started, or the live file.
type segment struct {
	name string
	dir  dir      // where name is
	f    *os.File // open: the live file, or a backup
	gzip bool
	skip int64 // bytes before the job's output (the first segment only)
}

// open opens the segment to read from its skip. A backup that is not a
// file the relay made is a *Foreign error.
func (s segment) open() (_ io.ReadCloser, err error) {
	f := s.f
	if f == nil {
		if f, err = s.dir.openMade(s.name); errors.Is(err, os.ErrNotExist) && !s.gzip {
			// Compressed meanwhile: the .gz is linked before the plain
			// file goes.
			s.gzip = true
			f, err = s.dir.openMade(s.name + ".gz")
		}
		if err != nil {
			return nil, err
		}
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	var r io.Reader = f
	if s.gzip {
		z, err := gzip.NewReader(bufio.NewReader(f))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		r = z
	}
	if s.skip > 0 {
		if _, err := io.CopyN(io.Discard, r, s.skip); err != nil && err != io.EOF {
			return nil, err
		}
	}
	return struct {
		io.Reader
		io.Closer
	}{r, f}, nil
}

// Output is a job's output file, opened for reading.
type Output struct {
	job  Job
	dir  dir // the job's output directory, which every file is opened in
	segs []segment
	live *os.File
	// last is the time of the newest backup that comes before the file
	// being read (zero: none): the next rotation's backup is that file.
	last time.Time
	// skipped is told of each file with a backup's name that is not read
	// (a *Foreign), once.
	skipped func(error)
	told    map[string]bool
}

// OpenOutput opens the files that hold j's output, in order: the backups
// rotated out since it started, then the live file. It, Copy and Follow
// read only files the relay made and the one the job started with (see
// openLiveFile); skipped is told of each backup name they leave out, once.
func OpenOutput(j Job, skipped func(error)) (*Output, error) {
	if j.Output == "" {
		return nil, ErrNoOutput
	}
	d, err := j.openDir()
	if err != nil {
		return nil, err
	}
	// The live file first: a backup that is this very file (rotated
	// after we opened it) ends the list, so nothing is read twice.
	live, liveSt, backups, err := j.openLive(d)
	if err != nil {
		d.Close()
		return nil, err
	}
	o := &Output{job: j, dir: d, live: live, skipped: skipped, told: map[string]bool{}}
	for _, b := range backups {
		if sameFile(d, b.Name, &liveSt) {
			break
		}
		if b.Time.Before(j.Started) {
			o.last = b.Time
			continue // rotated out before the job started
		}
		if !o.made(&b) {
			continue
		}
		o.last = b.Time
		o.segs = append(o.segs, segment{name: b.Name, dir: d, gzip: b.Gzip})
	}
	o.segs = append(o.segs, segment{name: j.Output, dir: d, f: live})
	o.segs[0].skip = j.Offset
	return o, nil
}

// Close closes the live file and the directory.
func (o *Output) Close() error { return errors.Join(o.live.Close(), o.dir.Close()) }

// Copy writes the output to w, from the start or, with lines >= 0, from
// the start of the last lines lines.
func (o *Output) Copy(w io.Writer, lines int) error {
	first, skip := 0, int64(0)
	if lines >= 0 {
		var err error
		if first, skip, err = o.tail(lines); err != nil {
			return err
		}
	}
	for i := first; i < len(o.segs); i++ {
		s := o.segs[i]
		if i == first {
			s.skip += skip
		}
		if err := o.copySegment(w, s); err != nil {
			return err
		}
	}
	return nil
}

func (o *Output) copySegment(w io.Writer, s segment) error {
	r, err := s.open()
	if o.skip(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.f != nil {
		// The live file stays open for Follow: read it, do not close it.
		_, err = io.Copy(w, r)
		return err
	}
	defer r.Close()
	_, err = io.Copy(w, r)
	return err
}

// tail finds where the last n lines start: the segment, and the bytes to
// skip in it after its own skip. A last line without a newline counts.
func (o *Output) tail(n int) (int, int64, error) {
	for i := len(o.segs) - 1; i >= 0; i-- {
		s := o.segs[i]
		var r io.ReadCloser
		if s.f != nil {
			// Counted through ReadAt: the file's offset is Copy's.
			r = io.NopCloser(io.NewSectionReader(s.f, s.skip, math.MaxInt64-s.skip))
		} else {
			var err error
			if r, err = s.open(); o.skip(err) {
				continue
			} else if err != nil {
				return 0, 0, err
			}
		}
		ends, size, err := lineEnds(r)
		r.Close()
		if err != nil {
			return 0, 0, err
		}
		if size > 0 && (len(ends) == 0 || ends[len(ends)-1] != size) {
			ends = append(ends, size) // an unfinished last line
		}
		if len(ends) > n {
			return i, ends[len(ends)-n-1], nil
		}
		n -= len(ends)
	}
	return 0, 0, nil
}

// lineEnds is the offset after each newline in r, and r's length.
func lineEnds(r io.Reader) (ends []int64, size int64, err error) {
	buf := make([]byte, 64<<10)
	for {
		k, err := r.Read(buf)
		for off := 0; off < k; {
			i := bytes.IndexByte(buf[off:k], '\n')
			if i < 0 {
				break
			}
			off += i + 1
			ends = append(ends, size+int64(off))
		}
		size += int64(k)
		if err == io.EOF {
			return ends, size, nil
		}
		if err != nil {
			return nil, 0, err
		}
	}
}

// Follow goes on after Copy: it writes what is appended to the output,
// across rotations, until the job has ended and its output is all on disk.
// It looks every interval.
func (o *Output) Follow(w io.Writer, interval time.Duration) error {
	cur := o.live
	defer func() {
		if cur != o.live {
			cur.Close()
		}
	}()
	for {
		// done is decided before the last read, so that what was written
		// before it is read after it.
		done := o.job.Done() && o.job.OutputDone()
		if _, err := io.Copy(w, cur); err != nil {
			return err
		}
		moved, err := o.rotated(cur)
		if err != nil {
			return err
		}
		if moved {
			// The relay writes one file at a time and renamed cur before
			// its first write to the next: cur is complete.
			if _, err := io.Copy(w, cur); err != nil {
				return err
			}
			next, err := o.advance(w)
			if err != nil {
				return err
			}
			if cur != o.live {
				cur.Close()
			}
			cur = next
			continue
		}
		if done {
			return nil
		}
		time.Sleep(interval)
	}
}

// rotated says whether the live name no longer leads to cur's file. (A
// symbolic link that leads to it is the name the user gave; whatever else
// is there now, advance opens by openLiveFile's rules.)
func (o *Output) rotated(cur *os.File) (bool, error) {
	var st, now unix.Stat_t
	if err := unix.Fstat(int(cur.Fd()), &st); err != nil {
		return false, err
	}
	err := o.dir.stat(o.job.Output, &now)
	if errors.Is(err, unix.ENOENT) {
		return false, nil // removed by hand: nothing more can come
	}
	return err != nil || now.Dev != st.Dev || now.Ino != st.Ino, nil
}

// advance opens the new live file after the file just read was rotated
// out, and first writes the backups rotated out in between (several
// rotations can happen between two looks). The first backup after last is
// the file just read; a backup that is the new live file itself (rotated
// already) ends the list, and is read next.
func (o *Output) advance(w io.Writer) (*os.File, error) {
	next, nextSt, backups, err := o.job.openLive(o.dir)
	if err != nil {
		return nil, err
	}
	first := true
	for _, b := range backups {
		if !b.Time.After(o.last) {
			continue
		}
		if sameFile(o.dir, b.Name, &nextSt) {
			break
		}
		if !o.made(&b) {
			continue // planted: neither the file just read nor a place in time
		}
		o.last = b.Time
		if first {
			first = false // the file just read
			continue
		}
		if err := o.copySegment(w, segment{name: b.Name, dir: o.dir, gzip: b.Gzip}); err != nil {
			next.Close()
			return nil, err
		}
	}
	return next, nil
}

// openLive opens the job's live file in d (see openLiveFile), and then
// lists the backups beside it; st is what the open file is.
func (j Job) openLive(d dir) (f *os.File, st unix.Stat_t, backups []logrot.Backup, err error) {
	if f, st, err = j.openLiveFile(d); err != nil {
		return nil, st, nil, err
	}
	if backups, err = d.backups(j.Output); err != nil {
		f.Close()
		return nil, st, nil, err
	}
	return f, st, backups, nil
}

// sameFile says whether name itself, not what a symbolic link there leads
// to, is the file st describes: the relay never makes a link, so one with
// a backup's name must not stand for the live file and cut the list.
func sameFile(d dir, name string, st *unix.Stat_t) bool {
	var b unix.Stat_t
	return d.lstat(name, &b) == nil && b.Ino == st.Ino && b.Dev == st.Dev
}

// skip tells of a file left out, once per file, if err is a *Foreign;
// it says whether it was one.
func (o *Output) skip(err error) bool {
	var f *Foreign
	if !errors.As(err, &f) {
		return false
	}
	if !o.told[f.Name] {
		o.told[f.Name] = true
		if o.skipped != nil {
			o.skipped(f)
		}
	}
	return true
}
