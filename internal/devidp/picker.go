package devidp

import (
	"html/template"
	"net/http"
)

// picker is the development sign-in page: a search box and one button per
// person; each button posts the authorization request back with the person.
var picker = template.Must(template.New("picker").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in (development)</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1d2433}
h1{font-size:1.4rem}.note{background:#fff4d6;border:1px solid #e8c66a;padding:.6rem .8rem;border-radius:6px}
ul{list-style:none;padding:0}li{margin:.3rem 0}
button.person{width:100%;text-align:left;padding:.55rem .8rem;border:1px solid #c9cfdb;border-radius:6px;background:#fff;cursor:pointer;font:inherit}
button.person:hover,button.person:focus{border-color:#3056d3;outline:2px solid #3056d3}
.roles{color:#5a6478;font-size:.9em}
</style></head><body>
<main>
<h1>Sign in as a demo person</h1>
<p class="note">Development mode: this page signs you in as anyone, without a password. It exists only when the server runs with <code>--dev</code>.</p>
<form method="get" role="search">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<label for="q">Find a person by name or handle</label>
<input id="q" name="q" value="{{.Search}}" autocomplete="off"> <button type="submit">Search</button>
</form>
<form method="post">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<ul aria-label="People">
{{range .People}}<li><button class="person" type="submit" name="person" value="{{.ID}}" data-handle="{{.Handle}}"><strong>{{.Name}}</strong> <span>@{{.Handle}}</span>{{if .Roles}}<br><span class="roles">{{range $i, $r := .Roles}}{{if $i}} · {{end}}{{$r}}{{end}}</span>{{end}}</button></li>
{{else}}<li>Nobody matches.</li>{{end}}
</ul>
</form>
</main></body></html>
`))

func renderPicker(w http.ResponseWriter, r *http.Request, req request, search string, people []Person) {
	hidden := map[string]string{"response_type": "code", "client_id": req.ClientID, "redirect_uri": req.RedirectURI,
		"state": req.State, "code_challenge": req.Challenge, "code_challenge_method": "S256", "nonce": req.Nonce}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	_ = picker.Execute(w, map[string]any{"Hidden": hidden, "Search": search, "People": people})
}
