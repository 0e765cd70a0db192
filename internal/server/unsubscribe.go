package server

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/errmap"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// unsubscribeMaxBody caps the body of an unsubscribe POST: mail clients
// send "List-Unsubscribe=One-Click", the confirmation page the same.
const unsubscribeMaxBody = 4 << 10

// unsubscribe serves the one-click unsubscribe links of notices (RFC 8058)
// at workflow.UnsubscribePath. The link's token is the credential: no
// sign-in. GET changes nothing (mail scanners and previews follow links):
// it shows a page whose button POSTs; a POST turns the kind off.
type unsubscribe struct {
	runner *workflow.Runner
	log    *slog.Logger
}

// unsubscribeHandler returns the handler of GET and POST /unsubscribe;
// other methods get 405.
func unsubscribeHandler(runner *workflow.Runner, log *slog.Logger) http.Handler {
	h := &unsubscribe{runner: runner, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+workflow.UnsubscribePath, h.show)
	mux.HandleFunc("POST "+workflow.UnsubscribePath, h.confirm)
	return mux
}

// link is an unsubscribe link's parameters: person, kind and token.
type link struct {
	user  pulid.ID
	kind  letters.Kind
	token string
}

func linkOf(q url.Values) link {
	return link{user: pulid.ID(q.Get("u")), kind: letters.Kind(q.Get("k")), token: q.Get("t")}
}

// show answers GET with the confirmation page, or why the link is not valid.
func (h *unsubscribe) show(w http.ResponseWriter, r *http.Request) {
	lang := pageLanguage(r.Header.Get("Accept-Language"))
	l := linkOf(r.URL.Query())
	ctx := viewer.NewContext(r.Context(), &viewer.Viewer{})
	if err := h.runner.CheckUnsubscribe(ctx, l.user, l.kind, l.token); err != nil {
		h.refuse(ctx, w, lang, err)
		return
	}
	h.page(w, http.StatusOK, lang, false, l)
}

// confirm answers POST: the kind is turned off, then a short page says so.
// The link's parameters come from the URL (RFC 8058: the POST goes to the
// List-Unsubscribe URI), else from the form.
func (h *unsubscribe) confirm(w http.ResponseWriter, r *http.Request) {
	lang := pageLanguage(r.Header.Get("Accept-Language"))
	r.Body = http.MaxBytesReader(w, r.Body, unsubscribeMaxBody)
	if err := r.ParseForm(); err != nil {
		plain(w, http.StatusBadRequest, pageText[lang].badRequest)
		return
	}
	l := linkOf(r.URL.Query())
	if l == (link{}) {
		l = linkOf(r.PostForm)
	}
	ctx := viewer.NewContext(r.Context(), &viewer.Viewer{})
	if err := h.runner.UnsubscribeByToken(ctx, l.user, l.kind, l.token); err != nil {
		h.refuse(ctx, w, lang, err)
		return
	}
	h.page(w, http.StatusOK, lang, true, l)
}

// refuse answers a link that does not verify: 404 for a wrong token or
// person, 400 for a kind that is unknown or cannot be turned off.
func (h *unsubscribe) refuse(ctx context.Context, w http.ResponseWriter, lang letters.Language, err error) {
	t := pageText[lang]
	switch ae := errmap.Classify(err); {
	case ae != nil && ae.Code == apierror.NotFound:
		plain(w, http.StatusNotFound, t.invalid)
	case ae != nil && ae.Code == apierror.BadUserInput:
		plain(w, http.StatusBadRequest, t.mandatory)
	default:
		h.log.ErrorContext(ctx, "unsubscribe", "request_id", apierror.RequestID(ctx), "error", err)
		plain(w, http.StatusInternalServerError, t.failed)
	}
}

// plain writes a short text answer.
func plain(w http.ResponseWriter, status int, msg string) {
	noStore(w)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}

// noStore keeps the answers, whose URL holds a token, out of caches and
// Referer headers, and the page out of frames.
func noStore(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
}

// page writes the confirmation page (done false: the question with its
// button; true: the answer). The form has no action: it posts to the
// page's own URL, the link itself, wherever a proxy mounts the server.
func (h *unsubscribe) page(w http.ResponseWriter, status int, lang letters.Language, done bool, l link) {
	t := pageText[lang]
	kind := strings.ReplaceAll(string(l.kind), "_", " ")
	data := unsubscribePageData{Lang: string(lang), Title: t.title, Done: done, Button: t.button}
	if done {
		data.Text = strings.ReplaceAll(t.done, "%s", kind)
	} else {
		data.Text = strings.ReplaceAll(t.ask, "%s", kind)
	}
	noStore(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := unsubscribePage.Execute(w, data); err != nil {
		h.log.Error("writing the unsubscribe page", "error", err)
	}
}

type unsubscribePageData struct {
	Lang, Title, Text, Button string
	Done                      bool
}

// unsubscribePage is self-contained: no script, no external style or font.
var unsubscribePage = template.Must(template.New("unsubscribe").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
button{font-size:1rem;padding:.5rem 1rem}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Text}}</p>
{{if not .Done}}<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">{{.Button}}</button></form>{{end}}
</body></html>
`))

// unsubscribeText is the wording of the pages and answers in one language;
// %s stands for the kind of notice.
type unsubscribeText struct {
	title, ask, button, done, invalid, mandatory, badRequest, failed string
}

var pageText = map[letters.Language]unsubscribeText{
	letters.English: {
		title:      "Unsubscribe",
		ask:        `Stop emailing you “%s” notices? You can turn them back on in your notice preferences.`,
		button:     "Unsubscribe",
		done:       `Done: you will get no more “%s” notices. You can turn them back on in your notice preferences.`,
		invalid:    "This unsubscribe link is not valid.",
		mandatory:  "This kind of message cannot be turned off.",
		badRequest: "The request could not be read.",
		failed:     "Something went wrong; please try again later.",
	},
	letters.Chinese: {
		title:      "退订",
		ask:        `不再通过邮件接收“%s”类通知？您可以在通知偏好设置中重新开启。`,
		button:     "退订",
		done:       `已退订：您将不再收到“%s”类通知。您可以在通知偏好设置中重新开启。`,
		invalid:    "此退订链接无效。",
		mandatory:  "此类消息无法关闭。",
		badRequest: "无法读取该请求。",
		failed:     "出错了，请稍后再试。",
	},
}

// pageLanguage picks the page's language from Accept-Language: the
// highest-weighted tag that is English or Chinese, English otherwise.
func pageLanguage(header string) letters.Language {
	type choice struct {
		lang letters.Language
		q    float64
	}
	var choices []choice
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if l, ok := letters.ParseLanguage(tag); ok && q > 0 {
			choices = append(choices, choice{l, q})
		}
	}
	slices.SortStableFunc(choices, func(a, b choice) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return 0
	})
	if len(choices) == 0 {
		return letters.English
	}
	return choices[0].lang
}
