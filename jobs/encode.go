package jobs

import (
	"strconv"
	"unicode/utf8"
)

// recordLine is r as json.Marshal writes it, byte for byte, and a newline.
// A launch writes it by hand because encoding/json's first use in a
// process builds the encoders of Record's fields by reflection, which
// costs about half a millisecond (measured), a twentieth of a launch. The
// tests check it against json.Marshal with every field set
// (TestRecordLine) and on fuzzed records (FuzzRecordLine).
func recordLine(r *Record) ([]byte, error) {
	started, err := r.Started.MarshalJSON()
	if err != nil {
		return nil, err
	}
	e := encoder{b: make([]byte, 0, 512)}
	e.int("v", int64(r.V), true)
	e.str("id", r.ID, true)
	e.str("by", r.By, true)
	e.int("pid", int64(r.Pid), true)
	e.uint("start_ticks", r.StartTicks, false)
	e.str("boot_id", r.BootID, false)
	e.int("pgid", int64(r.Pgid), true)
	e.int("sid", int64(r.Sid), true)
	e.bool("own_group", r.OwnGroup)
	e.key("command")
	if r.Command == nil {
		e.b = append(e.b, "null"...)
	} else {
		e.b = append(e.b, '[')
		for i, w := range r.Command {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.b = appendString(e.b, w)
		}
		e.b = append(e.b, ']')
	}
	e.str("cwd", r.Cwd, true)
	e.str("tty", r.TTY, false)
	e.str("unit", r.Unit, false)
	e.str("output", r.Output, false)
	e.int("offset", r.Offset, false)
	e.uint("output_dev", r.OutputDev, false)
	e.uint("output_ino", r.OutputIno, false)
	e.uint("output_dir_dev", r.OutputDirDev, false)
	e.uint("output_dir_ino", r.OutputDirIno, false)
	e.str("stderr", r.Stderr, false)
	e.uint("pipe", r.Pipe, false)
	e.uint("stderr_pipe", r.StderrPipe, false)
	e.int("waiter", int64(r.Waiter), false)
	e.uint("waiter_start_ticks", r.WaiterTicks, false)
	e.bool("status_known", r.StatusKnown)
	e.str("on_exit", r.OnExit, false)
	e.key("started")
	e.b = append(e.b, started...)
	return append(e.b, '}', '\n'), nil
}

// encoder appends the members of one JSON object; always false is a
// field tagged omitempty, left out when zero.
type encoder struct{ b []byte }

func (e *encoder) key(k string) {
	if len(e.b) == 0 {
		e.b = append(e.b, '{')
	} else {
		e.b = append(e.b, ',')
	}
	e.b = append(append(append(e.b, '"'), k...), '"', ':')
}

func (e *encoder) str(k, v string, always bool) {
	if always || v != "" {
		e.key(k)
		e.b = appendString(e.b, v)
	}
}

func (e *encoder) int(k string, v int64, always bool) {
	if always || v != 0 {
		e.key(k)
		e.b = strconv.AppendInt(e.b, v, 10)
	}
}

func (e *encoder) uint(k string, v uint64, always bool) {
	if always || v != 0 {
		e.key(k)
		e.b = strconv.AppendUint(e.b, v, 10)
	}
}

func (e *encoder) bool(k string, v bool) {
	e.key(k)
	e.b = strconv.AppendBool(e.b, v)
}

// appendString quotes s as encoding/json does by default: the short
// escapes, \u00XX for other control bytes and for <, > and & (safe to
// embed in HTML), \ufffd for each byte of invalid UTF-8, and \u2028 and
// \u2029, which JavaScript takes for line ends.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}
