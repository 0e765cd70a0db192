package workflow

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"slices"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/schema/pulid"
	"github.com/usergroups/usergroups/ent/user"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/letters"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/viewer"
)

// noticeSecretBytes is the size of a person's unsubscribe key.
const noticeSecretBytes = 32

// UnsubscribePath is where the server answers one-click unsubscribe links.
const UnsubscribePath = "/unsubscribe"

// UnsubscribeToken signs "turn kind off for userID" with the person's
// secret: base64url(HMAC-SHA256(secret, "unsubscribe v1|" + userID + "|" +
// kind)). The version prefix lets a later format coexist with links
// already in mailboxes.
func UnsubscribeToken(secret []byte, userID pulid.ID, kind letters.Kind) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("unsubscribe v1|" + string(userID) + "|" + string(kind)))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// UnsubscribeURL is the one-click link of a notice of kind to userID, on
// the server's public address (--public-url).
func UnsubscribeURL(public string, userID pulid.ID, kind letters.Kind, token string) string {
	q := url.Values{"u": {string(userID)}, "k": {string(kind)}, "t": {token}}
	return trimSlash(public) + UnsubscribePath + "?" + q.Encode()
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// oneClick reports whether a notice of kind to a person gets a one-click
// link: a kind of the catalog the person may turn off.
func oneClick(kind letters.Kind) bool {
	return letters.Known(kind) && !policy.NoticeMandatory(kind)
}

// noticeSecret returns the person's unsubscribe key, making it in this
// step the first time a notice is emailed to them. The row is locked, so
// two deliveries to one person agree on one key.
func noticeSecret(ctx context.Context, r *Runner, userID pulid.ID) ([]byte, error) {
	// Most people have one already: a read, no write transaction.
	u, err := r.reader(ctx).User.Query().Where(user.ID(userID)).Select(user.FieldID, user.FieldNoticeSecret).
		Only(authz.Unfiltered(ctx))
	if err != nil {
		return nil, err
	}
	if len(u.NoticeSecret) == noticeSecretBytes {
		return u.NoticeSecret, nil
	}
	return run(ctx, r, "prepare notice email", func(ctx context.Context, c *ent.Client, _ time.Time) ([]byte, error) {
		q := c.User.Query().Where(user.ID(userID)).Select(user.FieldID, user.FieldNoticeSecret)
		q.Modify(forUpdate)
		u, err := q.Only(authz.Unfiltered(ctx))
		if err != nil {
			return nil, err
		}
		if len(u.NoticeSecret) == noticeSecretBytes {
			return u.NoticeSecret, nil
		}
		secret := make([]byte, noticeSecretBytes)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
		return secret, c.User.UpdateOneID(userID).SetNoticeSecret(secret).Exec(ctx)
	})
}

// errBadUnsubscribe is the one answer to a link that does not verify,
// whatever is wrong with it (unknown person, no key yet, wrong token): it
// tells a prober nothing.
func errBadUnsubscribe() error {
	return apierror.NotFoundf("this unsubscribe link is not valid")
}

// checkUnsubscribe verifies a link's token against the person's key in
// constant time. A kind that is not in the catalog or cannot be turned
// off is refused first (BAD_USER_INPUT on "k").
func checkUnsubscribe(ctx context.Context, c *ent.Client, userID pulid.ID, kind letters.Kind, token string, lock bool) (*ent.User, error) {
	switch {
	case !letters.Known(kind):
		return nil, apierror.Invalid("k", "is not a kind of message")
	case policy.NoticeMandatory(kind):
		return nil, apierror.Invalid("k", "%s cannot be turned off", kind)
	}
	q := c.User.Query().Where(user.ID(userID)).Select(user.FieldID, user.FieldNoticeSecret, user.FieldNoticesOff)
	if lock {
		q.Modify(forUpdate)
	}
	u, err := q.Only(authz.Unfiltered(ctx))
	if ent.IsNotFound(err) {
		return nil, errBadUnsubscribe()
	}
	if err != nil {
		return nil, err
	}
	want := UnsubscribeToken(u.NoticeSecret, u.ID, kind)
	if len(u.NoticeSecret) == 0 || !hmac.Equal([]byte(want), []byte(token)) {
		return nil, errBadUnsubscribe()
	}
	return u, nil
}

// CheckUnsubscribe tells whether an unsubscribe link is valid, changing
// nothing: the page a GET of the link shows (link scanners follow links).
// Its errors are those of UnsubscribeByToken.
func (r *Runner) CheckUnsubscribe(ctx context.Context, userID pulid.ID, kind letters.Kind, token string) error {
	_, err := checkUnsubscribe(ctx, r.reader(ctx), userID, kind, token, false)
	return err
}

// UnsubscribeByToken turns kind off for userID when token is the person's
// one-click token for it (RFC 8058): the token is the credential, so it
// runs as the system, for anyone holding the link. Turning off a kind
// already off changes nothing. A bad token or unknown person is NOT_FOUND,
// an unknown or mandatory kind BAD_USER_INPUT; neither changes anything.
func (r *Runner) UnsubscribeByToken(ctx context.Context, userID pulid.ID, kind letters.Kind, token string) error {
	ctx = viewer.SystemContext(ctx)
	_, err := run(ctx, r, "unsubscribe by token", func(ctx context.Context, c *ent.Client, _ time.Time) (struct{}, error) {
		u, err := checkUnsubscribe(ctx, c, userID, kind, token, true)
		if err != nil || slices.Contains(u.NoticesOff, kind) {
			return struct{}{}, err
		}
		// Kinds since made mandatory drop out rather than block the change.
		keep := slices.DeleteFunc(slices.Clone(u.NoticesOff), func(k letters.Kind) bool { return !oneClick(k) })
		off, err := policy.NoticesOff(append(keep, kind))
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, c.User.UpdateOneID(u.ID).SetNoticesOff(off).Exec(ctx)
	})
	return err
}
