package board_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSignInWithPKCE: the board signs in through the development
// provider's picker with the authorization code flow and PKCE, shows who
// is signed in, and signs out back to the sign-in screen.
func TestSignInWithPKCE(t *testing.T) {
	b := startBoard(t)
	ctx := b.browser()
	b.signIn(ctx, staff)
	name := value(t, ctx, "reading the header", chromedp.Text(chromedp.CSS(`.who`)))
	if name != "Xu Shuang" {
		t.Fatalf("signed in as %q, want Xu Shuang", name)
	}
}

// TestEndedSignInReturnsToSignIn: when the sign-in ends (here its token
// expires after 3 s), the board returns to the sign-in screen and says why.
func TestEndedSignInReturnsToSignIn(t *testing.T) {
	b := startBoard(t, options{devTokenLifetime: 3 * time.Second})
	ctx := b.browser()
	b.signIn(ctx, staff)
	run(t, ctx, "waiting for the sign-in screen", chromedp.WaitVisible(chromedp.CSS(`.signin .notice`)))
	notice := value(t, ctx, "reading the notice", chromedp.Text(chromedp.CSS(`.signin .notice`)))
	if !strings.Contains(notice, "sign-in has ended") {
		t.Fatalf("notice %q", notice)
	}
	if n := value(t, ctx, "counting headers", chromedp.Evaluate[int](`document.querySelectorAll('.who').length`)); n != 0 {
		t.Fatal("the signed-in header is still shown")
	}
}
