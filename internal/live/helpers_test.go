package live

import (
	"context"
	"testing"
	"time"

	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/dbtest"
	"github.com/usergroups/usergroups/internal/store"
)

// runBroker opens a test database whose commits wake a broker, and runs
// the broker until the test ends.
func runBroker(t *testing.T) (*store.DB, *broker.Broker) {
	t.Helper()
	return runBrokerWith(t, broker.Options{PollInterval: 50 * time.Millisecond})
}

// runBrokerWith is runBroker with the broker's options.
func runBrokerWith(t *testing.T, opts broker.Options) (*store.DB, *broker.Broker) {
	t.Helper()
	var b *broker.Broker
	db := dbtest.OpenConcurrent(t, dbtest.WithDriver(broker.WrapDriver("", func() { b.Poke() })))
	b = broker.New(db, opts)
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = b.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })
	return db, b
}
