package limits_test

import (
	"errors"
	"testing"

	"github.com/usergroups/usergroups/internal/apierror"
	"github.com/usergroups/usergroups/internal/limits"
)

// TestListSize: an absent size is the default; 1..Max is taken as asked;
// anything else is BAD_USER_INPUT naming the argument.
func TestListSize(t *testing.T) {
	l := limits.List{Arg: "first", Default: 5, Max: 50}
	for _, tt := range []struct {
		asked *int
		want  int
		bad   bool
	}{
		{nil, 5, false}, {new(1), 1, false}, {new(50), 50, false},
		{new(0), 0, true}, {new(-1), 0, true}, {new(51), 0, true},
	} {
		got, err := l.Size(tt.asked)
		var ae *apierror.Error
		switch {
		case tt.bad && (!errors.As(err, &ae) || ae.Code != apierror.BadUserInput || ae.Field != "first"):
			t.Errorf("Size(%d) = %d, %v: want BAD_USER_INPUT on first", *tt.asked, got, err)
		case !tt.bad && (err != nil || got != tt.want):
			t.Errorf("Size(%v) = %d, %v: want %d", tt.asked, got, err, tt.want)
		}
	}
}
