package policy

import "fmt"

// The lifetime of an API token, in days, when it is given one (a token
// without one lives until it is revoked). The floor is a day because
// lifetimes are counted in days; the ceiling is two years: long enough for
// a tool renewed once a year (a yearly summit's check-in app) to overlap
// its renewal, short enough that a forgotten or leaked token dies on its
// own. The GraphQL API, the command line and the workflow step that stores
// the token all check this one limit.
const (
	MinTokenDays = 1
	MaxTokenDays = 730
)

// TokenLifetime checks a token's lifetime in days against the limits.
func TokenLifetime(days int) error {
	if days < MinTokenDays || days > MaxTokenDays {
		return fmt.Errorf("must be between %d and %d days", MinTokenDays, MaxTokenDays)
	}
	return nil
}
