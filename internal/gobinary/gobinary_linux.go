package gobinary

// This file parses just enough ELF, with encoding/binary, to find the
// .go.buildinfo section; see the package comment for why not debug/elf.

import (
	"encoding/binary"
	"io"

	"golang.org/x/sys/unix"
)

// Is reports whether path names an ELF executable built by the Go
// toolchain: it has a .go.buildinfo section starting with the build
// info magic.
func Is(path string) bool {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	return isGoELF(fdReader(fd))
}

// fdReader reads a file descriptor with pread, so the file needs no
// os.File and no runtime poller.
type fdReader int

func (fd fdReader) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		m, err := unix.Pread(int(fd), p[n:], off+int64(n))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		if m == 0 {
			return n, io.EOF
		}
		n += m
	}
	return n, nil
}

const (
	buildInfoMagic = "\xff Go buildinf:"
	sectionName    = ".go.buildinfo"

	shtNobits = 8      // SHT_NOBITS: a section with no contents in the file
	shnXindex = 0xffff // SHN_XINDEX: e_shstrndx is in section 0's sh_link

	maxSections = 65535
	chunkSize   = 64 << 10 // section headers are read this many bytes at a time
	maxStrtab   = 1 << 20  // bytes of the section name table looked at
)

// section is the part of an ELF section header that isGoELF needs.
type section struct {
	name, typ, link uint32
	off, size       uint64
}

// isGoELF reports whether r holds an ELF file with a .go.buildinfo
// section whose contents start with the build info magic. It allocates
// at most about 1 MiB and reads at most 65535 section headers, whatever
// the file says.
func isGoELF(r io.ReaderAt) bool {
	var hdr [64]byte
	if _, err := r.ReadAt(hdr[:16], 0); err != nil {
		return false
	}
	if string(hdr[:4]) != "\x7fELF" {
		return false
	}
	var bo binary.ByteOrder
	switch hdr[5] {
	case 1:
		bo = binary.LittleEndian
	case 2:
		bo = binary.BigEndian
	default:
		return false
	}
	var is64 bool
	var shoff uint64
	var shentsize, shnum, shstrndx, minEnt uint16
	switch hdr[4] {
	case 1:
		if _, err := r.ReadAt(hdr[:52], 0); err != nil {
			return false
		}
		shoff = uint64(bo.Uint32(hdr[32:]))
		shentsize, shnum, shstrndx = bo.Uint16(hdr[46:]), bo.Uint16(hdr[48:]), bo.Uint16(hdr[50:])
		minEnt = 40
	case 2:
		is64 = true
		if _, err := r.ReadAt(hdr[:64], 0); err != nil {
			return false
		}
		shoff = bo.Uint64(hdr[40:])
		shentsize, shnum, shstrndx = bo.Uint16(hdr[58:]), bo.Uint16(hdr[60:]), bo.Uint16(hdr[62:])
		minEnt = 64
	default:
		return false
	}
	if shoff == 0 || shoff > 1<<62 || shentsize < minEnt {
		return false
	}
	ent := uint64(shentsize)
	buf := make([]byte, ent)
	readSection := func(i uint64) (section, bool) {
		if _, err := r.ReadAt(buf, int64(shoff+i*ent)); err != nil {
			return section{}, false
		}
		return parseSection(buf, bo, is64), true
	}

	// Many sections, or a name table index past SHN_LORESERVE, are
	// recorded in section 0.
	n := uint64(shnum)
	strndx := uint64(shstrndx)
	if n == 0 || strndx == shnXindex {
		s0, ok := readSection(0)
		if !ok {
			return false
		}
		if n == 0 {
			n = s0.size
		}
		if strndx == shnXindex {
			strndx = uint64(s0.link)
		}
	}
	if n == 0 || n > maxSections || strndx >= n {
		return false
	}

	strSec, ok := readSection(strndx)
	if !ok || strSec.typ == shtNobits || strSec.off > 1<<62 {
		return false
	}
	strtab := make([]byte, min(strSec.size, maxStrtab))
	if _, err := r.ReadAt(strtab, int64(strSec.off)); err != nil {
		return false
	}

	// Read the section headers a chunk at a time.
	perChunk := max(chunkSize/ent, 1)
	chunk := make([]byte, perChunk*ent)
	for first := uint64(0); first < n; first += perChunk {
		cnt := min(perChunk, n-first)
		b := chunk[:cnt*ent]
		if _, err := r.ReadAt(b, int64(shoff+first*ent)); err != nil {
			return false
		}
		for i := uint64(0); i < cnt; i++ {
			s := parseSection(b[i*ent:(i+1)*ent], bo, is64)
			if !hasName(strtab, s.name, sectionName) {
				continue
			}
			if s.typ == shtNobits || s.size < uint64(len(buildInfoMagic)) || s.off > 1<<62 {
				return false
			}
			var m [len(buildInfoMagic)]byte
			if _, err := r.ReadAt(m[:], int64(s.off)); err != nil {
				return false
			}
			return string(m[:]) == buildInfoMagic
		}
	}
	return false
}

func parseSection(b []byte, bo binary.ByteOrder, is64 bool) section {
	if is64 {
		return section{
			name: bo.Uint32(b[0:]),
			typ:  bo.Uint32(b[4:]),
			off:  bo.Uint64(b[24:]),
			size: bo.Uint64(b[32:]),
			link: bo.Uint32(b[40:]),
		}
	}
	return section{
		name: bo.Uint32(b[0:]),
		typ:  bo.Uint32(b[4:]),
		off:  uint64(bo.Uint32(b[16:])),
		size: uint64(bo.Uint32(b[20:])),
		link: bo.Uint32(b[24:]),
	}
}

// hasName reports whether the NUL-terminated string at off in strtab is
// name.
func hasName(strtab []byte, off uint32, name string) bool {
	end := uint64(off) + uint64(len(name))
	if end >= uint64(len(strtab)) {
		return false
	}
	return string(strtab[off:end]) == name && strtab[end] == 0
}
