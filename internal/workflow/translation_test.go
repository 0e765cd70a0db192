package workflow_test

import (
	"testing"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/message"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/translationrequest"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/workflow"
)

// TestTranslationLifecycle: an ambassador asks, a member volunteers,
// delivers and the asker marks it done, which credits the volunteer's
// TRANSLATION contribution once; the refusals on the way change nothing.
func TestTranslationLifecycle(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	com := w.Community(policy.OpenEuler())
	g := w.Group(com, group.StatusACTIVE)
	amb := w.Person(role.KindAMBASSADOR, g)
	vol := w.Person(role.KindMEMBER, g)
	other := w.User()
	staff := w.Person(role.KindCOMMUNITY_MANAGER, com)
	due := w.Now().Add(14 * day)
	ask := workflow.TranslationAsk{CommunityID: com.ID, GroupID: &g.ID, Title: "Install guide", SourceURL: "https://docs.example.org/install",
		SourceLanguage: "en", TargetLanguages: []string{"zh-cn", "ja"}, DueAt: &due}

	_, err := w.Runner.RequestTranslation(w.As(vol.ID), ask)
	wantCode(t, err, apierror.Forbidden)
	for _, mutate := range []func(*workflow.TranslationAsk){
		func(a *workflow.TranslationAsk) { a.SourceURL = "ftp://x" },
		func(a *workflow.TranslationAsk) { a.SourceLanguage = "english" },
		func(a *workflow.TranslationAsk) { a.TargetLanguages = nil },
		func(a *workflow.TranslationAsk) { a.TargetLanguages = []string{"EN"} },
		func(a *workflow.TranslationAsk) { past := w.Now().Add(-day); a.DueAt = &past },
	} {
		bad := ask
		mutate(&bad)
		_, err := w.Runner.RequestTranslation(w.As(amb.ID), bad)
		wantCode(t, err, apierror.BadUserInput)
	}
	tr, err := w.Runner.RequestTranslation(w.As(amb.ID), ask)
	if err != nil || tr.Status != translationrequest.StatusOPEN || tr.TargetLanguages[0] != "zh-CN" {
		t.Fatalf("request: %+v %v", tr, err)
	}

	_, err = w.Runner.TakeTranslation(w.As(amb.ID), tr.ID)
	wantCode(t, err, apierror.Forbidden) // the asker
	_, err = w.Runner.DeliverTranslation(w.As(vol.ID), tr.ID, "https://x.example.org")
	wantCode(t, err, apierror.Forbidden) // not taken
	if tr, err = w.Runner.TakeTranslation(w.As(vol.ID), tr.ID); err != nil || tr.Status != translationrequest.StatusTAKEN || tr.VolunteerID != vol.ID {
		t.Fatalf("take: %+v %v", tr, err)
	}
	_, err = w.Runner.TakeTranslation(w.As(other.ID), tr.ID)
	wantCode(t, err, apierror.Conflict)
	_, err = w.Runner.CompleteTranslation(w.As(amb.ID), tr.ID)
	wantCode(t, err, apierror.Conflict) // not delivered
	_, err = w.Runner.DeliverTranslation(w.As(other.ID), tr.ID, "https://x.example.org")
	wantCode(t, err, apierror.Forbidden)
	_, err = w.Runner.DeliverTranslation(w.As(vol.ID), tr.ID, "not a link")
	wantCode(t, err, apierror.BadUserInput)
	if tr, err = w.Runner.DeliverTranslation(w.As(vol.ID), tr.ID, "https://docs.example.org/zh/install"); err != nil || tr.Status != translationrequest.StatusDELIVERED {
		t.Fatalf("deliver: %+v %v", tr, err)
	}
	_, err = w.Runner.CompleteTranslation(w.As(vol.ID), tr.ID)
	wantCode(t, err, apierror.Forbidden)
	if tr, err = w.Runner.CompleteTranslation(w.As(amb.ID), tr.ID); err != nil || tr.Status != translationrequest.StatusDONE || tr.DoneAt == nil {
		t.Fatalf("complete: %+v %v", tr, err)
	}
	_, err = w.Runner.CancelTranslation(w.As(staff.ID), tr.ID)
	wantCode(t, err, apierror.Conflict)
	cs := w.Client.Contribution.Query().Where(contribution.UserID(vol.ID), contribution.KindEQ(contribution.KindTRANSLATION)).AllX(w.System())
	if len(cs) != 1 || cs[0].Status != contribution.StatusVERIFIED || cs[0].GroupID != g.ID || !cs[0].Automatic {
		t.Errorf("contributions: %+v", cs)
	}
	for tmpl, to := range map[string]*ent.User{"translation_taken": amb, "translation_delivered": amb, "translation_done": vol} {
		if n := w.Client.Message.Query().Where(message.TemplateEQ(tmpl), message.RecipientID(to.ID)).CountX(w.System()); n != 1 {
			t.Errorf("%s: %d letters", tmpl, n)
		}
	}

	// A volunteer from outside the community's groups earns nothing; staff cancel.
	tr2, err := w.Runner.RequestTranslation(w.As(staff.ID), workflow.TranslationAsk{CommunityID: com.ID, Title: "Release notes",
		SourceURL: "https://docs.example.org/rn", SourceLanguage: "zh-CN", TargetLanguages: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Runner.TakeTranslation(w.As(other.ID), tr2.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.Runner.CancelTranslation(w.As(other.ID), tr2.ID)
	wantCode(t, err, apierror.Forbidden)
	if got, err := w.Runner.CancelTranslation(w.As(staff.ID), tr2.ID); err != nil || got.Status != translationrequest.StatusCANCELLED {
		t.Errorf("cancel: %+v %v", got, err)
	}
	if n := w.Client.Message.Query().Where(message.TemplateEQ("translation_cancelled"), message.RecipientID(other.ID)).CountX(w.System()); n != 1 {
		t.Errorf("%d cancel letters", n)
	}
}
