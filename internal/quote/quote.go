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
	var b strings.Builder
	b.WriteByte('\'')
	inEscape := false // inside a $'...' run
	sawQuote := false
	// doubleOK stays true while every character could stand unchanged
	// inside double quotes too; a name whose only special character is an
	// apostrophe is then written "like this", as gnulib does.
	doubleOK := true
	escape := func(seq string) {
		if !inEscape {
			b.WriteString("'$'")
			inEscape = true
		}
		b.WriteString(seq)
	}
	literal := func(seq string) {
		if inEscape {
			b.WriteString("''")
			inEscape = false
		}
		b.WriteString(seq)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if k := strings.IndexByte(controlChars, c); k >= 0 {
			escape(`\` + controlLetters[k:k+1])
			doubleOK = false
			i++
			continue
		}
		switch {
		case c == '\'':
			// '\'' ends any $'...' run as well as the quoted run.
			sawQuote = true
			b.WriteString(`'\''`)
			inEscape = false
			i++
			continue
		case c < 0x80:
			if c < 0x20 || c == 0x7f {
				escape(octal(c))
				doubleOK = false
			} else {
				literal(string(c))
				doubleOK = doubleOK && doubleSafe(s, i)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if utf8ok && r != utf8.RuneError && unicode.IsPrint(r) {
			literal(s[i : i+n])
			i += n
			continue
		}
		// Not printable here: every byte of the sequence as octal.
		if !utf8ok || r == utf8.RuneError {
			n = 1
		}
		for j := 0; j < n; j++ {
			escape(octal(s[i+j]))
		}
		doubleOK = false
		i += n
	}
	b.WriteByte('\'')
	if sawQuote && doubleOK {
		return `"` + s + `"`
	}
	return b.String()
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
