package certificate_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/usergroups/usergroups/internal/certificate"
	"github.com/usergroups/usergroups/internal/certificate/pdftext"
)

var issued = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

func membership() certificate.Data {
	return certificate.Data{
		Kind: certificate.KindMembership, HolderName: "张伟", CommunityName: "欧拉社区 openEuler",
		GroupName: "openEuler 北京用户组", IssuedAt: issued, Code: "ABCD-EFGH-JKLM",
		VerifyURL: "https://example.org/certificates/ABCD-EFGH-JKLM",
	}
}

// TestRenderChineseName reads the text back out of the PDF (through the
// font's ToUnicode map, as a viewer's copy and search would): the name in
// Chinese and everything else the certificate states is there.
func TestRenderChineseName(t *testing.T) {
	pdf, err := certificate.Render(membership())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(16, len(pdf))])
	}
	text := pdftext.Text(t, pdf)
	for _, want := range []string{"张伟", "欧拉社区 openEuler", "Certificate of membership", "openEuler 北京用户组",
		"Issued on 14 March 2026", "Verification code: ABCD-EFGH-JKLM",
		"Verify at https://example.org/certificates/ABCD-EFGH-JKLM"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q; it reads:\n%s", want, text)
		}
	}
	// Every character printed has a glyph in the embedded font (a missing
	// one would still be extracted, but shown as a blank box).
	var fonts []fpdf.TtfType
	for _, f := range []string{"font/LiberationSans-Regular.ttf", "font/DroidSansFallbackFull.ttf"} {
		font, err := fpdf.TtfParse(f)
		if err != nil {
			t.Fatal(err)
		}
		fonts = append(fonts, font)
	}
	for _, r := range strings.ReplaceAll(text, "\n", "") {
		if _, ok := fonts[0].Chars[uint16(r)]; !ok {
			if _, ok := fonts[1].Chars[uint16(r)]; !ok {
				t.Errorf("no font has a glyph for %q", r)
			}
		}
	}
	// The font is embedded as a subset of the glyphs used, not whole.
	if len(pdf) > 400_000 {
		t.Errorf("PDF is %d bytes: the font should be subset", len(pdf))
	}
}

func TestRenderAward(t *testing.T) {
	d := membership()
	d.Kind, d.Title, d.Year, d.HolderName = certificate.KindAward, "Outstanding member", 2026, "Ada Lovelace"
	pdf, err := certificate.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	text := pdftext.Text(t, pdf)
	for _, want := range []string{"Award certificate", "Ada Lovelace", "Outstanding member 2026", "as a member of openEuler 北京用户组"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q; it reads:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Certificate of membership") {
		t.Errorf("an award certificate titled as a membership one:\n%s", text)
	}
}

// TestRenderDeterministic: the same row gives the same bytes (its dates are
// the issue date), so a cached or re-downloaded copy is identical.
func TestRenderDeterministic(t *testing.T) {
	a, err := certificate.Render(membership())
	if err != nil {
		t.Fatal(err)
	}
	b, err := certificate.Render(membership())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two renderings of one certificate differ")
	}
	if !bytes.Contains(a, []byte("D:20260314093000")) {
		t.Error("the document's creation date is not the issue date")
	}
}
