package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/policy"
)

const updatePrefsQ = `mutation($in: UpdateNoticePreferencesInput!) { updateNoticePreferences(input: $in) {
	user { handle } noticePreferences { language off mandatory } userErrors { code message field } } }`

// TestNoticePreferencesEndToEnd: a person chooses a language and the kinds
// they do not want; a mandatory kind is refused as data and nothing
// changes; the person and their community's staff read the preferences,
// nobody else; a template saved under the deprecated ZH is ZH_CN.
func TestNoticePreferencesEndToEnd(t *testing.T) {
	t.Parallel()
	w := newQueueWorld(t, dbtest.Open(t), policy.OpenStack())
	d := w.ok(t, w.amb, updatePrefsQ, map[string]any{"in": map[string]any{"language": "ZH_CN", "off": []string{"WAITLIST_PROMOTED"}}})
	if p := dig(d, "updateNoticePreferences", "noticePreferences"); dig(p, "language") != "ZH_CN" || fmt.Sprint(dig(p, "off")) != "[WAITLIST_PROMOTED]" ||
		!strings.Contains(fmt.Sprint(dig(p, "mandatory")), "REPORT_REPLIED") || dig(d, "updateNoticePreferences", "user", "handle") != "amb" {
		t.Fatalf("preferences = %v", d)
	}
	r := w.do(t, w.amb, updatePrefsQ, map[string]any{"in": map[string]any{"off": []string{"EVENT_CANCELLED", "REPORT_REPLIED"}}})
	if ue := userError(r, "updateNoticePreferences"); len(r.Errors) > 0 || ue == nil || ue["code"] != "BAD_USER_INPUT" ||
		fmt.Sprint(ue["field"]) != "[input off]" || !strings.Contains(fmt.Sprint(ue["message"]), "report_replied") {
		t.Errorf("a mandatory kind turned off: %+v %+v", r.Data, r.Errors)
	}
	const readQ = `query($id: ID!) { node(id: $id) { ... on User { noticePreferences { language off } } } }`
	id := map[string]any{"id": strings.TrimPrefix(w.amb, "Session ")}
	for who, sees := range map[string]bool{w.amb: true, w.manager: true, w.other: false} {
		p := dig(w.ok(t, who, readQ, id), "node", "noticePreferences")
		if (p != nil) != sees || sees && fmt.Sprint(dig(p, "off")) != "[WAITLIST_PROMOTED]" {
			t.Errorf("%s reads %v", who, p)
		}
	}
	const setQ = `mutation($in: SetMessageTemplateInput!) { setMessageTemplate(input: $in) { template { kind language custom } userErrors { code field } } }`
	d = w.ok(t, w.manager, setQ, map[string]any{"in": map[string]any{"id": string(w.com.ID), "kind": "WAITLIST_PROMOTED", "language": "ZH",
		"subject": "席位：{{.Event}}", "body": "{{datetime .StartsAt}}"}})
	if tpl := dig(d, "setMessageTemplate", "template"); dig(tpl, "language") != "ZH_CN" || dig(tpl, "custom") != true {
		t.Errorf("saved as ZH: %v", d)
	}
}
