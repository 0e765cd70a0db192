package live_test

import (
	"errors"
	"testing"

	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/live"
)

// FuzzParseCursor: a subscription's `after:` is whatever a client sends.
// Every string either is refused as BAD_USER_INPUT or names a position that
// encodes back to a cursor naming the same position.
func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{live.Cursor(0), live.Cursor(42), live.Cursor(1<<63 - 1), "", "Y2hnOg", "Y2hnOi0x", "Y2hnOjE", "Y2hnOjE=", "chg:1", "%%%", "Y2hnOjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMQ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seq, ok, err := live.ParseCursor(&s)
		if err != nil {
			var ae *apierror.Error
			if !errors.As(err, &ae) || ae.Code != apierror.BadUserInput {
				t.Fatalf("%q: %v is not a BAD_USER_INPUT error", s, err)
			}
			return
		}
		if s == "" {
			if ok {
				t.Fatal("an empty cursor means from now")
			}
			return
		}
		if !ok || seq < 0 {
			t.Fatalf("%q: accepted as %d, %v", s, seq, ok)
		}
		back := live.Cursor(seq)
		again, ok, err := live.ParseCursor(&back)
		if err != nil || !ok || again != seq {
			t.Fatalf("%q → %d → %q → %d %v %v", s, seq, back, again, ok, err)
		}
	})
}
