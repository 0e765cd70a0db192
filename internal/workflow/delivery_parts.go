package workflow

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html/template"
	"regexp"
	"strings"
	"time"
)

// segment is a run of a paragraph's text, a link when URL is set.
type segment struct {
	Text, URL string
	Break     bool // a line break before the text
}

// htmlPage is the HTML part of an email: the text body's paragraphs, with
// every character escaped by html/template and http(s) links made links.
var htmlPage = template.Must(template.New("email").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"></head><body>
{{range .}}<p>{{range .}}{{if .Break}}<br>
{{end}}{{if .URL}}<a href="{{.URL}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}{{end}}</p>
{{end}}</body></html>
`))

var (
	linkPattern = regexp.MustCompile(`https?://[^\s<>"]+[^\s<>".,;:!?)\]'"]`)
	blankLines  = regexp.MustCompile(`\n\s*\n`)
)

// htmlBody renders a text body as the HTML alternative: blank lines
// separate paragraphs, single newlines become line breaks.
func htmlBody(text string) string {
	var paras [][]segment
	for _, p := range blankLines.Split(strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n"), -1) {
		var segs []segment
		for i, line := range strings.Split(p, "\n") {
			brk := i > 0
			last := 0
			for _, loc := range linkPattern.FindAllStringIndex(line, -1) {
				if loc[0] > last {
					segs = append(segs, segment{Text: line[last:loc[0]], Break: brk})
					brk = false
				}
				segs = append(segs, segment{Text: line[loc[0]:loc[1]], URL: line[loc[0]:loc[1]], Break: brk})
				brk = false
				last = loc[1]
			}
			if last < len(line) || brk {
				segs = append(segs, segment{Text: line[last:], Break: brk})
			}
		}
		paras = append(paras, segs)
	}
	var b bytes.Buffer
	if err := htmlPage.Execute(&b, paras); err != nil {
		return "" // the template cannot fail on strings; the text part stands alone
	}
	return b.String()
}

// logoPackTime is the modification time of every file in the logo pack:
// fixed, so the same community always gets the same bytes.
var logoPackTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// LogoPack is the zip sent with a recognition letter: the community's name
// as an SVG wordmark and a README with the rules for using it. It is built
// here, deterministically, without any network.
func LogoPack(community string) []byte {
	name := template.HTMLEscapeString(community)
	files := []struct{ name, body string }{
		{"logo.svg", fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="480" height="120" viewBox="0 0 480 120">
  <rect width="480" height="120" rx="16" fill="#1d3557"/>
  <text x="240" y="58" font-family="sans-serif" font-size="36" fill="#ffffff" text-anchor="middle">%s</text>
  <text x="240" y="94" font-family="sans-serif" font-size="20" fill="#a8dadc" text-anchor="middle">Official user group</text>
</svg>
`, name)},
		{"README.txt", fmt.Sprintf(`%s official user group logo pack

logo.svg is the mark of an official user group of %s.

Rules of use:
- Use it on your group's pages, slides and event material only.
- Do not change its colours, proportions or wording.
- Do not use it for commercial offers or to suggest endorsement of a product.
- It may be used while your group is official; remove it if the status ends.
`, community, community)},
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: logoPackTime})
		if err == nil {
			_, err = w.Write([]byte(f.body))
		}
		if err != nil {
			return nil // writing to memory does not fail
		}
	}
	if zw.Close() != nil {
		return nil
	}
	return b.Bytes()
}
