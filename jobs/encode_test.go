package jobs

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// sameAsMarshal fails the test unless recordLine writes what json.Marshal
// does.
func sameAsMarshal(t *testing.T, r Record) {
	t.Helper()
	want, werr := json.Marshal(&r)
	got, gerr := recordLine(&r)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("recordLine error %v; json.Marshal's %v", gerr, werr)
	}
	if werr == nil && !bytes.Equal(got, append(want, '\n')) {
		t.Fatalf("recordLine wrote\n%s\njson.Marshal\n%s", got, want)
	}
}

// TestRecordLine sets every field of Record, found by reflection, so that
// a field added to Record and not to recordLine fails here.
func TestRecordLine(t *testing.T) {
	var full Record
	v := reflect.ValueOf(&full).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("s" + v.Type().Field(i).Name)
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(-1 - i))
		case reflect.Uint64:
			f.SetUint(1<<63 + uint64(i))
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Slice:
			f.Set(reflect.ValueOf([]string{"a", "b c"}))
		case reflect.Struct: // time.Time
			f.Set(reflect.ValueOf(time.Date(2026, 12, 5, 8, 0, 0, 123, time.UTC)))
		default:
			t.Fatalf("field %s has a kind (%s) the test does not fill", v.Type().Field(i).Name, f.Kind())
		}
	}
	for name, r := range map[string]Record{
		"every field":  full,
		"zero":         {},
		"empty argv":   {Command: []string{}},
		"escapes":      {Command: []string{"a\b\f\n\r\t\x00\x1f\x7f<>&\"\\", "\u2028\u2029", "\xff\xfe", "é漢🙂", "\xed\xa0\x80"}},
		"local time":   {Started: time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("", -7*3600))},
		"year 10000":   {Started: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		"zero omitted": {ID: "abcd", Pid: 1, StartTicks: 0, Offset: 0, Waiter: 0},
	} {
		t.Run(name, func(t *testing.T) { sameAsMarshal(t, r) })
	}
}

func FuzzRecordLine(f *testing.F) {
	f.Add("abcd", "nohupx", "true", "/tmp", "<\x00\xff\u2028", int64(42), uint64(7), true)
	f.Fuzz(func(t *testing.T, id, by, arg, cwd, out string, n int64, u uint64, b bool) {
		sameAsMarshal(t, Record{V: int(n), ID: id, By: by, Pid: int(n), StartTicks: u, BootID: out,
			Pgid: int(-n), OwnGroup: b, Command: []string{arg, out}, Cwd: cwd, TTY: out, Output: out,
			Offset: n, OutputDev: u, OutputIno: u + 1, Stderr: arg, Pipe: u, StderrPipe: u + 2, Waiter: int(n), WaiterTicks: u,
			StatusKnown: !b, OnExit: arg, Started: time.Unix(n%(1<<35), n%1e9).UTC()})
	})
}
