package logrot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MiB is the unit lumberjack measures MaxSize in.
const MiB = 1 << 20

// day is the unit lumberjack measures MaxAge in.
const day = 24 * time.Hour

// Policy says when the live file is rotated and which backups are kept.
type Policy struct {
	// MaxSize is the size in bytes the live file may reach before it is
	// rotated. lumberjack counts whole MiB, so it is rounded up to a
	// whole MiB (see RoundSize).
	MaxSize int64
	// Keep is how many backups to keep; 0 keeps all of them (lumberjack's
	// MaxBackups = 0).
	Keep int
	// MaxAge removes backups whose rotation time is older than this; 0
	// keeps them whatever their age. lumberjack counts whole days, so it is
	// rounded up to whole days (see Rounded).
	MaxAge time.Duration
	// Compress gzips backups after rotation.
	Compress bool
}

// DefaultPolicy is what nohupx uses unless told otherwise: 100M × 5.
var DefaultPolicy = Policy{MaxSize: 100 * MiB, Keep: 5}

// ErrBadPolicy is wrapped by every error Validate returns.
var ErrBadPolicy = errors.New("invalid rotation policy")

// ErrBadSize is wrapped by every error ParseSize returns.
var ErrBadSize = errors.New("invalid size")

// Validate reports the first value that makes no sense.
func (p Policy) Validate() error {
	switch {
	case p.MaxSize <= 0:
		return fmt.Errorf("%w: max size must be positive, got %d", ErrBadPolicy, p.MaxSize)
	case p.MaxSize > maxSize:
		return fmt.Errorf("%w: max size %d is too large (at most %s)", ErrBadPolicy, p.MaxSize, FormatSize(maxSize))
	case p.Keep < 0:
		return fmt.Errorf("%w: backups to keep must be 0 (all) or more, got %d", ErrBadPolicy, p.Keep)
	case p.MaxAge < 0:
		return fmt.Errorf("%w: max age must be 0 (no limit) or more, got %v", ErrBadPolicy, p.MaxAge)
	}
	return nil
}

// maxSize keeps MiB counts within lumberjack's int on every platform.
const maxSize = (1 << 31) * MiB / 2

// RoundSize is n rounded up to the whole MiB lumberjack works in: the size
// at which rotation really happens for MaxSize n.
func RoundSize(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return (n + MiB - 1) / MiB * MiB
}

// RoundAge is d rounded up to the whole days lumberjack works in.
func RoundAge(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return (d + day - 1) / day * day
}

// Rounded is the policy that is really applied: MaxSize rounded up to a
// whole MiB and MaxAge to whole days. Compare it with p to tell the user
// what was rounded.
func (p Policy) Rounded() Policy {
	p.MaxSize = RoundSize(p.MaxSize)
	p.MaxAge = RoundAge(p.MaxAge)
	return p
}

// String describes the applied policy in the words of --help, for example
// "rotate at 100M, keep 5 backups".
func (p Policy) String() string {
	r := p.Rounded()
	var b strings.Builder
	fmt.Fprintf(&b, "rotate at %s", FormatSize(r.MaxSize))
	if r.Keep == 0 {
		b.WriteString(", keep all backups")
	} else {
		fmt.Fprintf(&b, ", keep %d backup%s", r.Keep, plural(r.Keep))
	}
	if r.MaxAge > 0 {
		n := int(r.MaxAge / day)
		fmt.Fprintf(&b, " for at most %d day%s", n, plural(n))
	}
	if r.Compress {
		b.WriteString(", gzipped")
	}
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

var units = []struct {
	suffix string
	shift  uint
}{{"T", 40}, {"G", 30}, {"M", 20}, {"K", 10}}

// FormatSize writes n with the largest K/M/G/T suffix that divides it
// exactly, so that ParseSize(FormatSize(n)) == n.
func FormatSize(n int64) string {
	if n > 0 {
		for _, u := range units {
			if n%(1<<u.shift) == 0 {
				return strconv.FormatInt(n>>u.shift, 10) + u.suffix
			}
		}
	}
	return strconv.FormatInt(n, 10)
}

// ParseSize reads a size in bytes: a decimal integer with an optional
// binary suffix, K (KiB, 1024), M (MiB), G (GiB) or T (TiB), in either case
// and optionally followed by "iB" ("512K", "100M", "1GiB"); or with "B" or
// nothing for plain bytes ("1048576"). "KB", "MB", … are refused rather
// than guessed: GNU tools read them as powers of 1000, and these sizes are
// powers of 1024. Fractions and signs are refused as well.
func ParseSize(s string) (int64, error) {
	num, mult, err := splitSuffix(s)
	if err != nil {
		return 0, err
	}
	if num == "" || strings.TrimLeft(num, "0123456789") != "" {
		return 0, fmt.Errorf("%w %q: want an integer with an optional K, M, G or T suffix", ErrBadSize, s)
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n > (1<<63-1)/mult {
		return 0, fmt.Errorf("%w %q: too large", ErrBadSize, s)
	}
	return n * mult, nil
}

// splitSuffix separates the number from its unit suffix.
func splitSuffix(s string) (num string, mult int64, err error) {
	upper := strings.ToUpper(s)
	for _, u := range units {
		for _, suf := range []string{u.suffix + "IB", u.suffix} {
			if strings.HasSuffix(upper, suf) {
				return s[:len(s)-len(suf)], 1 << u.shift, nil
			}
		}
		if strings.HasSuffix(upper, u.suffix+"B") {
			return "", 0, fmt.Errorf("%w %q: %s is ambiguous (GNU reads it as a power of 1000); write %s or %siB",
				ErrBadSize, s, s[len(s)-2:], u.suffix, u.suffix)
		}
	}
	if strings.HasSuffix(upper, "B") {
		return s[:len(s)-1], 1, nil
	}
	return s, 1, nil
}
