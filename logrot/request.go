package logrot

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// request is what Start tells the relay, over an inherited pipe rather than
// argv or the environment, so that nothing about it can be misparsed as an
// option and the stages need no flag parser.
//
// The format is one "key value" pair a line after a version line; the path
// is Go-quoted, since a file name may hold any byte but NUL and "/".
type request struct {
	Path   string
	Policy Policy
}

const requestMagic = "nohupx-relay-request 1"

func (r request) encode(w io.Writer) error {
	_, err := fmt.Fprintf(w, "%s\npath %s\nmax-size %d\nkeep %d\nmax-age %d\ncompress %t\n",
		requestMagic, strconv.Quote(r.Path), r.Policy.MaxSize, r.Policy.Keep,
		int64(r.Policy.MaxAge), r.Policy.Compress)
	return err
}

// decodeRequest reads a request and checks it completely: the relay acts
// on nothing it did not understand.
func decodeRequest(rd io.Reader) (request, error) {
	var r request
	sc := bufio.NewScanner(rd)
	if !sc.Scan() || sc.Text() != requestMagic {
		return r, fmt.Errorf("bad request: want %q first", requestMagic)
	}
	seen := map[string]bool{}
	for sc.Scan() {
		key, val, _ := strings.Cut(sc.Text(), " ")
		var err error
		switch key {
		case "path":
			r.Path, err = strconv.Unquote(val)
		case "max-size":
			r.Policy.MaxSize, err = strconv.ParseInt(val, 10, 64)
		case "keep":
			r.Policy.Keep, err = strconv.Atoi(val)
		case "max-age":
			var ns int64
			ns, err = strconv.ParseInt(val, 10, 64)
			r.Policy.MaxAge = time.Duration(ns)
		case "compress":
			r.Policy.Compress, err = strconv.ParseBool(val)
		default:
			return r, fmt.Errorf("bad request: unknown key %q", key)
		}
		if err != nil {
			return r, fmt.Errorf("bad request: %s %q: %v", key, val, err)
		}
		seen[key] = true
	}
	if err := sc.Err(); err != nil {
		return r, fmt.Errorf("bad request: %w", err)
	}
	for _, key := range []string{"path", "max-size", "keep", "max-age", "compress"} {
		if !seen[key] {
			return r, fmt.Errorf("bad request: no %s", key)
		}
	}
	if !strings.HasPrefix(r.Path, "/") {
		return r, fmt.Errorf("bad request: path %q is not absolute", r.Path)
	}
	return r, r.Policy.Validate()
}
