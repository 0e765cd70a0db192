// Package errmap maps the errors of the layers below the API (ent's
// validation, constraint and not-found errors, privacy denials, policy
// field errors, a database that cannot be reached) to the client-safe
// *apierror.Error the presenter shows. It is the one package that knows
// both sides, so that apierror depends on nothing of ours; the transport's
// presenter and the scheduler's failure reasons both classify with it.
package errmap

import (
	"errors"
	"strings"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/privacy"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store/dberr"
)

// unreachableLog is what the presenter logs, with the driver's words, when
// the database could not be reached.
const unreachableLog = "database unreachable"

// changeCursorType is the Go type of a change cursor's text inside the
// Cursor scalar (graph/scalar.ChangePosition), as %T prints it.
const changeCursorType = "scalar.ChangePosition"

// Classify maps err to a client-safe Error, or nil if err is unexpected
// (an internal error: the presenter logs it and shows a generic message).
func Classify(err error) *apierror.Error {
	var (
		ae  *apierror.Error
		fe  *policy.FieldError
		ve  *ent.ValidationError
		nfe *ent.NotFoundError
	)
	switch {
	case errors.As(err, &ae):
		if ae.Code == apierror.Unavailable && ae.LogAs == "" && dberr.Unreachable(err) {
			// The driver's words (host, port, user, database) are for
			// the operator, with the id the client was given.
			cp := *ae
			cp.LogAs = unreachableLog
			return &cp
		}
		return ae
	case dberr.Unreachable(err):
		e := apierror.Unavailablef("the service is temporarily unavailable; try again shortly")
		e.LogAs = unreachableLog
		return e
	case err != nil && strings.Contains(err.Error(), changeCursorType+" is not a slice"):
		// entgql's words for a change cursor given to a connection, which
		// the Cursor scalar could not tell from a connection cursor.
		return apierror.Invalid("after", "a change cursor is not a cursor of this connection: pass it to a subscription's after")
	case errors.As(err, &ve):
		return apierror.Invalid(GraphQLName(ve.Name), "%s: %s", GraphQLName(ve.Name), reason(ve))
	case errors.As(err, &fe):
		return apierror.Invalid(GraphQLName(fe.Field), "%s: %s", GraphQLName(fe.Field), fe.Reason)
	case errors.Is(err, privacy.Deny):
		// Our deny rules word their reason for the client ("this
		// credential may not make changes"); the bare sentinel says nothing.
		if reason, ok := strings.CutSuffix(err.Error(), ": "+privacy.Deny.Error()); ok && !strings.Contains(reason, ": ") {
			return apierror.Forbiddenf("not allowed: %s", reason)
		}
		return apierror.Forbiddenf("you are not allowed to do this")
	case ent.IsConstraintError(err):
		return apierror.Conflictf("the change conflicts with existing data (a unique or referenced value)")
	case errors.As(err, &nfe):
		return apierror.NotFoundf("not found")
	}
	return nil
}

// reason strips ent's `ent: validator failed for field "X": ` prefix.
func reason(ve *ent.ValidationError) string {
	// ValidationError wraps "ent: validator failed for field …: %w"
	// around the validator's own message; show only the latter.
	if u := errors.Unwrap(ve); u != nil {
		if inner := errors.Unwrap(u); inner != nil {
			return inner.Error()
		}
		return u.Error()
	}
	return "is invalid"
}

// GraphQLName converts an ent field name ("website_url") to its GraphQL
// spelling ("websiteURL"), following entgql's acronym rules.
func GraphQLName(name string) string {
	parts := strings.Split(name, "_")
	for i, p := range parts {
		if i == 0 && !acronyms[strings.ToUpper(p)] {
			continue
		}
		if up := strings.ToUpper(p); acronyms[up] {
			if i == 0 {
				parts[i] = strings.ToLower(p)
			} else {
				parts[i] = up
			}
			continue
		}
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "")
}

var acronyms = map[string]bool{"ID": true, "URL": true, "API": true, "IP": true, "JSON": true, "HTTP": true, "UUID": true, "URI": true}
