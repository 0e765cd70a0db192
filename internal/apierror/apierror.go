// Package apierror defines the errors the application returns to clients and
// the one presenter that turns any error into a GraphQL error carrying
// extensions.code. Internal errors reach clients only as a generic message
// and a request id; the detail goes to the log. It depends on nothing of
// ours: errors of ent, privacy rules and the database are mapped to an
// *Error at the edge (internal/errmap) and handed to Presenter.
package apierror

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
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
	// CursorExpired refuses a change cursor older than the change log
	// keeps (--change-retention); extensions.oldestCursor is the oldest
	// one still resumable.
	CursorExpired Code = "CURSOR_EXPIRED"
)

// Error is an error meant for the client: a code, a message safe to show,
// and for bad input the field at fault.
type Error struct {
	Code    Code
	Message string
	// Field names the input field at fault (GraphQL name): for BAD_USER_INPUT,
	// and for a NOT_FOUND when one field named what was not found.
	Field string
	// Extensions adds more machine-readable detail (e.g. a suggested value).
	Extensions map[string]any
	// LogAs, when set, has the presenter log the original error at warn
	// level under this message: a failure whose cause (a driver's words)
	// is for the operators while the client is told only its class.
	LogAs string
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

// MissingScope reports that the request's API token lacks scope (a read
// area or a write scope) for what it asked: FORBIDDEN with
// extensions.reason TOKEN_SCOPE and extensions.missingScope naming it as
// the API spells it (EVENTS_WRITE), so a tool's owner knows which scope to
// add to its token.
func MissingScope(name, what string) *Error {
	return &Error{
		Code:       Forbidden,
		Message:    fmt.Sprintf("this API token lacks the %s scope, which %s needs", name, what),
		Extensions: map[string]any{"reason": ReasonTokenScope, "missingScope": name},
	}
}

// Unavailablef reports a service this server cannot give right now.
func Unavailablef(format string, args ...any) *Error {
	return &Error{Code: Unavailable, Message: fmt.Sprintf(format, args...)}
}

// CursorExpiredf refuses the change cursor given as field: the change log
// no longer holds what followed it. extensions.oldestCursor carries
// oldestCursor, the oldest cursor the log can still resume from.
func CursorExpiredf(field, oldestCursor, format string, args ...any) *Error {
	return &Error{Code: CursorExpired, Field: field, Message: fmt.Sprintf(format, args...),
		Extensions: map[string]any{"oldestCursor": oldestCursor}}
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

// As returns the *Error in err's chain, or nil. It knows only this
// package's errors: errors of the layers below (ent, privacy, the database)
// are classified at the edge by the Classifier given to Presenter.
func As(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}

// Classifier maps an error to a client-safe Error, or nil when the error is
// unexpected; the transport's (internal/errmap.Classify) also knows the
// errors of ent, privacy rules, policies and the database driver.
type Classifier func(error) *Error

// Presenter returns the gqlgen error presenter: every error leaves with
// extensions.code; those classify does not know (nil: only *Error) are
// logged and replaced by a generic message.
func Presenter(log *slog.Logger, classify Classifier) graphql.ErrorPresenterFunc {
	if classify == nil {
		classify = As
	}
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		if ae := classify(err); ae != nil {
			if ae.LogAs != "" {
				log.WarnContext(ctx, ae.LogAs, "request_id", RequestID(ctx), "path", gqlErr.Path.String(), "error", err)
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
