package jobs

import (
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// DeliverMessage sends one outbox message as email. The message's own row
// says what is left to do, so the job carries its id only.
type DeliverMessage struct {
	// ID is the message's id.
	ID string `json:"id"`
	// Community is the sending community's id, so its staff see the job.
	Community string `json:"community,omitempty"`
}

// JobCommunity is the community whose staff see the job.
func (d DeliverMessage) JobCommunity() string { return d.Community }

// KindDeliverMessage is DeliverMessage's job kind.
const KindDeliverMessage = "deliver_message"

// Kind of DeliverMessage.
func (DeliverMessage) Kind() string { return KindDeliverMessage }

// DeliveryOpts are the insert options of a message's delivery job: at most
// one live job per message (queueing it again while one waits or runs does
// nothing, so no message is sent by two jobs at once), not before after
// when it is set.
func DeliveryOpts(after time.Time) *river.InsertOpts {
	o := &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
	if !after.IsZero() {
		o.ScheduledAt = after
	}
	return o
}
