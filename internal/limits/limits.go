// Package limits bounds what one GraphQL request may cost the server, as a
// gqlgen handler extension: the size of the document, its depth, aliases,
// root fields, an estimate of the objects it can return (its cost), and the
// time it may run. Every refusal is a *gqlerror.Error with extensions.code,
// made before any resolver runs; the computed cost is reported to clients in
// every response's extensions.cost so that tool authors can budget.
//
// The page-size rules live here too (PagedCache gives every connection
// without first/last a page of DefaultPageSize; CheckPageSizes refuses
// pages over the maximum as BAD_USER_INPUT), since the cost estimate
// assumes them.
//
// Install it with handler.Server.Use after any extension that rewrites the
// query (automatic persisted queries) and before any extension that starts
// database work (transactions); see Extension.
package limits

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The extensions.code values of refused requests. Clients can rely on them.
const (
	// CodeQueryTooLarge: the document has more than MaxTokens tokens.
	CodeQueryTooLarge = "QUERY_TOO_LARGE"
	// CodeQueryTooDeep: fields nest deeper than MaxDepth (or anything nests
	// deeper than the hard cap of 100 levels).
	CodeQueryTooDeep = "QUERY_TOO_DEEP"
	// CodeTooManyAliases: more than MaxAliases aliased fields.
	CodeTooManyAliases = "TOO_MANY_ALIASES"
	// CodeTooManyRootFields: more than MaxRootFields fields at the top level.
	CodeTooManyRootFields = "TOO_MANY_ROOT_FIELDS"
	// CodeQueryTooComplex: the cost is over MaxCost, or the document is too
	// big (MaxSelections) or too repetitive (MaxRepeats) to validate
	// cheaply.
	CodeQueryTooComplex = "QUERY_TOO_COMPLEX"
	// CodeCyclicFragments: fragments spread each other in a cycle.
	CodeCyclicFragments = "CYCLIC_FRAGMENTS"
	// CodeTimeout: the operation ran out of time (see TimeoutError).
	CodeTimeout = "TIMEOUT"
	// CodeParseFailed is gqlgen's code for a malformed document, used
	// unchanged because this package parses the document first.
	CodeParseFailed = "GRAPHQL_PARSE_FAILED"
	// CodeInternal: the extension is installed so that it could not check
	// the query it was given (see Extension); a server bug.
	CodeInternal = "INTERNAL_SERVER_ERROR"
)

// Config is what one request may cost. Every field must be positive; start
// from Default.
type Config struct {
	// MaxDepth is how deeply fields may nest: `{ viewer { name } }` is 2
	// deep. Fragments count as expanded; fragments and inline fragments add
	// no level of their own; so that introspection tools work, __Type.ofType
	// adds none either inside __schema and __type. At most 100.
	MaxDepth int
	// MaxAliases is how many aliased fields an operation may have, counted
	// as expanded (a fragment spread twice counts its aliases twice).
	MaxAliases int
	// MaxRootFields is how many fields the top level of an operation may
	// select, counted as expanded.
	MaxRootFields int
	// MaxCost is the highest cost accepted. The cost counts one for every
	// field in the response, a list's children once per item it may
	// return: its first/last argument, else DefaultPageSize (see Cost).
	MaxCost int
	// DefaultPageSize is how many items a list is assumed to return when
	// the query does not say (no first/last): the page size the server
	// applies to connections without one.
	DefaultPageSize int
	// MaxTokens is how many lexical tokens a document may have; bigger
	// documents are refused while parsing, before any other work.
	MaxTokens int
	// MaxSelections bounds the work of checking a document: fields,
	// inline fragments and fragment spreads, counted with fragments
	// expanded, over every definition of the document.
	MaxSelections int
	// MaxRepeats bounds how often the same field may be written into one
	// object of the response, measured as gqlparser's validator sees it:
	// the number of pairs of same-named fields (and of fragment spreads)
	// it must compare, over the whole document. That comparison is
	// quadratic, so without this bound a document of a few thousand
	// identical fields takes seconds of CPU to validate.
	MaxRepeats int
	// Timeout is how long a query or mutation may run; its context is
	// cancelled after that. Subscriptions are exempt.
	Timeout time.Duration
}

// Default returns the limits this server ships with.
//
// Depth 12 fits Relay-style queries three connections deep
// (connection → edges → node takes three levels each) with room to spare;
// the full introspection query is 6 deep as counted here. Aliases 30 and
// root fields 10 are far above what a screen needs and far below what
// batching attacks use (hundreds of aliased copies of one field, such as
// login attempts, in one request; see OWASP's GraphQL cheat sheet). Cost
// 10,000 admits a full page of 100 items with ~100 fields each, or 20
// groups × 20 members × ~20 fields; beyond that a client should paginate.
// GitHub (500,000 nodes, pages of 1-100) and Shopify (1,000 points per
// query, scalars free) bound the same thing in other units. The page size
// of 20 is the server's own default for connections, so the estimate
// matches what runs. 15,000 tokens is graphql-java's default parser limit,
// far above any real query. 5,000 selections and 20,000 repeated pairs
// keep gqlparser's validator to some tens of milliseconds in the worst
// case (BenchmarkWorstAccepted) while the full introspection query makes
// about 200 selections and no repeats. Ten seconds is longer than any
// legitimate request should take and short enough that a stuck one soon
// gives its database connection back.
func Default() Config {
	return Config{
		MaxDepth:        12,
		MaxAliases:      30,
		MaxRootFields:   10,
		MaxCost:         10000,
		DefaultPageSize: DefaultPageSize,
		MaxTokens:       15000,
		MaxSelections:   5000,
		MaxRepeats:      20000,
		Timeout:         10 * time.Second,
	}
}

func (c Config) validate() error {
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"MaxDepth", int64(c.MaxDepth)},
		{"MaxAliases", int64(c.MaxAliases)},
		{"MaxRootFields", int64(c.MaxRootFields)},
		{"MaxCost", int64(c.MaxCost)},
		{"DefaultPageSize", int64(c.DefaultPageSize)},
		{"MaxTokens", int64(c.MaxTokens)},
		{"MaxSelections", int64(c.MaxSelections)},
		{"MaxRepeats", int64(c.MaxRepeats)},
		{"Timeout", int64(c.Timeout)},
	} {
		if f.v <= 0 {
			return fmt.Errorf("limits: %s must be positive", f.name)
		}
	}
	if c.MaxDepth > hardNesting {
		return fmt.Errorf("limits: MaxDepth must be at most %d", hardNesting)
	}
	return nil
}

// Extension enforces a Config. It implements four gqlgen hooks:
//
//   - before parsing (OperationParameterMutator), it parses the raw query
//     itself, with the token limit, and refuses fragment cycles, deep or
//     repetitive documents and the depth, alias and root-field limits, all
//     before gqlgen's validator, which is where hostile documents crash
//     (fragment cycles) or burn CPU (repeated fields);
//   - after validation (OperationContextMutator), it computes the cost with
//     the schema and variables and refuses it over MaxCost;
//   - around the operation (OperationInterceptor), it sets the deadline;
//   - around each response (ResponseInterceptor), it adds extensions.cost.
//
// Order matters, since gqlgen runs extensions in the order of Use:
// install it after extension.AutomaticPersistedQuery (which fills in the
// query it must check; if the query changes after the check, the request
// is refused with CodeInternal rather than run unchecked) and before
// the mutation units (internal/server) or anything else that starts work under the
// operation's context (which must carry the deadline).
type Extension struct {
	cfg Config
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = (*Extension)(nil)

// New returns an extension enforcing cfg; Use rejects (panics on) an
// invalid cfg.
func New(cfg Config) *Extension {
	return &Extension{cfg: cfg}
}

// ExtensionName names the extension in gqlgen's stats.
func (e *Extension) ExtensionName() string { return statsKey }

// Validate checks the configuration when the extension is installed.
func (e *Extension) Validate(graphql.ExecutableSchema) error {
	return e.cfg.validate()
}

// statsKey is where the extension keeps, in the operation's stats, what it
// learned about the request between hooks.
const statsKey = "Limits"

type opStats struct {
	// query is the document the guard checked: the later hooks make sure
	// it is the one gqlgen parsed.
	query string
	cost  *Cost
}

// Cost is the cost of an operation as reported in the response's
// extensions.cost.
type Cost struct {
	// RequestedQueryCost is the operation's cost computed from the query
	// before it ran: an upper bound of the number of fields in the
	// response.
	RequestedQueryCost int64 `json:"requestedQueryCost"`
	// Maximum is MaxCost: the highest cost accepted.
	Maximum int64 `json:"maximum"`
}

// MutateOperationParameters checks the raw document before gqlgen parses
// and validates it.
func (e *Extension) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if oc := operationOf(ctx); oc != nil {
		oc.Stats.SetExtension(statsKey, &opStats{query: params.Query})
	}
	if params.Query == "" {
		// Nothing to check: gqlgen refuses it (or the persisted-query
		// extension, installed first, has already filled it in).
		return nil
	}
	return e.cfg.guard(params.Query)
}

// MutateOperationContext computes the cost of the validated operation and
// refuses it over MaxCost.
func (e *Extension) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	st, _ := oc.Stats.GetExtension(statsKey).(*opStats)
	if st == nil || st.query != oc.RawQuery {
		return &gqlerror.Error{
			Message:    "internal server error: the query changed after its limits were checked",
			Extensions: map[string]any{"code": CodeInternal},
		}
	}
	cost, err := e.cfg.cost(oc)
	if err != nil {
		return err
	}
	st.cost = &Cost{RequestedQueryCost: cost, Maximum: int64(e.cfg.MaxCost)}
	if cost > int64(e.cfg.MaxCost) {
		return refusal(CodeQueryTooComplex, nil, e.cfg.MaxCost, int(min(cost, math.MaxInt)),
			"the operation's cost is %d; the limit is %d. Lists count their children once per item "+
				"(first/last, or %d when absent): ask for smaller pages or fewer nested lists",
			cost, e.cfg.MaxCost, e.cfg.DefaultPageSize)
	}
	return nil
}

// InterceptResponse adds extensions.cost to every response of an operation
// whose cost was computed, refused ones included.
func (e *Extension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if oc := operationOf(ctx); oc != nil {
		st, _ := oc.Stats.GetExtension(statsKey).(*opStats)
		if st != nil && st.cost != nil && graphql.GetExtension(ctx, "cost") == nil {
			graphql.RegisterExtension(ctx, "cost", *st.cost)
		}
	}
	return next(ctx)
}

// refusal builds a client error with its code and, for clients that adapt
// programmatically, the limit (when positive) and the value found (when
// known: not negative).
func refusal(code string, pos *ast.Position, limit, value int, format string, args ...any) *gqlerror.Error {
	err := &gqlerror.Error{
		Message:    fmt.Sprintf(format, args...),
		Extensions: map[string]any{"code": code},
	}
	if pos != nil {
		err.Locations = []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
	}
	if limit > 0 {
		err.Extensions["limit"] = limit
	}
	if value >= 0 && limit > 0 {
		err.Extensions["value"] = value
	}
	return err
}

// CostOf returns the cost computed for a validated operation, for callers
// that charge it (the rate limiter); false before it was computed.
func CostOf(oc *graphql.OperationContext) (int64, bool) {
	if oc == nil {
		return 0, false
	}
	st, _ := oc.Stats.GetExtension(statsKey).(*opStats)
	if st == nil || st.cost == nil {
		return 0, false
	}
	return st.cost.RequestedQueryCost, true
}
