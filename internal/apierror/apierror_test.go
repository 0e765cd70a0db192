package apierror_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/usergroups/usergroups/internal/apierror"
)

func TestUnexpectedErrorIsGenericAndLogged(t *testing.T) {
	var buf bytes.Buffer
	present := apierror.Presenter(slog.New(slog.NewTextHandler(&buf, nil)), nil)
	ctx := apierror.WithRequestID(context.Background(), "req-123")
	got := present(ctx, errors.New(`pq: syntax error at or near "SELECT" in SELECT * FROM users`))
	if got.Extensions["code"] != "INTERNAL_SERVER_ERROR" || got.Message != "internal server error" {
		t.Errorf("got %q %v", got.Message, got.Extensions)
	}
	if got.Extensions["requestId"] != "req-123" {
		t.Errorf("requestId = %v", got.Extensions["requestId"])
	}
	if !strings.Contains(buf.String(), "req-123") || !strings.Contains(buf.String(), "syntax error") {
		t.Errorf("log lacks the request id or the cause: %s", buf.String())
	}
}

// TestPresenterShowsClassifiedErrors sends an Error found in the chain as it
// is (code, field, extensions), and logs the cause of one marked LogAs.
func TestPresenterShowsClassifiedErrors(t *testing.T) {
	var buf bytes.Buffer
	classify := func(err error) *apierror.Error {
		if ae := apierror.As(err); ae != nil {
			return ae
		}
		e := apierror.Unavailablef("try again shortly")
		e.LogAs = "database unreachable"
		return e
	}
	present := apierror.Presenter(slog.New(slog.NewTextHandler(&buf, nil)), classify)
	ctx := apierror.WithRequestID(context.Background(), "req-7")
	got := present(ctx, fmt.Errorf("creating group: %w", apierror.Invalid("name", "name: is empty")))
	if got.Message != "name: is empty" || got.Extensions["code"] != "BAD_USER_INPUT" || got.Extensions["field"] != "name" || got.Extensions["requestId"] != nil {
		t.Errorf("got %q %v", got.Message, got.Extensions)
	}
	got = present(ctx, apierror.TokenScopef("no writes"))
	if got.Extensions["code"] != "FORBIDDEN" || got.Extensions["reason"] != apierror.ReasonTokenScope {
		t.Errorf("got %q %v", got.Message, got.Extensions)
	}
	if buf.Len() != 0 {
		t.Errorf("client errors were logged: %s", buf.String())
	}
	got = present(ctx, errors.New("dial tcp 10.0.0.1:5432: connection refused"))
	if got.Message != "try again shortly" || got.Extensions["code"] != "UNAVAILABLE" || got.Extensions["requestId"] != "req-7" {
		t.Errorf("got %q %v", got.Message, got.Extensions)
	}
	if !strings.Contains(buf.String(), "database unreachable") || !strings.Contains(buf.String(), "10.0.0.1") {
		t.Errorf("log lacks the cause: %s", buf.String())
	}
}

// TestCursorExpiredCarriesTheOldestCursor: CURSOR_EXPIRED names the field
// and tells the client where the log can still resume.
func TestCursorExpiredCarriesTheOldestCursor(t *testing.T) {
	present := apierror.Presenter(slog.New(slog.DiscardHandler), nil)
	got := present(context.Background(), fmt.Errorf("subscribing: %w", apierror.CursorExpiredf("after", "Y2hnOjQy", "the cursor is too old")))
	if got.Message != "the cursor is too old" || got.Extensions["code"] != "CURSOR_EXPIRED" || got.Extensions["field"] != "after" ||
		got.Extensions["oldestCursor"] != "Y2hnOjQy" || got.Extensions["requestId"] != nil {
		t.Errorf("got %q %v", got.Message, got.Extensions)
	}
}
