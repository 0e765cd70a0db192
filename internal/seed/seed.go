// Package seed loads the deterministic demo data set: the openEuler and
// OpenStack user-group programmes side by side, with generated people,
// organizations, rosters, events, registrations, applications in every state,
// contributions, awards, elections and an outbox. No real personal data is
// used: names are generated, addresses live at example domains and phones in
// the 555-01xx range.
package seed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/usergroups/usergroups/ent"
	"github.com/usergroups/usergroups/internal/attendance"
	"github.com/usergroups/usergroups/internal/authz"
	"github.com/usergroups/usergroups/internal/changelog"
	"github.com/usergroups/usergroups/internal/viewer"
	"github.com/usergroups/usergroups/internal/workflow"
)

// ErrNotEmpty is returned by Demo when the database already holds a community.
var ErrNotEmpty = errors.New("seed: the database already holds data; demo data loads only into an empty database")

// Options tune the demo data set.
type Options struct {
	// Now is the reference time dates are placed around (past and upcoming
	// events, open applications); the zero value means time.Now().
	Now time.Time
}

// Stats counts the rows Demo created, per entity.
type Stats struct {
	Communities, Regions, Organizations, Users, Groups, Roles, Applications, Reviews, Events, AgendaItems,
	Sponsors, Registrations, Contributions, Awards, Submissions, Reports, Messages,
	Elections, Candidates, Voters int
	AwardSelections, Nominations, Certificates, Shipments int
}

// IsEmpty reports whether the database holds no community, the state Demo needs.
func IsEmpty(ctx context.Context, client *ent.Client) (bool, error) {
	exists, err := client.Community.Query().Exist(authz.Unfiltered(ctx))
	if err != nil {
		return false, fmt.Errorf("seed: checking for communities: %w", err)
	}
	return !exists, nil
}

// Demo loads the demo data set in one workflow step (an import by the
// system) and reports what it created. Ids, names and relationships are the
// same on every run; dates are placed around opts.Now. It fails with
// ErrNotEmpty, writing nothing, if any community exists.
func Demo(ctx context.Context, client *ent.Client, opts Options) (Stats, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC().Truncate(time.Second)
	// Loading the demo is the system's act, whoever asks for it: the
	// command line at startup, a test.
	r := workflow.NewRunner(client, func() time.Time { return now })
	var stats Stats
	err := r.Import(viewer.SystemContext(ctx), "demo data", func(ctx context.Context, c *ent.Client) error {
		var err error
		stats, err = load(ctx, c, now)
		return err
	})
	if err != nil {
		return Stats{}, err
	}
	return stats, nil
}

func load(ctx context.Context, c *ent.Client, now time.Time) (Stats, error) {
	exists, err := c.Community.Query().Exist(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("seed: checking for communities: %w", err)
	}
	if exists {
		return Stats{}, ErrNotEmpty
	}
	g := newGen(c, now)
	g.build()
	return g.write(ctx)
}

// build plans the whole data set in memory.
func (g *gen) build() {
	for i, step := range []func(){
		g.buildCommunities,
		g.buildOpenEuler,
		g.buildOpenStack,
		g.buildEvents,
		g.buildApplications,
		g.buildContributions,
		g.buildAwards,
		g.buildSubmissions,
		g.buildReports,
		g.buildMessages,
		g.emitOrgs,
		g.emitPeople,
		g.emitGroups,
		// Last, so that adding it left the random streams of the steps
		// above, and so their data, as they were.
		g.buildElections,
		// After elections, for the same reason.
		g.buildYear,
		// After the year, for the same reason (and it draws no numbers).
		g.buildReportFollowUps,
		// Issue 19's translation help and global efforts, last for the same reason.
		g.buildAsks,
	} {
		g.reseed(uint64(i+1), 0)
		step()
	}
}

// Batch sizes: tracked entities run the change-log hook per row inside the
// bulk insert, so their batches stay smaller.
const (
	batchPlain   = 400
	batchTracked = 200
)

func bulk[B any](ctx context.Context, what string, rows []B, size int, save func(context.Context, []B) error) error {
	for i := 0; i < len(rows); i += size {
		if err := save(ctx, rows[i:min(i+size, len(rows))]); err != nil {
			return fmt.Errorf("seed: writing %s: %w", what, err)
		}
	}
	return nil
}

// write inserts every planned row in dependency order, with the change
// log's rows batched (changelog.Bulk) rather than one INSERT per row.
func (g *gen) write(ctx context.Context) (Stats, error) {
	var st Stats
	err := changelog.Bulk(ctx, g.db, func(ctx context.Context) error {
		var err error
		st, err = g.writeRows(ctx)
		return err
	})
	return st, err
}

// writeRows is write's body.
func (g *gen) writeRows(ctx context.Context) (Stats, error) {
	tx, b := g.db, &g.b // the step's transaction
	steps := []func() error{
		func() error {
			return bulk(ctx, "communities", b.communities, batchPlain, func(ctx context.Context, r []*ent.CommunityCreate) error {
				return tx.Community.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "organizations", b.organizations, batchPlain, func(ctx context.Context, r []*ent.OrganizationCreate) error {
				return tx.Organization.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "users", b.users, batchPlain, func(ctx context.Context, r []*ent.UserCreate) error {
				return tx.User.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "contacts", b.contacts, batchPlain, func(ctx context.Context, r []*ent.ContactCreate) error {
				return tx.Contact.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "shipping addresses", b.shipping, batchPlain, func(ctx context.Context, r []*ent.ShippingAddressCreate) error {
				return tx.ShippingAddress.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "regions", b.regions, batchPlain, func(ctx context.Context, r []*ent.RegionCreate) error {
				return tx.Region.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "groups", b.groups, batchTracked, func(ctx context.Context, r []*ent.GroupCreate) error {
				return tx.Group.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "roles", b.roles, batchTracked, func(ctx context.Context, r []*ent.RoleCreate) error {
				return tx.Role.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "elections", b.elections, batchTracked, func(ctx context.Context, r []*ent.ElectionCreate) error {
				return tx.Election.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "candidates", b.candidates, batchPlain, func(ctx context.Context, r []*ent.CandidateCreate) error {
				return tx.Candidate.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "voters", b.voters, batchPlain, func(ctx context.Context, r []*ent.VoterCreate) error {
				return tx.Voter.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "events", b.events, batchTracked, func(ctx context.Context, r []*ent.EventCreate) error {
				return tx.Event.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "agenda items", b.agenda, batchPlain, func(ctx context.Context, r []*ent.AgendaItemCreate) error {
				return tx.AgendaItem.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "sponsors", b.sponsors, batchPlain, func(ctx context.Context, r []*ent.SponsorCreate) error {
				return tx.Sponsor.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			// Each event's counts are set once, after all its
			// registrations, not recounted per row.
			return attendance.Batch(ctx, tx, func(ctx context.Context) error {
				return bulk(ctx, "registrations", b.registrations, batchTracked, func(ctx context.Context, r []*ent.RegistrationCreate) error {
					return tx.Registration.CreateBulk(r...).Exec(ctx)
				})
			})
		},
		func() error {
			return bulk(ctx, "applications", b.applications, batchTracked, func(ctx context.Context, r []*ent.ApplicationCreate) error {
				return tx.Application.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "reviews", b.reviews, batchTracked, func(ctx context.Context, r []*ent.ReviewCreate) error {
				return tx.Review.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "contributions", b.contributions, batchPlain, func(ctx context.Context, r []*ent.ContributionCreate) error {
				return tx.Contribution.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "award selections", b.selections, batchPlain, func(ctx context.Context, r []*ent.AwardSelectionCreate) error {
				return tx.AwardSelection.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "award nominations", b.nominations, batchPlain, func(ctx context.Context, r []*ent.AwardNominationCreate) error {
				return tx.AwardNomination.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "awards", b.awards, batchPlain, func(ctx context.Context, r []*ent.AwardCreate) error {
				return tx.Award.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "certificates", b.certificates, batchPlain, func(ctx context.Context, r []*ent.CertificateCreate) error {
				return tx.Certificate.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "shipments", b.shipments, batchPlain, func(ctx context.Context, r []*ent.ShipmentCreate) error {
				return tx.Shipment.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "activity requests", b.activityRequests, batchPlain, func(ctx context.Context, r []*ent.ActivityRequestCreate) error {
				return tx.ActivityRequest.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "submissions", b.submissions, batchPlain, func(ctx context.Context, r []*ent.SubmissionCreate) error {
				return tx.Submission.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "reports", b.reports, batchPlain, func(ctx context.Context, r []*ent.ReportCreate) error {
				return tx.Report.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "report replies", b.reportReplies, batchPlain, func(ctx context.Context, r []*ent.ReportReplyCreate) error {
				return tx.ReportReply.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "contact threads", b.contactThreads, batchPlain, func(ctx context.Context, r []*ent.ContactThreadCreate) error {
				return tx.ContactThread.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "contact messages", b.contactMessages, batchPlain, func(ctx context.Context, r []*ent.ContactMessageCreate) error {
				return tx.ContactMessage.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "messages", b.messages, batchPlain, func(ctx context.Context, r []*ent.MessageCreate) error {
				return tx.Message.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "translation requests", b.translations, batchPlain, func(ctx context.Context, r []*ent.TranslationRequestCreate) error {
				return tx.TranslationRequest.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "global efforts", b.efforts, batchPlain, func(ctx context.Context, r []*ent.GlobalEffortCreate) error {
				return tx.GlobalEffort.CreateBulk(r...).Exec(ctx)
			})
		},
		func() error {
			return bulk(ctx, "global effort participations", b.participations, batchPlain, func(ctx context.Context, r []*ent.GlobalEffortParticipationCreate) error {
				return tx.GlobalEffortParticipation.CreateBulk(r...).Exec(ctx)
			})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return Stats{}, err
		}
	}
	return Stats{
		Communities:   len(b.communities),
		Regions:       len(b.regions),
		Organizations: len(b.organizations),
		Users:         len(b.users),
		Groups:        len(b.groups),
		Roles:         len(b.roles),
		Applications:  len(b.applications),
		Reviews:       len(b.reviews),
		Events:        len(b.events),
		AgendaItems:   len(b.agenda),
		Sponsors:      len(b.sponsors),
		Registrations: len(b.registrations),
		Contributions: len(b.contributions),
		Awards:        len(b.awards),
		Submissions:   len(b.submissions),
		Reports:       len(b.reports),
		Messages:      len(b.messages),
		Elections:     len(b.elections),
		Candidates:    len(b.candidates),
		Voters:        len(b.voters),

		AwardSelections: len(b.selections),
		Nominations:     len(b.nominations),
		Certificates:    len(b.certificates),
		Shipments:       len(b.shipments),
	}, nil
}
