package certificate_test

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"codeberg.org/go-pdf/fpdf"

	"github.com/usergroups/usergroups/internal/certificate"
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
	text := Text(t, pdf)
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
	text := Text(t, pdf)
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

var (
	streamRE = regexp.MustCompile(`(?s)<<(.*?)>>\s*stream\r?\n(.*?)\r?\nendstream`)
	rangeRE  = regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>`)
	charRE   = regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>`)
	tdRE     = regexp.MustCompile(`[-\d.]+ ([-\d.]+) Td`)
)

// Text extracts the text a PDF made by Render shows, one string per text
// operator, by inflating its streams and mapping the strings' 2-byte codes
// through the font's ToUnicode CMap. It is a small reader for this
// package's output (one Type0 font, literal strings), not a general one;
// exported to the test only.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	var contents [][]byte
	cmap := map[uint16]string{}
	for _, m := range streamRE.FindAllSubmatch(pdf, -1) {
		data := m[2]
		if bytes.Contains(m[1], []byte("/FlateDecode")) {
			r, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				continue // a font file or image stream we do not need
			}
			if data, err = io.ReadAll(r); err != nil {
				continue
			}
		}
		switch {
		case bytes.Contains(data, []byte("begincmap")):
			parseCMap(t, data, cmap)
		case bytes.Contains(data, []byte("BT")) && bytes.Contains(data, []byte("Tj")):
			contents = append(contents, data)
		}
	}
	if len(cmap) == 0 {
		t.Fatal("no ToUnicode CMap in the PDF")
	}
	// Strings drawn at one height are one line (a line's runs in
	// different fonts are separate text objects).
	var lines []string
	lastY := ""
	for _, c := range contents {
		for _, block := range bytes.Split(c, []byte("BT")) {
			td := tdRE.FindSubmatch(block)
			for _, s := range literalStrings(block) {
				var b strings.Builder
				for i := 0; i+1 < len(s); i += 2 {
					code := uint16(s[i])<<8 | uint16(s[i+1])
					u, ok := cmap[code]
					if !ok {
						t.Fatalf("code %04X has no Unicode mapping", code)
					}
					b.WriteString(u)
				}
				if td != nil && string(td[1]) == lastY && len(lines) > 0 {
					lines[len(lines)-1] += b.String()
					continue
				}
				if td != nil {
					lastY = string(td[1])
				}
				lines = append(lines, b.String())
			}
		}
	}
	return strings.Join(lines, "\n")
}

func parseCMap(t testing.TB, data []byte, cmap map[uint16]string) {
	for _, sec := range regexp.MustCompile(`(?s)beginbfrange(.*?)endbfrange`).FindAllSubmatch(data, -1) {
		for _, r := range rangeRE.FindAllSubmatch(sec[1], -1) {
			lo, hi, dst := hexNum(t, r[1]), hexNum(t, r[2]), hexNum(t, r[3])
			for c := lo; c <= hi && c <= 0xFFFF; c++ {
				cmap[uint16(c)] = utf16String(dst + (c - lo))
			}
		}
	}
	for _, sec := range regexp.MustCompile(`(?s)beginbfchar(.*?)endbfchar`).FindAllSubmatch(data, -1) {
		for _, r := range charRE.FindAllSubmatch(sec[1], -1) {
			raw, err := hex.DecodeString(string(r[2]))
			if err != nil {
				t.Fatal(err)
			}
			units := make([]uint16, len(raw)/2)
			for i := range units {
				units[i] = uint16(raw[2*i])<<8 | uint16(raw[2*i+1])
			}
			cmap[uint16(hexNum(t, r[1]))] = string(utf16.Decode(units))
		}
	}
}

func utf16String(u int) string { return string(utf16.Decode([]uint16{uint16(u)})) }

func hexNum(t testing.TB, b []byte) int {
	n, err := strconv.ParseUint(string(b), 16, 32)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// literalStrings returns the unescaped literal strings "(…)" shown by Tj
// in a content stream.
func literalStrings(c []byte) [][]byte {
	var out [][]byte
	for i := 0; i < len(c); i++ {
		if c[i] != '(' {
			continue
		}
		var s []byte
		depth := 1
		j := i + 1
		for ; j < len(c) && depth > 0; j++ {
			switch ch := c[j]; ch {
			case '\\':
				j++
				if j >= len(c) {
					break
				}
				switch e := c[j]; e {
				case 'n':
					s = append(s, '\n')
				case 'r':
					s = append(s, '\r')
				case 't':
					s = append(s, '\t')
				case 'b':
					s = append(s, '\b')
				case 'f':
					s = append(s, '\f')
				case '0', '1', '2', '3', '4', '5', '6', '7':
					k := j
					for k < len(c) && k < j+3 && c[k] >= '0' && c[k] <= '7' {
						k++
					}
					n, _ := strconv.ParseUint(string(c[j:k]), 8, 8)
					s = append(s, byte(n))
					j = k - 1
				default:
					s = append(s, e)
				}
			case '(':
				depth++
				s = append(s, ch)
			case ')':
				depth--
				if depth > 0 {
					s = append(s, ch)
				}
			default:
				s = append(s, ch)
			}
		}
		if rest := bytes.TrimLeft(c[j:], " \r\n"); bytes.HasPrefix(rest, []byte("Tj")) {
			out = append(out, s)
		}
		i = j - 1
	}
	return out
}
