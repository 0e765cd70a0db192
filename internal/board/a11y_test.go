package board_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// unnamed lists the page's controls a screen reader could not name: form
// fields without a label, buttons and links without text or aria-label,
// images without alt.
const unnamed = `(() => {
  const out = [];
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href], img')) {
    if (el.closest('[hidden]') || el.getAttribute('aria-hidden') === 'true') continue;
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') ||
      el.getAttribute('title') || (el.tagName === 'IMG' ? el.hasAttribute('alt') : el.textContent.trim());
    if (!named) out.push(el.outerHTML.slice(0, 120));
  }
  return out;
})()`

// TestEveryControlHasAName: on the board, an application and a group page,
// every control has an accessible name, the page's language is set, and the
// board can be reached from the keyboard (the skip link moves focus to the
// main content).
func TestEveryControlHasAName(t *testing.T) {
	b := startBoard(t)
	ctx := b.browser()
	b.signIn(ctx, staff)
	app := detailPick(b, b.token(staff), "a new group's request", func(a detailApp) bool { return a.Kind == "NEW_GROUP" })
	for _, page := range []struct{ name, hash, ready string }{
		{"queue", "#/queue/openeuler", ".qcard"},
		{"application", "#/application/" + app.ID, ".appv-status"},
		{"group", "#/group/" + beijing, ".group-page .group-roster"},
	} {
		run(t, ctx, "opening the "+page.name,
			chromedp.Evaluate[chromedp.Void](`location.hash = '`+page.hash+`'`),
			chromedp.WaitVisible(chromedp.CSS(page.ready)))
		if bad := value(t, ctx, "listing unnamed controls", chromedp.Evaluate[[]string](unnamed)); len(bad) > 0 {
			t.Errorf("%s: controls without an accessible name:\n%v", page.name, bad)
		}
	}
	if lang := value(t, ctx, "reading lang", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "en" {
		t.Errorf("<html lang=%q>, want en", lang)
	}
	// Keyboard: the first Tab reaches the skip link, Enter moves focus to main.
	run(t, ctx, "skipping to the content",
		chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`),
		chromedp.KeyEvent("\t"),
		chromedp.KeyEvent("\r"))
	if id := value(t, ctx, "reading the focus", chromedp.Evaluate[string](`document.activeElement.id`)); id != "main" {
		t.Errorf("after the skip link the focus is on %q, want main", id)
	}
}

// TestLanguageFromTheBrowser: a browser set to Chinese gets the board in
// Simplified Chinese without choosing it.
func TestLanguageFromTheBrowser(t *testing.T) {
	b := startBoard(t)
	ctx := b.browserIn("zh-CN")
	run(t, ctx, "opening the sign-in screen", chromedp.Navigate(b.url+"/app/"), chromedp.WaitVisible(chromedp.CSS(`.signin h1`)))
	if h := value(t, ctx, "reading the heading", chromedp.Text(chromedp.CSS(`.signin h1`))); h != "登录审批看板" {
		t.Errorf("heading %q, want 登录审批看板", h)
	}
	if lang := value(t, ctx, "reading lang", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "zh-CN" {
		t.Errorf("<html lang=%q>, want zh-CN", lang)
	}
}
