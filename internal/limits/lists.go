package limits

import "github.com/usergroups/usergroups/internal/apierror"

// List is how many items a client may ask of a plain list field (one
// without Relay paging): Default when the argument is absent, at most Max.
type List struct {
	// Arg names the argument the size is asked with.
	Arg          string
	Default, Max int
}

// The sizes of the plain list fields.
var (
	// UpcomingEvents is Group.upcomingEvents(first:).
	UpcomingEvents = List{Arg: "first", Default: 5, Max: 50}
	// Ambassadors is Query.ambassadors(limit:).
	Ambassadors = List{Arg: "limit", Default: 20, Max: 100}
)

// Size is the size asked, Default when nil, or BAD_USER_INPUT naming the
// argument when it is outside 1..Max.
func (l List) Size(asked *int) (int, error) {
	if asked == nil {
		return l.Default, nil
	}
	if *asked < 1 || *asked > l.Max {
		return 0, apierror.Invalid(l.Arg, "%s must be between 1 and %d", l.Arg, l.Max)
	}
	return *asked, nil
}
