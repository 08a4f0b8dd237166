package logrot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrBadAge is wrapped by every error ParseAge returns.
var ErrBadAge = errors.New("invalid age")

var ageUnits = []struct {
	suffix byte
	d      time.Duration
}{{'d', 24 * time.Hour}, {'h', time.Hour}, {'m', time.Minute}, {'s', time.Second}}

// ParseAge reads a maximum backup age: one or more whole numbers, each
// with a unit s, m, h or d (a day is 24 hours), largest unit first: "90m",
// "36h", "7d", "1d12h". It is applied exactly as written.
func ParseAge(s string) (time.Duration, error) {
	bad := func(why string) error {
		return fmt.Errorf("%w %q: %s", ErrBadAge, s, why)
	}
	if s == "" {
		return 0, bad("want a number with a unit s, m, h or d, like 36h or 7d")
	}
	var total time.Duration
	next := 0 // index into ageUnits: units must come largest first, once each
	for rest := s; rest != ""; {
		digits := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
		if digits == 0 || digits == len(rest) {
			return 0, bad("want a number with a unit s, m, h or d, like 36h or 7d")
		}
		n, err := strconv.ParseInt(rest[:digits], 10, 64)
		unit := -1
		for i := next; i < len(ageUnits); i++ {
			if ageUnits[i].suffix == rest[digits] {
				unit = i
			}
		}
		if unit < 0 {
			return 0, bad(fmt.Sprintf("unknown or misplaced unit %q: want s, m, h or d, largest first", rest[digits]))
		}
		d := ageUnits[unit].d
		if err != nil || n > int64((1<<63-1)/d) || total > (1<<63-1)-time.Duration(n)*d {
			return 0, bad("too large")
		}
		total += time.Duration(n) * d
		next, rest = unit+1, rest[digits+1:]
	}
	return total, nil
}

// FormatAge writes d with the units ParseAge reads, so that
// ParseAge(FormatAge(d)) == d for whole seconds.
func FormatAge(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range ageUnits {
		if n := d / u.d; n > 0 {
			fmt.Fprintf(&b, "%d%c", n, u.suffix)
			d -= n * u.d
		}
	}
	if b.Len() == 0 {
		return d.String()
	}
	return b.String()
}
