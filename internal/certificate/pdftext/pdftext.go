// Package pdftext reads the text back out of the certificates' PDFs, for
// tests: they check that what is printed (a name in Chinese among it) is
// what a reader copies, without tools such as pdftotext on the machine.
package pdftext

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

var (
	streamRE = regexp.MustCompile(`(?s)<<(.*?)>>\s*stream\r?\n(.*?)\r?\nendstream`)
	// lengthRE is a stream dictionary's direct /Length (not "n 0 R").
	lengthRE = regexp.MustCompile(`/Length (\d+)\s*(?:/|$)`)
	rangeRE  = regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>`)
	charRE   = regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>`)
	tdRE     = regexp.MustCompile(`[-\d.]+ ([-\d.]+) Td`)
)

// Text extracts the text a PDF drawn by internal/certificate shows, one
// line per height on the page, by inflating its streams and mapping the
// strings' 2-byte codes through the fonts' ToUnicode CMaps, as a PDF
// viewer's search and copy do. It is a small reader for that package's
// output (Type0 fonts with Identity-H, literal strings, Tj), not a general
// one; it fails t when the PDF is not of that shape.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	var contents [][]byte
	cmap := map[uint16]string{}
	for _, ix := range streamRE.FindAllSubmatchIndex(pdf, -1) {
		dict, data := pdf[ix[2]:ix[3]], pdf[ix[4]:ix[5]]
		// The stream is exactly /Length bytes: the pattern alone would
		// drop a compressed stream's last byte when it happens to be \r.
		if l := lengthRE.FindSubmatch(dict); l != nil {
			if n, err := strconv.Atoi(string(l[1])); err == nil && ix[4]+n <= len(pdf) {
				data = pdf[ix[4] : ix[4]+n]
			}
		}
		if bytes.Contains(dict, []byte("/FlateDecode")) {
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
