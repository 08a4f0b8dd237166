package reattach

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The fanotify event layout (linux/fanotify.h), by hand so that the parser
// is a pure function tested on every OS.
const (
	fanMetadataLen  = 24 // struct fanotify_event_metadata
	fanVersion      = 3  // FANOTIFY_METADATA_VERSION
	fanInfoDFIDName = 2  // FAN_EVENT_INFO_TYPE_DFID_NAME
	fanDelete       = 0x200
	fanOnDir        = 0x40000000
)

// fanEvent is one FAN_DELETE event reported with FAN_REPORT_DFID_NAME: the
// deleting process, the directory (as a file handle) and the entry's name.
type fanEvent struct {
	Mask       uint64
	PID        int32
	HandleType int32
	Handle     []byte
	Name       string
}

// DirKey identifies the directory the event happened in; it matches
// handleKey of that directory's name_to_handle_at(2).
func (e fanEvent) DirKey() string { return handleKey(e.HandleType, e.Handle) }

func handleKey(typ int32, h []byte) string { return fmt.Sprintf("%d:%x", typ, h) }

// parseFanotify parses a read(2) of a fanotify descriptor:
//
//	fanotify_event_metadata  event_len u32, vers u8, reserved u8,
//	                         metadata_len u16, mask u64, fd s32, pid s32
//	info records             info_type u8, pad u8, len u16, then for
//	                         DFID_NAME: fsid [2]s32, handle_bytes u32,
//	                         handle_type s32, f_handle, name NUL-padded
//
// Events without a DFID_NAME record are skipped.
func parseFanotify(b []byte) ([]fanEvent, error) {
	ne := binary.NativeEndian
	var out []fanEvent
	for len(b) >= fanMetadataLen {
		n := int(ne.Uint32(b[0:]))
		if n < fanMetadataLen || n > len(b) {
			return out, fmt.Errorf("fanotify: bad event length %d of %d", n, len(b))
		}
		if b[4] != fanVersion {
			return out, fmt.Errorf("fanotify: metadata version %d, want %d", b[4], fanVersion)
		}
		ev := fanEvent{Mask: ne.Uint64(b[8:]), PID: int32(ne.Uint32(b[20:]))}
		mlen := int(ne.Uint16(b[6:]))
		if mlen < fanMetadataLen || mlen > n {
			return out, errors.New("fanotify: bad metadata length")
		}
		ok := false
		for info := b[mlen:n]; len(info) >= 4; {
			ilen := int(ne.Uint16(info[2:]))
			if ilen < 4 || ilen > len(info) {
				break
			}
			if info[0] == fanInfoDFIDName && ilen >= 4+8+8 {
				rec := info[4+8 : ilen] // past the header and fsid
				hb := int(ne.Uint32(rec[0:]))
				if 8+hb <= len(rec) {
					ev.HandleType = int32(ne.Uint32(rec[4:]))
					ev.Handle = append([]byte(nil), rec[8:8+hb]...)
					ev.Name = cstring(rec[8+hb:])
					ok = true
				}
			}
			info = info[ilen:]
		}
		if ok {
			out = append(out, ev)
		}
		b = b[n:]
	}
	return out, nil
}
