package mail

import (
	"context"
	"errors"
	"log/slog"
)

// ErrKept is LogSender's answer: the message was logged, not sent, so the
// caller leaves it in the outbox for a server with SMTP to deliver.
var ErrKept = errors.New("mail: not sent (no SMTP server configured); kept in the outbox")

// LogSender is the development sender used without --smtp-url: it logs one
// line per email and sends nothing, so no message is lost or sent by accident.
type LogSender struct {
	// Log receives the lines; nil logs nothing.
	Log *slog.Logger
}

// Send logs m's recipient, subject, template and Message-ID (never its body)
// and returns ErrKept.
func (s LogSender) Send(ctx context.Context, m Message) error {
	if s.Log != nil {
		s.Log.InfoContext(ctx, "email kept in the outbox (no --smtp-url)",
			"to", m.To, "subject", m.Subject, "template", m.Kind, "message_id", m.MessageID)
	}
	return ErrKept
}
