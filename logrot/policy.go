package logrot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MiB is 1024 × 1024 bytes, the unit of the default size.
const MiB = 1 << 20

// Policy says when the live file is rotated and which backups are kept.
// Sizes are bytes and ages are durations, applied exactly as given.
type Policy struct {
	// MaxSize is the size in bytes the live file never passes: it is
	// rotated before a write would take it past MaxSize (earlier when a
	// line ends within 4 KiB of the limit, so that a file ends on a line).
	MaxSize int64
	// Keep is how many of the newest backups to keep besides the first
	// one (the backup that holds the start of the job's output, which is
	// kept too); 0 keeps every backup.
	Keep int
	// MaxAge removes backups whose rotation time is older than this,
	// the first one included; 0 keeps them whatever their age.
	MaxAge time.Duration
	// Compress gzips backups after rotation.
	Compress bool
}

// DefaultPolicy is what nohupx uses unless told otherwise: rotate at 100M,
// keep the first backup and the 5 newest.
var DefaultPolicy = Policy{MaxSize: 100 * MiB, Keep: 5}

// ErrBadPolicy is wrapped by every error Validate returns.
var ErrBadPolicy = errors.New("invalid rotation policy")

// ErrBadSize is wrapped by every error ParseSize returns.
var ErrBadSize = errors.New("invalid size")

// maxSize is the largest --max-size: 1 TiB, far above any sensible
// segment, and small enough that no offset arithmetic can overflow.
const maxSize = 1 << 40

// Validate reports the first value that makes no sense, naming the option
// that sets it.
func (p Policy) Validate() error {
	switch {
	case p.MaxSize <= 0:
		return fmt.Errorf("%w: --max-size must be at least 1 byte, got %d", ErrBadPolicy, p.MaxSize)
	case p.MaxSize > maxSize:
		return fmt.Errorf("%w: --max-size %d is too large (at most %s)", ErrBadPolicy, p.MaxSize, FormatSize(maxSize))
	case p.Keep < 0:
		return fmt.Errorf("%w: --keep must be 0 (all) or more, got %d", ErrBadPolicy, p.Keep)
	case p.MaxAge < 0:
		return fmt.Errorf("%w: --max-age must be 0 (no limit) or more, got %v", ErrBadPolicy, p.MaxAge)
	}
	return nil
}

// String describes the policy in the words of --help, for example
// "rotated at 100M, keeping the first and the 5 newest backups".
func (p Policy) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rotated at %s, keeping ", FormatSize(p.MaxSize))
	if p.Keep == 0 {
		b.WriteString("every backup")
	} else {
		fmt.Fprintf(&b, "the first and the %d newest backup%s", p.Keep, plural(p.Keep))
	}
	if p.MaxAge > 0 {
		fmt.Fprintf(&b, " for at most %s", FormatAge(p.MaxAge))
	}
	if p.Compress {
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
