// Package apierror defines the errors the application returns to clients and
// the one presenter that turns any error into a GraphQL error carrying
// extensions.code. Internal errors reach clients only as a generic message
// and a request id; the detail goes to the log.
package apierror

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/ent/privacy"
	"github.com/usergroups/usergroups/internal/policy"
	"github.com/usergroups/usergroups/internal/store/dberr"
)

// Code is the machine-readable class of an error, sent as extensions.code.
type Code string

// The codes clients can rely on (DESIGN.md §5).
const (
	Unauthenticated Code = "UNAUTHENTICATED"
	Forbidden       Code = "FORBIDDEN"
	NotFound        Code = "NOT_FOUND"
	BadUserInput    Code = "BAD_USER_INPUT"
	Conflict        Code = "CONFLICT"
	RateLimited     Code = "RATE_LIMITED"
	Unavailable     Code = "UNAVAILABLE"
	Internal        Code = "INTERNAL_SERVER_ERROR"
)

// Error is an error meant for the client: a code, a message safe to show,
// and for bad input the field at fault.
type Error struct {
	Code    Code
	Message string
	// Field names the input field at fault (GraphQL name), for BAD_USER_INPUT.
	Field string
	// Extensions adds more machine-readable detail (e.g. a suggested value).
	Extensions map[string]any
}

func (e *Error) Error() string { return e.Message }

// Invalid reports bad input in field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: BadUserInput, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Conflictf reports a request that conflicts with the current state.
func Conflictf(format string, args ...any) *Error {
	return &Error{Code: Conflict, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf reports a missing (or invisible) object.
func NotFoundf(format string, args ...any) *Error {
	return &Error{Code: NotFound, Message: fmt.Sprintf(format, args...)}
}

// Unauthenticatedf reports an action that needs a signed-in viewer.
func Unauthenticatedf(format string, args ...any) *Error {
	return &Error{Code: Unauthenticated, Message: fmt.Sprintf(format, args...)}
}

// Forbiddenf reports an action the viewer may not take.
func Forbiddenf(format string, args ...any) *Error {
	return &Error{Code: Forbidden, Message: fmt.Sprintf(format, args...)}
}

// ReasonTokenScope is extensions.reason of a refusal that is about the
// credential, not the person: an API token without the write scope, or a
// step no API token may take (exporting attendees, managing tokens).
const ReasonTokenScope = "TOKEN_SCOPE"

// TokenScopef reports a step the request's API token may not take, though
// its owner signed in might: FORBIDDEN with extensions.reason TOKEN_SCOPE.
func TokenScopef(format string, args ...any) *Error {
	return &Error{Code: Forbidden, Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"reason": ReasonTokenScope}}
}

// Unavailablef reports a service this server cannot give right now.
func Unavailablef(format string, args ...any) *Error {
	return &Error{Code: Unavailable, Message: fmt.Sprintf(format, args...)}
}

type requestIDKey struct{}

// WithRequestID stores the request id used to correlate logs and responses.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id stored in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// Classify maps err to a client-safe Error, or nil if err is unexpected.
func Classify(err error) *Error {
	var (
		ae  *Error
		fe  *policy.FieldError
		ve  *ent.ValidationError
		nfe *ent.NotFoundError
	)
	switch {
	case errors.As(err, &ae):
		return ae
	case dberr.Unreachable(err):
		return Unavailablef("the service is temporarily unavailable; try again shortly")
	case errors.As(err, &ve):
		return Invalid(GraphQLName(ve.Name), "%s: %s", GraphQLName(ve.Name), reason(ve))
	case errors.As(err, &fe):
		return Invalid(GraphQLName(fe.Field), "%s: %s", GraphQLName(fe.Field), fe.Reason)
	case errors.Is(err, privacy.Deny):
		// Our deny rules word their reason for the client ("this
		// credential may not make changes"); the bare sentinel says nothing.
		if reason, ok := strings.CutSuffix(err.Error(), ": "+privacy.Deny.Error()); ok && !strings.Contains(reason, ": ") {
			return Forbiddenf("not allowed: %s", reason)
		}
		return Forbiddenf("you are not allowed to do this")
	case ent.IsConstraintError(err):
		return Conflictf("the change conflicts with existing data (a unique or referenced value)")
	case errors.As(err, &nfe):
		return NotFoundf("not found")
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

// Presenter returns the gqlgen error presenter: every error leaves with
// extensions.code; unexpected ones are logged and replaced by a generic message.
func Presenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		if ae := Classify(err); ae != nil {
			if ae.Code == Unavailable && dberr.Unreachable(err) {
				// The driver's words (host, port, user, database) are for
				// the operator, with the id the client was given.
				log.WarnContext(ctx, "database unreachable", "request_id", RequestID(ctx), "path", gqlErr.Path.String(), "error", err)
			}
			gqlErr.Message = ae.Message
			for k, v := range ae.Extensions {
				gqlErr.Extensions[k] = v
			}
			gqlErr.Extensions["code"] = string(ae.Code)
			if ae.Field != "" {
				gqlErr.Extensions["field"] = ae.Field
			}
			if ae.Code == Internal || ae.Code == Unavailable {
				gqlErr.Extensions["requestId"] = RequestID(ctx)
			}
			return gqlErr
		}
		if _, ok := gqlErr.Extensions["code"]; ok {
			// Parse and validation errors, already coded by gqlgen.
			return gqlErr
		}
		if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Args == nil && len(fc.Field.Arguments) > 0 {
			// The field's arguments failed to coerce (a malformed cursor,
			// say): gqlgen reports that before the resolver runs, leaving
			// Args unset. Its message is worded for the client already.
			gqlErr.Extensions["code"] = string(BadUserInput)
			return gqlErr
		}
		id := RequestID(ctx)
		log.ErrorContext(ctx, "internal error", "request_id", id, "path", gqlErr.Path.String(), "error", err)
		return &gqlerror.Error{
			Message: "internal server error",
			Path:    gqlErr.Path,
			Extensions: map[string]any{
				"code":      string(Internal),
				"requestId": id,
			},
		}
	}
}

// Recover turns a resolver panic into an internal error, logging the stack.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "request_id", RequestID(ctx), "panic", p, "stack", string(debug.Stack()))
		return &Error{Code: Internal, Message: "internal server error"}
	}
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
