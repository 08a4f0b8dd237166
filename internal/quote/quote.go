// Package quote quotes file and command names in diagnostics the way GNU
// coreutils does with quoteaf(): the shell-escape-always style of gnulib's
// quotearg, so that a name can be pasted back into a shell. A drop-in must
// match it byte for byte, because users and scripts compare the messages.
package quote

import (
	"os"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Shell quotes s in gnulib's shell-escape-always style:
//
//	nohup.out   -> 'nohup.out'
//	it's        -> "it's"           (a quote with nothing else special)
//	it's $x     -> 'it'\''s $x'
//	a<LF>b      -> 'a'$'\n''b'
//
// Bytes that are not printable in the current locale are written as octal
// escapes inside $'...'. The locale is UTF-8 when LC_ALL, LC_CTYPE or LANG
// (the first one set) names it; otherwise it is the C locale, where every
// byte above 0x7e is unprintable.
func Shell(s string) string {
	return shell(s, utf8Locale())
}

func utf8Locale() bool {
	for _, v := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if l := os.Getenv(v); l != "" {
			l = strings.ToLower(l)
			return strings.Contains(l, "utf-8") || strings.Contains(l, "utf8")
		}
	}
	return false
}

// controlChars are the control characters that get a letter escape, and
// controlLetters the letters, in the same order. Constants, not a map: a
// map variable would be built at start-up by every applet of the binary.
const (
	controlChars   = "\a\b\f\n\r\t\v"
	controlLetters = "abfnrtv"
)

func shell(s string, utf8ok bool) string {
	w := shellWriter{doubleOK: true}
	w.write(s, utf8ok)
	if !w.sawQuote {
		return w.b.String()
	}
	if w.doubleOK {
		return `"` + s + `"`
	}
	// gnulib meets the apostrophe, scans the rest to see whether "..."
	// would do, and when it would not, writes the name again without
	// resetting whether a $'...' run is open: the state the scan ended in
	// carries over to the first character. So a name that ends in an
	// escape starts with '' before a plain first character, and with a
	// bare \n (no $') before an escaped one: it's<LF> comes out as
	// '''it'\''s'$'\n'. Reproduced, since users compare the messages.
	again := shellWriter{inEscape: w.inEscape}
	again.write(s, utf8ok)
	return again.b.String()
}

// write writes s between single quotes.
func (w *shellWriter) write(s string, utf8ok bool) {
	w.b.WriteByte('\'')
	for i := 0; i < len(s); {
		i += w.char(s, i, utf8ok)
	}
	w.b.WriteByte('\'')
}

// shellWriter builds a single-quoted word, switching to $'...' runs for
// what cannot stand inside single quotes.
type shellWriter struct {
	b        strings.Builder
	inEscape bool // inside a $'...' run
	sawQuote bool
	// doubleOK stays true while every character could stand unchanged
	// inside double quotes too; a name whose only special character is an
	// apostrophe is then written "like this", as gnulib does.
	doubleOK bool
}

func (w *shellWriter) escape(seq string) {
	if !w.inEscape {
		w.b.WriteString("'$'")
		w.inEscape = true
	}
	w.b.WriteString(seq)
}

func (w *shellWriter) literal(seq string) {
	if w.inEscape {
		w.b.WriteString("''")
		w.inEscape = false
	}
	w.b.WriteString(seq)
}

// char writes the character at s[i] and returns how many bytes it took.
func (w *shellWriter) char(s string, i int, utf8ok bool) int {
	c := s[i]
	if k := strings.IndexByte(controlChars, c); k >= 0 {
		w.escape(`\` + controlLetters[k:k+1])
		w.doubleOK = false
		return 1
	}
	switch {
	case c == '\'':
		// '\'' ends any $'...' run as well as the quoted run.
		w.sawQuote = true
		w.b.WriteString(`'\''`)
		w.inEscape = false
		return 1
	case c < 0x20 || c == 0x7f:
		w.escape(octal(c))
		w.doubleOK = false
		return 1
	case c < 0x80:
		w.literal(string(c))
		w.doubleOK = w.doubleOK && doubleSafe(s, i)
		return 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if utf8ok && r != utf8.RuneError && printable(r) {
		w.literal(s[i : i+n])
		return n
	}
	// Not printable here: every byte of the sequence as octal.
	if !utf8ok || r == utf8.RuneError {
		n = 1
	}
	for j := 0; j < n; j++ {
		w.escape(octal(s[i+j]))
	}
	w.doubleOK = false
	return n
}

// printable is glibc's iswprint in a UTF-8 locale: every assigned
// character except the controls and the line and paragraph separators.
// unicode.IsPrint leaves out more: the spaces other than U+0020 (Zs, such
// as the no-break space), the format characters (Cf, such as U+200B and
// the soft hyphen) and private use (Co), which glibc prints as they are.
func printable(r rune) bool {
	return unicode.IsPrint(r) || unicode.In(r, unicode.Zs, unicode.Cf, unicode.Co)
}

// doubleSafe reports whether the printable ASCII character s[i] could be
// left as it is both in C and in shell double quotes.
func doubleSafe(s string, i int) bool {
	switch c := s[i]; c {
	case ' ':
		return true
	case '#', '~':
		return i == 0
	case '{', '}':
		return len(s) == 1
	case '!', '"', '$', '&', '(', ')', '*', ';', '<', '=', '>', '[', '^', '`', '|', '?', '\\':
		return false
	}
	return true
}

func octal(c byte) string {
	return string([]byte{'\\', '0' + c>>6, '0' + (c>>3)&7, '0' + c&7})
}
