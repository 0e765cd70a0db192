package board_test

import (
	"testing"

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
