package policy

import (
	"errors"
	"slices"
	"strconv"
)

// MoneyInput is an amount as a client writes it: a currency code and an
// exact decimal ("500", "5000.00").
type MoneyInput struct {
	Currency string
	Amount   string
}

// maxFundingThresholds bounds the currencies a policy lists thresholds for.
const maxFundingThresholds = 20

// parseThresholds checks a list of second-approval thresholds: known
// currencies, each listed once, exact non-negative amounts.
func parseThresholds(field string, in []MoneyInput) ([]Money, error) {
	if len(in) > maxFundingThresholds {
		return nil, &FieldError{Field: field, Reason: "lists at most " + strconv.Itoa(maxFundingThresholds) + " currencies"}
	}
	out := make([]Money, 0, len(in))
	for _, t := range in {
		m, err := ParseMoney(field, field, t.Currency, t.Amount)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(out, func(o Money) bool { return o.Currency == m.Currency }) {
			return nil, &FieldError{Field: field, Reason: "lists " + m.Currency + " twice"}
		}
		out = append(out, m)
	}
	return out, nil
}

// validThresholds is Validate's check of stored thresholds.
func validThresholds(ts []Money) bool {
	seen := map[string]bool{}
	for _, t := range ts {
		if _, ok := CurrencyExponent(t.Currency); !ok || t.Minor < 0 || seen[t.Currency] {
			return false
		}
		seen[t.Currency] = true
	}
	return true
}

// FundingApprovalsRequired is how many different staff members must
// approve a funding request: two (four eyes) when the policy lists a
// threshold for its currency and the amount is above it, otherwise one. A
// currency without a threshold takes one approval whatever the amount.
func FundingApprovalsRequired(p Policy, amount Money) int {
	for _, t := range p.FundingSecondApprovalAbove {
		if t.Currency == amount.Currency && amount.Minor > t.Minor {
			return 2
		}
	}
	return 1
}

// Refusals of a funding approval under the four-eyes rule.
var (
	// ErrOwnFunding: nobody approves a request they made, staff or not.
	ErrOwnFunding = errors.New("the requester cannot approve their own funding request")
	// ErrSameApprover: the second approval must come from another person.
	ErrSameApprover = errors.New("you already approved this request; a different staff member must give the second approval")
)

// FundingApproval applies the four-eyes rule to one more approval by
// approver of a request made by requester, which prior staff members have
// already approved and which needs required approvals in all. It returns
// whether this approval decides the request, or why it is refused.
func FundingApproval(required int, requester, approver string, prior []string) (decides bool, err error) {
	switch {
	case approver == requester:
		return false, ErrOwnFunding
	case slices.Contains(prior, approver):
		return false, ErrSameApprover
	}
	return len(prior)+1 >= required, nil
}

// FundingState is what the approval of a funding request looks at besides
// the approvals: whether someone may endorse it and whether they have.
type FundingState struct {
	// Endorsers counts the active ambassadors in the request's scope (its
	// group's region or the group itself) other than the requester.
	Endorsers int
	// Endorsed says one of them has endorsed it.
	Endorsed bool
	// OpenObjections counts objections nobody has resolved.
	OpenObjections int
}

// FundingBlockers lists what stops staff approving a funding request: the
// endorsement of an ambassador in scope when the group has one ("an
// ambassador of the region endorses; staff decide"; a group with no
// ambassador is decided by staff alone), and open objections.
func FundingBlockers(st FundingState) []Blocker {
	var bs []Blocker
	if st.Endorsers > 0 && !st.Endorsed {
		bs = append(bs, Blocker{Code: "ENDORSEMENT", Message: "an ambassador of the group's region or group must endorse it first"})
	}
	if st.OpenObjections > 0 {
		bs = append(bs, Blocker{Code: "OBJECTIONS", Message: strconv.Itoa(st.OpenObjections) + " objection(s) not yet resolved"})
	}
	return bs
}
