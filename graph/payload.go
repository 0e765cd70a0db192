package graph

import (
	"context"
	"reflect"
	"strings"

	"github.com/usergroups/usergroups/graph/generated"
	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/errmap"
	"github.com/usergroups/usergroups/internal/workflow"
)

// userErrorCodes are the classes of refusal a mutation answers as data: the
// client can fix them by changing its input or waiting for another state.
// Every other error (not signed in, not allowed, rate limited, unexpected)
// stays a GraphQL error.
var userErrorCodes = map[apierror.Code]generated.UserErrorCode{
	apierror.BadUserInput: generated.UserErrorCodeBadUserInput,
	apierror.Conflict:     generated.UserErrorCodeConflict,
	apierror.NotFound:     generated.UserErrorCodeNotFound,
}

// refusal splits a step's error for a mutation payload: an expected refusal
// becomes userErrors (and the unit is told the failure was answered, so it
// rolls back without an error of its own); anything else is returned as the
// field's error. A nil err gives an empty, non-nil list.
func refusal(ctx context.Context, err error) ([]*generated.UserError, error) {
	if err == nil {
		return []*generated.UserError{}, nil
	}
	ae := errmap.Classify(err)
	if ae == nil {
		return nil, err
	}
	code, ok := userErrorCodes[ae.Code]
	if !ok {
		return nil, err
	}
	ue := &generated.UserError{Code: code, Message: ae.Message}
	if ae.Field != "" {
		ue.Field = []string{"input", ae.Field}
	}
	ext := ae.Extensions
	ue.SuggestedName = extString(ext, "suggestedName")
	ue.Reason = extString(ext, "reason")
	ue.Status = extString(ext, "status")
	ue.ResolvedBy, _ = ext["resolvedBy"].([]string)
	for _, k := range []string{"blockers", "unmet"} {
		if bs, ok := ext[k].([]string); ok {
			ue.Blockers = append(ue.Blockers, bs...)
		}
	}
	if next := extString(ext, "nextStep"); next != nil {
		// As HandoverStep names it.
		ue.Blockers = append(ue.Blockers, strings.ToUpper(*next))
	}
	workflow.Answered(ctx)
	return []*generated.UserError{ue}, nil
}

// payload finishes a mutation resolver: p carries the changed object(s),
// and its UserErrors field gets the refusal made of err. On a refusal the
// payload holds only the errors, never an object that was not saved. Every
// mutation payload has a UserErrors field (TestMutationPayloads).
func payload[P any](ctx context.Context, p *P, err error) (*P, error) {
	errs, err := refusal(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		p = new(P)
	}
	reflect.ValueOf(p).Elem().FieldByName("UserErrors").Set(reflect.ValueOf(errs))
	return p, nil
}

// extString is the string extension k, or nil.
func extString(ext map[string]any, k string) *string {
	if s, ok := ext[k].(string); ok && s != "" {
		return &s
	}
	return nil
}
