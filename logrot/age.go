package logrot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseAge reads a maximum backup age: whole days ("7d"), which is how
// backups are usually thought of, or a Go duration ("36h", "90m"). It is
// rounded up to whole days when applied (see RoundAge).
func ParseAge(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("invalid age %q: want days like 7d, or a duration like 36h", s)
		}
		return time.Duration(n) * day, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid age %q: want days like 7d, or a duration like 36h", s)
	}
	return d, nil
}
