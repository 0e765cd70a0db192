// Package certificate draws membership and award certificates as PDF. It
// knows nothing of the database: it prints the snapshot it is given, with
// two embedded fonts (see font/NOTICE): Liberation Sans for Latin, Greek
// and Cyrillic, Droid Sans Fallback for Chinese, Japanese and Korean, each
// character set in the first font that has its glyph. A certificate so
// looks the same on every machine, and a name written in Chinese prints.
package certificate

import (
	"bytes"
	_ "embed"
	"fmt"
	"strconv"
	"sync"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
)

var (
	//go:embed font/LiberationSans-Regular.ttf
	latinTTF []byte
	//go:embed font/DroidSansFallbackFull.ttf
	cjkTTF []byte
)

// fonts are the embedded fonts in the order a character looks for its
// glyph; the last one also takes the characters no font has.
var fonts = []struct {
	family string
	ttf    []byte
}{{"latin", latinTTF}, {"cjk", cjkTTF}}

// coverage holds the parsed fonts' character maps, read once.
var coverage = sync.OnceValues(func() ([]*sfnt.Font, error) {
	out := make([]*sfnt.Font, len(fonts))
	for i, f := range fonts {
		parsed, err := sfnt.Parse(f.ttf)
		if err != nil {
			return nil, fmt.Errorf("parsing the embedded font %s: %w", f.family, err)
		}
		out[i] = parsed
	}
	return out, nil
})

// run is a stretch of text set in one font.
type run struct {
	font int
	text string
}

// runs splits text into stretches each set in the first font with glyphs
// for its characters.
func runs(text string) ([]run, error) {
	parsed, err := coverage()
	if err != nil {
		return nil, err
	}
	var buf sfnt.Buffer
	var out []run
	for _, r := range text {
		font := len(parsed) - 1
		for i, f := range parsed {
			if g, err := f.GlyphIndex(&buf, r); err == nil && g != 0 {
				font = i
				break
			}
		}
		// A space stays in the run it is in, whichever font has it.
		if n := len(out); n > 0 && (out[n-1].font == font || r == ' ') {
			out[n-1].text += string(r)
			continue
		}
		out = append(out, run{font, string(r)})
	}
	return out, nil
}

// Kinds of certificate, as the Certificate row names them.
const (
	KindMembership = "MEMBERSHIP"
	KindAward      = "AWARD"
)

// Data is what a certificate states: the row's snapshot plus where to
// check it. Every field is printed as given.
type Data struct {
	Kind          string // KindMembership or KindAward
	HolderName    string
	CommunityName string
	GroupName     string // may be empty
	Title         string // the award (award certificates)
	Year          int    // the award's year; 0 when none
	IssuedAt      time.Time
	Code          string
	VerifyURL     string // where anyone may check the code
}

// Heading is the certificate's title line for its kind.
func Heading(kind string) string {
	if kind == KindAward {
		return "Award certificate"
	}
	return "Certificate of membership"
}

// VerificationPath is where anyone may check the certificate with code:
// GET answers what it states, as JSON.
func VerificationPath(code string) string { return "/certificates/" + code }

// PDFPath is where the certificate with code is served as a PDF.
func PDFPath(code string) string { return VerificationPath(code) + ".pdf" }

// FileName is the name a downloaded certificate is saved under.
func FileName(code string) string {
	return "certificate-" + code + ".pdf"
}

// Render draws d as a one-page A4 landscape PDF. The same Data gives the
// same bytes: the document's dates are the issue date, not the clock.
func Render(d Data) ([]byte, error) {
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	issued := d.IssuedAt.UTC()
	pdf.SetCreationDate(issued)
	pdf.SetModificationDate(issued)
	pdf.SetTitle(Heading(d.Kind)+" — "+d.HolderName, true)
	pdf.SetAuthor(d.CommunityName, true)
	pdf.SetCreator("usergroups", true)
	pdf.SetProducer("usergroups", true)
	for _, f := range fonts {
		pdf.AddUTF8FontFromBytes(f.family, "", f.ttf)
	}
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddPage()

	w, h := pdf.GetPageSize()
	// A double frame.
	pdf.SetDrawColor(40, 70, 120)
	pdf.SetLineWidth(1.2)
	pdf.Rect(10, 10, w-20, h-20, "D")
	pdf.SetLineWidth(0.3)
	pdf.Rect(14, 14, w-28, h-28, "D")

	var failed error
	// line centres text on the page at height y, run by run.
	line := func(y, size float64, r, g, b int, text string) {
		parts, err := runs(text)
		if err != nil {
			failed = err
			return
		}
		width := 0.0
		for _, p := range parts {
			pdf.SetFont(fonts[p.font].family, "", size)
			width += pdf.GetStringWidth(p.text)
		}
		pdf.SetTextColor(r, g, b)
		x := (w - width) / 2
		for _, p := range parts {
			pdf.SetFont(fonts[p.font].family, "", size)
			pdf.Text(x, y, p.text)
			x += pdf.GetStringWidth(p.text)
		}
	}
	line(38, 20, 40, 70, 120, d.CommunityName)
	line(60, 30, 20, 20, 20, Heading(d.Kind))
	line(80, 13, 80, 80, 80, "This certifies that")
	line(98, 32, 20, 20, 20, d.HolderName)
	switch d.Kind {
	case KindAward:
		award := d.Title
		if d.Year != 0 {
			award += " " + strconv.Itoa(d.Year)
		}
		line(116, 13, 80, 80, 80, "has received the award")
		line(128, 20, 20, 20, 20, award)
		if d.GroupName != "" {
			line(140, 13, 80, 80, 80, "as a member of "+d.GroupName)
		}
	default:
		line(116, 13, 80, 80, 80, "is a member of the user group")
		line(128, 20, 20, 20, 20, d.GroupName)
	}
	line(156, 12, 80, 80, 80, "Issued on "+issued.Format("2 January 2006"))
	line(176, 11, 80, 80, 80, "Verification code: "+d.Code)
	line(184, 11, 40, 70, 120, "Verify at "+d.VerifyURL)

	if failed != nil {
		return nil, failed
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("rendering certificate %s: %w", d.Code, err)
	}
	return buf.Bytes(), nil
}
