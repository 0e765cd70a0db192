package workflow

import (
	"context"
	"strings"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/contribution"
	"github.com/usergroups/usergroups/ent/group"
	"github.com/usergroups/usergroups/ent/role"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/translationrequest"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/ref"
	"github.com/usergroups/usergroups/internal/viewer"
)

// Translation help: ambassadors or staff ask for a translation, a signed-in
// volunteer takes it and delivers a link, and the asker (or staff) marks it
// done, which credits the volunteer's TRANSLATION contribution.
// OPEN → TAKEN → DELIVERED → DONE; OPEN, TAKEN or DELIVERED → CANCELLED.

// TranslationAsk is a request for translation help.
type TranslationAsk struct {
	// CommunityID is the community asking (an id or its slug).
	CommunityID pulid.ID
	// GroupID is the group the content is for, if any, in that community.
	GroupID *pulid.ID
	// Title says what to translate.
	Title string
	// SourceURL links the content.
	SourceURL string
	// SourceLanguage is the content's BCP 47 tag.
	SourceLanguage string
	// TargetLanguages are the tags wanted.
	TargetLanguages []string
	// DueAt is when it is wanted by, if anything.
	DueAt *time.Time
}

// asksForTranslation: the community's staff and its ambassadors, whatever
// their scope.
func asksForTranslation(v *viewer.Viewer, community pulid.ID) bool {
	if v.IsStaff(community) {
		return true
	}
	for _, r := range v.Roles {
		if r.Kind == viewer.Ambassador && r.CommunityID == community {
			return true
		}
	}
	return false
}

// RequestTranslation opens a request for translation help (OPEN).
func (r *Runner) RequestTranslation(ctx context.Context, in TranslationAsk) (*ent.TranslationRequest, error) {
	return act(ctx, r, "request translation", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.TranslationRequest, error) {
		cid, err := ref.Community(ctx, c, "community", in.CommunityID)
		if err != nil {
			return nil, err
		}
		if !asksForTranslation(v, cid) {
			return nil, apierror.Forbiddenf("only the community's ambassadors and staff ask for translations")
		}
		title, err := checkText("title", in.Title, 200)
		if err != nil {
			return nil, err
		}
		if len([]rune(title)) < 3 {
			return nil, apierror.Invalid("title", "title must be at least 3 characters")
		}
		src := strings.TrimSpace(in.SourceURL)
		if err := policy.ValidateURL(src); err != nil {
			return nil, apierror.Invalid("sourceURL", "sourceURL %v", err)
		}
		lang, err := policy.LanguageTag("sourceLanguage", in.SourceLanguage)
		if err != nil {
			return nil, err
		}
		targets, err := policy.TargetLanguages("targetLanguages", lang, in.TargetLanguages)
		if err != nil {
			return nil, err
		}
		if in.DueAt != nil && !in.DueAt.After(now) {
			return nil, apierror.Invalid("dueAt", "dueAt must be in the future")
		}
		tc := c.TranslationRequest.Create().SetCommunityID(cid).SetRequestedByID(v.UserID).SetTitle(title).
			SetSourceURL(src).SetSourceLanguage(lang).SetTargetLanguages(targets).SetNillableDueAt(in.DueAt)
		if in.GroupID != nil {
			gid, err := ref.Group(ctx, c, "group", *in.GroupID)
			if err != nil {
				return nil, err
			}
			if ok, err := c.Group.Query().Where(group.ID(gid), group.CommunityID(cid)).Exist(authz.Unfiltered(ctx)); err != nil || !ok {
				return nil, orInvalid(err, "group", "the group belongs to another community")
			}
			tc.SetGroupID(gid)
		}
		t, err := tc.Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.TranslationRequest.Get(ctx, t.ID)
	})
}

// orInvalid is err, or when it is nil the BAD_USER_INPUT naming field.
func orInvalid(err error, field, msg string) error {
	if err != nil {
		return err
	}
	return apierror.Invalid(field, "%s", msg)
}

// lockTranslation reads a translation request and locks its row: two
// volunteers taking it at once take it one after the other.
func lockTranslation(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.TranslationRequest, error) {
	if id.Prefix() != "trq" {
		return nil, apierror.Invalid("id", "id must be a translation request's id")
	}
	q := c.TranslationRequest.Query().Where(translationrequest.ID(id))
	q.Modify(forUpdate)
	t, err := q.Only(authz.Unfiltered(ctx))
	return t, notFound(err, "translation request")
}

// mayManageTranslation: the asker and the community's staff.
func mayManageTranslation(v *viewer.Viewer, t *ent.TranslationRequest) bool {
	return t.RequestedByID == v.UserID || v.IsStaff(t.CommunityID)
}

// TakeTranslation makes the viewer the volunteer of an open request
// (→ TAKEN); the asker is told.
func (r *Runner) TakeTranslation(ctx context.Context, id pulid.ID) (*ent.TranslationRequest, error) {
	return act(ctx, r, "take translation", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.TranslationRequest, error) {
		t, err := lockTranslation(ctx, c, id)
		if err != nil {
			return nil, err
		}
		if t.RequestedByID == v.UserID {
			return nil, apierror.Forbiddenf("you asked for this translation; a volunteer takes it")
		}
		if t.Status != translationrequest.StatusOPEN {
			return nil, statusConflict(t.Status, "the request is not open (it is %s)", t.Status)
		}
		if err := c.TranslationRequest.UpdateOneID(id).SetStatus(translationrequest.StatusTAKEN).
			SetVolunteerID(v.UserID).SetTakenAt(now).Exec(ctx); err != nil {
			return nil, err
		}
		if err := tellTranslation(ctx, c, t, t.RequestedByID, letters.KindTranslationTaken, "", "taken:"+string(v.UserID)); err != nil {
			return nil, err
		}
		return c.TranslationRequest.Get(ctx, id)
	})
}

// DeliverTranslation records the volunteer's link to the translation
// (→ DELIVERED; a corrected link may replace it before it is done).
func (r *Runner) DeliverTranslation(ctx context.Context, id pulid.ID, link string) (*ent.TranslationRequest, error) {
	return act(ctx, r, "deliver translation", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.TranslationRequest, error) {
		t, err := lockTranslation(ctx, c, id)
		if err != nil {
			return nil, err
		}
		if t.VolunteerID == "" || t.VolunteerID != v.UserID {
			return nil, apierror.Forbiddenf("only the volunteer who took the request delivers it")
		}
		if t.Status != translationrequest.StatusTAKEN && t.Status != translationrequest.StatusDELIVERED {
			return nil, statusConflict(t.Status, "the request is %s", t.Status)
		}
		link = strings.TrimSpace(link)
		if err := policy.ValidateURL(link); err != nil {
			return nil, apierror.Invalid("url", "url %v", err)
		}
		if err := c.TranslationRequest.UpdateOneID(id).SetStatus(translationrequest.StatusDELIVERED).
			SetDeliveredURL(link).SetDeliveredAt(now).Exec(ctx); err != nil {
			return nil, err
		}
		if err := tellTranslation(ctx, c, t, t.RequestedByID, letters.KindTranslationDelivered, link,
			"delivered:"+now.UTC().Format(time.RFC3339Nano)); err != nil {
			return nil, err
		}
		return c.TranslationRequest.Get(ctx, id)
	})
}

// CompleteTranslation accepts a delivered translation (→ DONE), by the
// asker or staff. A volunteer who holds an active role in a group of the
// community is credited a verified TRANSLATION contribution for it, once,
// in the request's group if they belong to it, else in their first group
// there; the volunteer is told.
func (r *Runner) CompleteTranslation(ctx context.Context, id pulid.ID) (*ent.TranslationRequest, error) {
	return act(ctx, r, "complete translation", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, now time.Time) (*ent.TranslationRequest, error) {
		t, err := lockTranslation(ctx, c, id)
		if err != nil {
			return nil, err
		}
		if !mayManageTranslation(v, t) {
			return nil, apierror.Forbiddenf("only the asker and the community's staff mark a translation done")
		}
		if t.Status != translationrequest.StatusDELIVERED {
			return nil, statusConflict(t.Status, "only a delivered translation is marked done (it is %s)", t.Status)
		}
		if err := c.TranslationRequest.UpdateOneID(id).SetStatus(translationrequest.StatusDONE).SetDoneAt(now).Exec(ctx); err != nil {
			return nil, err
		}
		if err := creditTranslation(ctx, c, t, now); err != nil {
			return nil, err
		}
		if err := tellTranslation(ctx, c, t, t.VolunteerID, letters.KindTranslationDone, "", "done"); err != nil {
			return nil, err
		}
		return c.TranslationRequest.Get(ctx, id)
	})
}

// creditTranslation records the volunteer's TRANSLATION contribution
// (see CompleteTranslation), verified as it is recorded.
func creditTranslation(ctx context.Context, c *ent.Client, t *ent.TranslationRequest, now time.Time) error {
	all := authz.Unfiltered(ctx)
	roles, err := c.Role.Query().Where(role.UserID(t.VolunteerID), role.CommunityID(t.CommunityID), role.StatusEQ(role.StatusACTIVE),
		role.GroupIDNotNil()).Order(ent.Asc(role.FieldID)).All(all)
	if err != nil || len(roles) == 0 {
		return err
	}
	gid := roles[0].GroupID
	for _, ro := range roles {
		if t.GroupID != "" && ro.GroupID == t.GroupID {
			gid = ro.GroupID
		}
	}
	com, err := c.Community.Get(all, t.CommunityID)
	if err != nil {
		return err
	}
	// Automatic, as a check-in's: verified by the step, by nobody (the
	// ledger's rule: automatic exactly when no person verified it).
	cc := c.Contribution.Create().SetUserID(t.VolunteerID).SetGroupID(gid).
		SetTitle(truncate("Translated "+t.Title, policy.MaxContributionTitle)).SetURL(t.DeliveredURL).SetOccurredOn(now)
	return recordAutomatic(ctx, c, com, cc, contribution.KindTRANSLATION, "translation:"+string(t.ID), now)
}

// CancelTranslation withdraws a request not yet done (the asker or staff);
// a volunteer who took it is told.
func (r *Runner) CancelTranslation(ctx context.Context, id pulid.ID) (*ent.TranslationRequest, error) {
	return act(ctx, r, "cancel translation", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.TranslationRequest, error) {
		t, err := lockTranslation(ctx, c, id)
		if err != nil {
			return nil, err
		}
		if !mayManageTranslation(v, t) {
			return nil, apierror.Forbiddenf("only the asker and the community's staff cancel a translation request")
		}
		if t.Status == translationrequest.StatusDONE || t.Status == translationrequest.StatusCANCELLED {
			return nil, statusConflict(t.Status, "the request is already %s", strings.ToLower(string(t.Status)))
		}
		if err := c.TranslationRequest.UpdateOneID(id).SetStatus(translationrequest.StatusCANCELLED).Exec(ctx); err != nil {
			return nil, err
		}
		if t.VolunteerID != "" {
			if err := tellTranslation(ctx, c, t, t.VolunteerID, letters.KindTranslationCancelled, "", "cancelled"); err != nil {
				return nil, err
			}
		}
		return c.TranslationRequest.Get(ctx, id)
	})
}

// tellTranslation queues a letter about a translation request (link: the
// delivered translation, for translation_delivered).
func tellTranslation(ctx context.Context, c *ent.Client, t *ent.TranslationRequest, to pulid.ID, kind letters.Kind, link, key string) error {
	return queueMessage(ctx, c, t.CommunityID, to, kind, letters.Translation{Title: t.Title, Link: link}, string(t.ID)+":"+key)
}
