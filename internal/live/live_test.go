package live_test

import (
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/live"
)

func chg(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// FuzzParseCursor: a subscription's `after:` is whatever a client sends.
// Every string either is refused as BAD_USER_INPUT or names a well-formed
// position that encodes back to a cursor naming the same position.
func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{live.Cursor(broker.Position{}), live.Cursor(broker.Position{Seq: 42}), live.Cursor(broker.Position{Seq: 1<<63 - 1}),
		live.Cursor(broker.Position{Seq: 42, Holes: []broker.Range{{From: 7, To: 9}, {From: 12, To: 12}}}),
		"", "Y2hnOg", "Y2hnOi0x", "Y2hnOjE", "Y2hnOjE=", "chg:1", "%%%", "Y2hnOjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMQ",
		chg("chg:9:"), chg("chg:9:3-"), chg("chg:9:-3"), chg("chg:9:3-3"), chg("chg:9:5,3"), chg("chg:9:3,4"), chg("chg:9:9"),
		chg("chg:9:0"), chg("chg:9:2-4,6-8"), chg("chg:9:2,,4"), chg("chg:9:+2")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok, err := live.ParseCursor(&s)
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
		if !ok || p.Validate() != nil {
			t.Fatalf("%q: accepted as %v, %v", s, p, ok)
		}
		back := live.Cursor(p)
		again, ok, err := live.ParseCursor(&back)
		if err != nil || !ok || again.Seq != p.Seq || !slices.Equal(again.Holes, p.Holes) {
			t.Fatalf("%q → %v → %q → %v %v %v", s, p, back, again, ok, err)
		}
	})
}

// TestCursorFormat: a position without holes keeps the format cursors had
// before holes were tracked; holes are listed after it.
func TestCursorFormat(t *testing.T) {
	for p, want := range map[*broker.Position]string{
		{Seq: 42}: "chg:42",
		{Seq: 42, Holes: []broker.Range{{From: 7, To: 9}, {From: 12, To: 12}}}: "chg:42:7-9,12",
	} {
		got, err := base64.RawURLEncoding.DecodeString(live.Cursor(*p))
		if err != nil || string(got) != want {
			t.Errorf("%v encodes as %q, want %q", *p, got, want)
		}
	}
	huge := "chg:99999999:" + strings.Repeat("1,", broker.MaxHoles) + "3"
	if _, _, err := live.ParseCursor(new(chg(huge))); err == nil {
		t.Error("a cursor with too many holes was accepted")
	}
}
