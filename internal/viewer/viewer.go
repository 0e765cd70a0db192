// Package viewer says who is making a request: anonymous, a person (signed
// in with OIDC or through one of their API tokens), or the system itself
// (seeding, background jobs). It carries the person's active roles, loaded
// once per request, so every permission decision is a lookup, not a query.
package viewer

import (
	"context"
	"slices"
	"sync/atomic"
	"time"

	"github.com/usergroups/usergroups/ent/schema/pulid"
)

// Role kinds, as stored in Role.kind.
const (
	Member           = "MEMBER"
	Organizer        = "ORGANIZER"
	Ambassador       = "AMBASSADOR"
	CommunityManager = "COMMUNITY_MANAGER"
	Admin            = "ADMIN"
)

// Token scopes an API token may carry (see scopes.go for the areas and
// processes): read and write are the two broad ones every token had before
// scopes were fine-grained, kept for the tokens already issued.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// Role is one active role of the viewer.
type Role struct {
	Kind        string
	CommunityID pulid.ID
	RegionID    pulid.ID
	GroupID     pulid.ID
}

// Token describes the API token a request was authenticated with.
type Token struct {
	ID     pulid.ID
	Scopes []string
}

// ServiceAccount is the service account a token belongs to: a tool's own
// identity in a community (or one of its groups), with no person's roles.
type ServiceAccount struct {
	ID          pulid.ID
	CommunityID pulid.ID
	// GroupID is the one group the account reaches; empty for the community.
	GroupID pulid.ID
}

// Viewer is who is asking. The zero value is anonymous.
type Viewer struct {
	// UserID is the person; empty when anonymous or system.
	UserID pulid.ID
	// Token is set when the person authenticated with an API token.
	Token *Token
	// ServiceAccount is set when the token belongs to a service account;
	// UserID is then the account's own user (the actor of its changes).
	ServiceAccount *ServiceAccount
	// Roles are the person's ACTIVE roles.
	Roles []Role
	// Expires is when the credential the viewer was authenticated with
	// stops being valid (an API token's expiry, an OIDC token's exp); zero
	// when it does not expire. A long-lived connection is ended then.
	Expires time.Time
	system  bool
}

// System returns the viewer for background jobs, seeding and the command
// line: privacy rules let it see and write everything.
func System() *Viewer { return &Viewer{system: true} }

type ctxKey struct{}

// NewContext returns ctx carrying v.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, ctxKey{}, v)
}

// SystemContext returns ctx acting as the system; use it only for seeding,
// migrations, the command line and background jobs, never for a request.
func SystemContext(ctx context.Context) context.Context { return NewContext(ctx, System()) }

// Live is a viewer that changes while a long-lived connection (a
// websocket) runs: its roles are reloaded when they change, so everything
// done for the connection is decided with the person as they are now, not
// as they were when it opened. Viewers it holds are never modified; Store
// replaces one.
type Live struct{ cur atomic.Pointer[Viewer] }

// NewLive returns a Live holding v.
func NewLive(v *Viewer) *Live {
	l := &Live{}
	l.cur.Store(v)
	return l
}

// Load returns the viewer as it is now.
func (l *Live) Load() *Viewer { return l.cur.Load() }

// Store makes v the viewer from now on.
func (l *Live) Store(v *Viewer) { l.cur.Store(v) }

// NewLiveContext returns ctx whose viewer is whatever l holds each time it
// is asked for.
func NewLiveContext(ctx context.Context, l *Live) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// FromContext returns the viewer in ctx (for a live one, as it is now), or
// the anonymous viewer.
func FromContext(ctx context.Context) *Viewer {
	switch v := ctx.Value(ctxKey{}).(type) {
	case *Viewer:
		if v != nil {
			return v
		}
	case *Live:
		if v != nil {
			if cur := v.Load(); cur != nil {
				return cur
			}
		}
	}
	return &Viewer{}
}

// IsSystem reports whether v is the system.
func (v *Viewer) IsSystem() bool { return v.system }

// IsAnonymous reports whether nobody is signed in.
func (v *Viewer) IsAnonymous() bool { return !v.system && v.UserID == "" }

// IsUser reports whether v is a signed-in person (by OIDC or API token).
func (v *Viewer) IsUser() bool { return v.UserID != "" }

// ViaToken reports whether the request came with an API token; such
// requests never read registrations or reports, whoever owns the token.
func (v *Viewer) ViaToken() bool { return v.Token != nil }

// HasScope reports whether the request may act with scope (a read area
// or a write scope of scopes.go). Signed-in people (OIDC) and the system
// hold every scope; token requests hold the token's scopes and what they
// imply (ImpliedBy); anonymous requests hold none.
func (v *Viewer) HasScope(scope string) bool {
	if v.system {
		return true
	}
	if v.UserID == "" {
		return false
	}
	if v.Token == nil {
		return true
	}
	return v.Token.Grants(scope)
}

// CanWrite reports whether the request may take steps at all: as HasScope,
// for any write scope (which steps a scope covers, policy.MutationScope
// says).
func (v *Viewer) CanWrite() bool {
	if v.Token == nil || v.system {
		return v.HasScope(ScopeWrite)
	}
	return v.UserID != "" && slices.ContainsFunc(v.Token.Scopes, IsWriteScope)
}

// CanRead reports whether the request may read area. Only an API token
// narrows what is read by area; everyone else reads what their roles allow
// (anonymous requests included), as the privacy rules decide.
func (v *Viewer) CanRead(area string) bool {
	return v.Token == nil || v.system || v.Token.Grants(area)
}

// Grants reports whether the token's scopes hold scope, directly or by
// implication (read holds every area, write every scope, a process's write
// scope its own area).
func (t *Token) Grants(scope string) bool {
	for _, s := range t.Scopes {
		if s == scope || slices.Contains(ImpliedBy(s), scope) {
			return true
		}
	}
	return false
}

// IsAdmin reports whether v holds the global ADMIN role (the system counts).
func (v *Viewer) IsAdmin() bool {
	if v.system {
		return true
	}
	for _, r := range v.Roles {
		if r.Kind == Admin {
			return true
		}
	}
	return false
}

// IsStaff reports whether v manages community (community manager or admin).
func (v *Viewer) IsStaff(community pulid.ID) bool {
	if v.IsAdmin() {
		return true
	}
	for _, r := range v.Roles {
		if r.Kind == CommunityManager && r.CommunityID == community {
			return true
		}
	}
	return false
}

// StaffCommunities lists the communities v manages.
func (v *Viewer) StaffCommunities() []pulid.ID {
	return v.collect(func(r Role) pulid.ID {
		if r.Kind == CommunityManager {
			return r.CommunityID
		}
		return ""
	})
}

// OrganizerGroups lists the groups v organizes.
func (v *Viewer) OrganizerGroups() []pulid.ID {
	return v.collect(func(r Role) pulid.ID {
		if r.Kind == Organizer {
			return r.GroupID
		}
		return ""
	})
}

// MemberGroups lists the groups v belongs to in any role (member,
// organizer, group ambassador).
func (v *Viewer) MemberGroups() []pulid.ID {
	return v.collect(func(r Role) pulid.ID { return r.GroupID })
}

// AmbassadorGroups lists the groups v is an ambassador of (openEuler style).
func (v *Viewer) AmbassadorGroups() []pulid.ID {
	return v.collect(func(r Role) pulid.ID {
		if r.Kind == Ambassador {
			return r.GroupID
		}
		return ""
	})
}

// AmbassadorRegions lists the regions v is an ambassador of (OpenStack style).
func (v *Viewer) AmbassadorRegions() []pulid.ID {
	return v.collect(func(r Role) pulid.ID {
		if r.Kind == Ambassador && r.GroupID == "" {
			return r.RegionID
		}
		return ""
	})
}

// AmbassadorCommunities lists communities where v is an ambassador for the
// whole community (no region or group).
func (v *Viewer) AmbassadorCommunities() []pulid.ID {
	return v.collect(func(r Role) pulid.ID {
		if r.Kind == Ambassador && r.GroupID == "" && r.RegionID == "" {
			return r.CommunityID
		}
		return ""
	})
}

// HasGroupRole reports whether v holds one of kinds in group.
func (v *Viewer) HasGroupRole(group pulid.ID, kinds ...string) bool {
	if group == "" {
		return false
	}
	for _, r := range v.Roles {
		if r.GroupID == group && (len(kinds) == 0 || slices.Contains(kinds, r.Kind)) {
			return true
		}
	}
	return false
}

func (v *Viewer) collect(pick func(Role) pulid.ID) []pulid.ID {
	var out []pulid.ID
	for _, r := range v.Roles {
		if id := pick(r); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
