package workflow

import (
	"context"
	"reflect"
	"slices"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/community"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// notifier queues a community's messages to the outbox, rendered at queue
// time from the community's templates (internal/letters) in each
// recipient's language, leaving out the people who turned the kind off.
// Load it once per step when a step sends many.
type notifier struct {
	com *ent.Community
}

// notices loads what rendering a community's messages needs.
func notices(ctx context.Context, c *ent.Client, communityID pulid.ID) (*notifier, error) {
	com, err := c.Community.Query().Where(community.ID(communityID)).
		Select(community.FieldID, community.FieldName, community.FieldMessageTemplates, community.FieldPolicy).Only(authz.Unfiltered(ctx))
	if err != nil {
		return nil, err
	}
	return &notifier{com: com}, nil
}

// queueMessage queues one message of kind to one person: nothing when they
// turned the kind off, else rendered in their language; dedupe keeps a
// retried step from queueing it twice.
func queueMessage(ctx context.Context, c *ent.Client, communityID, recipient pulid.ID, kind letters.Kind, data any, dedupe string) error {
	n, err := notices(ctx, c, communityID)
	if err != nil {
		return err
	}
	return n.send(ctx, c, kind, data, []pulid.ID{recipient}, dedupe, false)
}

// queueLetter queues one letter of kind to several people together (all
// leaders of a group see one letter): one message per language among them,
// without those who turned the kind off.
func queueLetter(ctx context.Context, c *ent.Client, communityID pulid.ID, kind letters.Kind, data any, to []pulid.ID, dedupe string) error {
	n, err := notices(ctx, c, communityID)
	if err != nil {
		return err
	}
	return n.send(ctx, c, kind, data, to, dedupe, true)
}

// queueToList queues a letter to a list address (the ambassadors' list), in
// the community's language.
func queueToList(ctx context.Context, c *ent.Client, communityID pulid.ID, address string, kind letters.Kind, data any, dedupe string) error {
	n, err := notices(ctx, c, communityID)
	if err != nil {
		return err
	}
	l, err := letters.Render(n.com.MessageTemplates, kind, n.language(), n.fill(data))
	if err != nil {
		return err
	}
	return c.Message.Create().SetCommunityID(communityID).SetToAddress(address).SetTemplate(string(kind)).
		SetSubject(l.Subject).SetBody(l.Body).SetDedupeKey(string(kind) + ":" + dedupe).Exec(ctx)
}

// fill returns data with its Community (every kind's data has one) set to
// the community's name when the caller left it empty.
func (n *notifier) fill(data any) any {
	v := reflect.New(reflect.TypeOf(data)).Elem()
	v.Set(reflect.ValueOf(data))
	if f := v.FieldByName("Community"); f.IsValid() && f.Kind() == reflect.String && f.String() == "" {
		f.SetString(n.com.Name)
	}
	return v.Interface()
}

// language is the community's message language, English by default.
func (n *notifier) language() letters.Language {
	return policy.MessageLanguage("", nil, n.com.Policy.MessageLanguage)
}

// notice is one message of a kind: its recipients (together on one
// letter, or each their own), its data and its dedupe key.
type notice struct {
	to       []pulid.ID
	together bool
	data     any
	dedupe   string
}

// send is queue with one notice.
func (n *notifier) send(ctx context.Context, c *ent.Client, kind letters.Kind, data any, to []pulid.ID, dedupe string, together bool) error {
	return n.queue(ctx, c, kind, notice{to: to, together: together, data: data, dedupe: dedupe})
}

// queue renders the notices of kind for the recipients who take it, in
// their languages, and writes them in two statements whatever their number
// (one read of the recipients, one insert). A letter to several people
// becomes one message per language among them.
func (n *notifier) queue(ctx context.Context, c *ent.Client, kind letters.Kind, ns ...notice) error {
	var ids []pulid.ID
	for _, x := range ns {
		ids = append(ids, x.to...)
	}
	if len(ids) == 0 {
		return nil
	}
	people, err := c.User.Query().Where(user.IDIn(ids...)).
		Select(user.FieldID, user.FieldLanguage, user.FieldLanguages, user.FieldNoticesOff).All(authz.Unfiltered(ctx))
	if err != nil {
		return err
	}
	byID := make(map[pulid.ID]*ent.User, len(people))
	for _, u := range people {
		byID[u.ID] = u
	}
	var creates []*ent.MessageCreate
	for _, x := range ns {
		byLang := map[letters.Language][]pulid.ID{}
		for _, id := range x.to { // in the caller's order
			u := byID[id]
			if u == nil || slices.Contains(u.NoticesOff, kind) && !policy.NoticeMandatory(kind) {
				continue
			}
			l := policy.MessageLanguage(u.Language, u.Languages, n.com.Policy.MessageLanguage)
			byLang[l] = append(byLang[l], u.ID)
		}
		key := string(kind) + ":" + x.dedupe
		for _, lang := range letters.Languages {
			to := byLang[lang]
			if len(to) == 0 {
				continue
			}
			l, err := letters.Render(n.com.MessageTemplates, kind, lang, n.fill(x.data))
			if err != nil {
				return err
			}
			m := c.Message.Create().SetCommunityID(n.com.ID).SetTemplate(string(kind)).SetSubject(l.Subject).SetBody(l.Body)
			switch {
			case !x.together: // one recipient: the caller's key, as before preferences existed
				m.SetRecipientID(to[0]).SetDedupeKey(key)
			case len(byLang) > 1:
				m.SetRecipientIds(to).SetDedupeKey(key + ":" + string(lang))
			default:
				m.SetRecipientIds(to).SetDedupeKey(key)
			}
			creates = append(creates, m)
		}
	}
	if len(creates) == 0 {
		return nil
	}
	return c.Message.CreateBulk(creates...).Exec(ctx)
}

// NoticePreferences is what a person chose about their messages: the
// language (empty: from their profile's languages, else the community's),
// and the kinds they turned off.
type NoticePreferences struct {
	Language *letters.Language
	Off      []letters.Kind
}

// NoticePreferencesUpdate changes a person's preferences: a nil Language
// keeps theirs, ResetLanguage clears it, and Off (when not nil) replaces the
// kinds turned off.
type NoticePreferencesUpdate struct {
	Language      *letters.Language
	ResetLanguage bool
	Off           []letters.Kind
}

// UpdateNoticePreferences changes the signed-in person's own notice
// preferences; a mandatory or unknown kind is refused (BAD_USER_INPUT).
func (r *Runner) UpdateNoticePreferences(ctx context.Context, in NoticePreferencesUpdate) (*ent.User, error) {
	return act(ctx, r, "update notice preferences", func(ctx context.Context, c *ent.Client, v *viewer.Viewer, _ time.Time) (*ent.User, error) {
		upd := c.User.UpdateOneID(v.UserID)
		switch {
		case in.ResetLanguage && in.Language != nil:
			return nil, apierror.Invalid("language", "give a language or reset it, not both")
		case in.ResetLanguage:
			upd.ClearLanguage()
		case in.Language != nil:
			if !slices.Contains(letters.Languages, *in.Language) {
				return nil, apierror.Invalid("language", "is not a language messages are written in")
			}
			upd.SetLanguage(*in.Language)
		}
		if in.Off != nil {
			off, err := policy.NoticesOff(in.Off)
			if err != nil {
				return nil, err
			}
			upd.SetNoticesOff(off)
		}
		return upd.Save(ctx)
	})
}

// NoticePreferencesOf returns u's preferences to u and to the staff of a
// community u takes part in (as for their other private details); nil to
// anyone else.
func NoticePreferencesOf(ctx context.Context, c *ent.Client, u *ent.User) (*NoticePreferences, error) {
	v := viewer.FromContext(ctx)
	if v.UserID != u.ID {
		if len(v.StaffCommunities()) == 0 {
			return nil, nil
		}
		ok, err := c.User.Query().Where(user.ID(u.ID), authz.PersonalVisible(v)).Exist(ctx)
		if err != nil || !ok {
			return nil, err
		}
	}
	return PreferencesOf(u), nil
}

// PreferencesOf reads u's preferences from the row, without a permission
// check (NoticePreferencesOf has one); nil for a nil row.
func PreferencesOf(u *ent.User) *NoticePreferences {
	if u == nil {
		return nil
	}
	p := &NoticePreferences{Off: u.NoticesOff}
	if u.Language != "" {
		l := u.Language
		p.Language = &l
	}
	if p.Off == nil {
		p.Off = []letters.Kind{}
	}
	return p
}

// Mandatory lists the kinds of message nobody can turn off.
func (NoticePreferences) Mandatory() []letters.Kind {
	var out []letters.Kind
	for _, k := range letters.Kinds() {
		if policy.NoticeMandatory(k) {
			out = append(out, k)
		}
	}
	return out
}
