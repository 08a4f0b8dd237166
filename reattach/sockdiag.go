package reattach

import (
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"
)

// The NETLINK_SOCK_DIAG protocol for AF_UNIX (linux/sock_diag.h,
// linux/unix_diag.h). golang.org/x/sys/unix has the netlink basics but not
// these, so the request and the reply are laid out here by hand. The
// encoding is the host's (netlink is never byte-swapped).
const (
	sockDiagByFamily = 20 // SOCK_DIAG_BY_FAMILY
	nlmsgError       = 2  // NLMSG_ERROR
	nlmsgDone        = 3  // NLMSG_DONE
	nlmFRequest      = 0x1
	nlmFDump         = 0x300 // NLM_F_ROOT|NLM_F_MATCH

	udiagShowName = 0x1 // UDIAG_SHOW_NAME: the bound path
	udiagShowVFS  = 0x2 // UDIAG_SHOW_VFS: the socket file's inode and device

	unixDiagName = 0 // UNIX_DIAG_NAME attribute
	unixDiagVFS  = 1 // UNIX_DIAG_VFS attribute

	tcpListen = 10 // TCP_LISTEN: a unix socket that called listen(2)

	afUnix = 1
)

// sockDiagRequest asks for AF_UNIX sockets with their bound name and
// socket-file identity. With ino 0 it is a dump of every listening socket
// in the caller's network namespace; otherwise it asks for that one socket
// (a dump can skip sockets while others are created or closed, since the
// kernel resumes it by position). It needs no privilege.
func sockDiagRequest(seq, ino uint32) []byte {
	b := make([]byte, 16+24)
	ne := binary.NativeEndian
	flags := uint16(nlmFRequest | nlmFDump)
	if ino != 0 {
		flags = nlmFRequest
	}
	ne.PutUint32(b[0:], uint32(len(b)))              // nlmsg_len
	ne.PutUint16(b[4:], sockDiagByFamily)            // nlmsg_type
	ne.PutUint16(b[6:], flags)                       // nlmsg_flags
	ne.PutUint32(b[8:], seq)                         // nlmsg_seq
	b[16] = afUnix                                   // sdiag_family
	ne.PutUint32(b[20:], 1<<tcpListen)               // udiag_states
	ne.PutUint32(b[24:], ino)                        // udiag_ino
	ne.PutUint32(b[28:], udiagShowName|udiagShowVFS) // udiag_show
	ne.PutUint32(b[32:], ^uint32(0))                 // udiag_cookie: none
	ne.PutUint32(b[36:], ^uint32(0))
	return b
}

// diagSocket is one socket in a sock_diag reply. Dev is in the kernel's
// internal encoding (major<<20 | minor), which is not stat(2)'s.
type diagSocket struct {
	Ino   uint32 // the socket's own inode: /proc/PID/fd shows socket:[Ino]
	State uint8  // tcpListen for a listening socket
	Path  string // "" for unbound or abstract sockets
	VFS   bool
	Dev   uint32
	FIno  uint32 // inode of the socket file on disk
}

var errDumpDone = errors.New("sock_diag: done")

// parseSockDiag parses one recv(2) buffer of a sock_diag dump. It returns
// errDumpDone, with what came before it, when the buffer ends the dump.
func parseSockDiag(b []byte) ([]diagSocket, error) {
	ne := binary.NativeEndian
	var out []diagSocket
	for len(b) >= 16 {
		n := int(ne.Uint32(b[0:]))
		typ := ne.Uint16(b[4:])
		if n < 16 || n > len(b) {
			return out, fmt.Errorf("sock_diag: bad message length %d of %d", n, len(b))
		}
		msg := b[16:n]
		switch typ {
		case nlmsgDone:
			return out, errDumpDone
		case nlmsgError:
			if len(msg) >= 4 {
				if errno := int32(ne.Uint32(msg)); errno != 0 {
					return out, fmt.Errorf("sock_diag: %w", syscall.Errno(-errno))
				}
			}
			return out, errDumpDone
		case sockDiagByFamily:
			if s, ok := parseDiagMsg(msg); ok {
				out = append(out, s)
			}
		}
		b = b[min(align4(n), len(b)):] // the last message need not be padded
	}
	return out, nil
}

// parseDiagMsg reads a struct unix_diag_msg and its attributes.
func parseDiagMsg(m []byte) (diagSocket, bool) {
	ne := binary.NativeEndian
	if len(m) < 16 || m[0] != afUnix {
		return diagSocket{}, false
	}
	s := diagSocket{Ino: ne.Uint32(m[4:]), State: m[2]}
	for a := m[16:]; len(a) >= 4; {
		n := int(ne.Uint16(a[0:]))
		if n < 4 || n > len(a) {
			break
		}
		v := a[4:n]
		switch ne.Uint16(a[2:]) {
		case unixDiagName:
			// sun_path as bound; an abstract name starts with NUL.
			if len(v) > 0 && v[0] != 0 {
				s.Path = cstring(v)
			}
		case unixDiagVFS:
			if len(v) >= 8 {
				s.VFS, s.FIno, s.Dev = true, ne.Uint32(v[0:]), ne.Uint32(v[4:])
			}
		}
		a = a[min(align4(n), len(a)):]
	}
	return s, true
}

// userDev converts the kernel's internal dev_t (MAJOR<<20 | MINOR, as
// sock_diag reports s_dev) to the encoding stat(2) returns (glibc's
// makedev: minor's low byte, major, then minor's high bits).
func userDev(kdev uint32) uint64 {
	major, minor := uint64(kdev>>20), uint64(kdev&0xfffff)
	return (minor & 0xff) | (major&0xfff)<<8 | (minor&^0xff)<<12 | (major&^0xfff)<<32
}

func align4(n int) int { return (n + 3) &^ 3 }

func cstring(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
