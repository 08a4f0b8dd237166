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
	f, ok := readHeader(r)
	if !ok {
		return false
	}
	s, ok := f.find(sectionName)
	if !ok || s.typ == shtNobits || s.size < uint64(len(buildInfoMagic)) || s.off > 1<<62 {
		return false
	}
	var m [len(buildInfoMagic)]byte
	if _, err := r.ReadAt(m[:], int64(s.off)); err != nil {
		return false
	}
	return string(m[:]) == buildInfoMagic
}

// elfFile is what the ELF header says of the section headers.
type elfFile struct {
	r      io.ReaderAt
	bo     binary.ByteOrder
	is64   bool
	shoff  uint64 // where the section headers start
	ent    uint64 // the size of one
	n      uint64 // how many there are
	strndx uint64 // the index of the section name table
}

// readHeader reads the ELF header (32- or 64-bit, either byte order).
func readHeader(r io.ReaderAt) (elfFile, bool) {
	var hdr [64]byte
	if _, err := r.ReadAt(hdr[:16], 0); err != nil || string(hdr[:4]) != "\x7fELF" {
		return elfFile{}, false
	}
	f := elfFile{r: r}
	switch hdr[5] {
	case 1:
		f.bo = binary.LittleEndian
	case 2:
		f.bo = binary.BigEndian
	default:
		return elfFile{}, false
	}
	var shentsize, shnum, shstrndx, minEnt uint16
	switch hdr[4] {
	case 1:
		if _, err := r.ReadAt(hdr[:52], 0); err != nil {
			return elfFile{}, false
		}
		f.shoff = uint64(f.bo.Uint32(hdr[32:]))
		shentsize, shnum, shstrndx = f.bo.Uint16(hdr[46:]), f.bo.Uint16(hdr[48:]), f.bo.Uint16(hdr[50:])
		minEnt = 40
	case 2:
		f.is64 = true
		if _, err := r.ReadAt(hdr[:64], 0); err != nil {
			return elfFile{}, false
		}
		f.shoff = f.bo.Uint64(hdr[40:])
		shentsize, shnum, shstrndx = f.bo.Uint16(hdr[58:]), f.bo.Uint16(hdr[60:]), f.bo.Uint16(hdr[62:])
		minEnt = 64
	default:
		return elfFile{}, false
	}
	if f.shoff == 0 || f.shoff > 1<<62 || shentsize < minEnt {
		return elfFile{}, false
	}
	f.ent, f.n, f.strndx = uint64(shentsize), uint64(shnum), uint64(shstrndx)
	// Many sections, or a name table index past SHN_LORESERVE, are
	// recorded in section 0.
	if f.n == 0 || f.strndx == shnXindex {
		s0, ok := f.section(0)
		if !ok {
			return elfFile{}, false
		}
		if f.n == 0 {
			f.n = s0.size
		}
		if f.strndx == shnXindex {
			f.strndx = uint64(s0.link)
		}
	}
	return f, f.n != 0 && f.n <= maxSections && f.strndx < f.n
}

// section reads section header i.
func (f elfFile) section(i uint64) (section, bool) {
	buf := make([]byte, f.ent)
	if _, err := f.r.ReadAt(buf, int64(f.shoff+i*f.ent)); err != nil {
		return section{}, false
	}
	return parseSection(buf, f.bo, f.is64), true
}

// find returns the header of the first section called name.
func (f elfFile) find(name string) (section, bool) {
	strSec, ok := f.section(f.strndx)
	if !ok || strSec.typ == shtNobits || strSec.off > 1<<62 {
		return section{}, false
	}
	strtab := make([]byte, min(strSec.size, maxStrtab))
	if _, err := f.r.ReadAt(strtab, int64(strSec.off)); err != nil {
		return section{}, false
	}
	// Read the section headers a chunk at a time.
	perChunk := max(chunkSize/f.ent, 1)
	chunk := make([]byte, perChunk*f.ent)
	for first := uint64(0); first < f.n; first += perChunk {
		b := chunk[:min(perChunk, f.n-first)*f.ent]
		if _, err := f.r.ReadAt(b, int64(f.shoff+first*f.ent)); err != nil {
			return section{}, false
		}
		for i := uint64(0); i < uint64(len(b)); i += f.ent {
			if s := parseSection(b[i:i+f.ent], f.bo, f.is64); hasName(strtab, s.name, name) {
				return s, true
			}
		}
	}
	return section{}, false
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
