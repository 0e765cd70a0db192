package workflow

import (
	"context"
	"time"

	"github.com/usergroups/usergroups/ent"
)

// joined does what becoming a member brings, in the transaction that made
// ro, a new ACTIVE MEMBER role in com's group: whichever way the person
// joined (open membership, an approved request, an invite), it happens once.
func joined(ctx context.Context, c *ent.Client, ro *ent.Role, com *ent.Community, now time.Time) error {
	if err := startObligation(ctx, c, ro, com, now); err != nil {
		return err
	}
	if com.Policy.JoinCertificate {
		if _, err := issueMembershipCertificate(ctx, c, ro, com, now); err != nil {
			return err
		}
	}
	return oweSouvenir(ctx, c, ro, com)
}
