package broker_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usergroups/usergroups/internal/broker"
	"github.com/usergroups/usergroups/internal/dbtest"
)

// BenchmarkChangeLog measures the change log's write rate across replicas:
// each op commits one transaction appending one change on replica A (the
// NOTIFY rides in that transaction on PostgreSQL), from 4×GOMAXPROCS
// writers, while a subscriber on replica B must receive every change. On
// PostgreSQL B learns of commits by NOTIFY only (its poll is a minute);
// docs/scaling.md quotes the results.
func BenchmarkChangeLog(b *testing.B) {
	poll := 50 * time.Millisecond
	if onPostgres() {
		poll = time.Minute
	}
	rs := newReplicas(b, broker.Options{}, broker.Options{PollInterval: poll})
	s, err := rs[1].b.SubscribeFromNow(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	// A subscriber that falls behind a burst resumes from the log, as the
	// live layer does; resumes counts how often.
	var got, resumes atomic.Int64
	go func() {
		sub, after := s, s.Start()
		for {
			for d := range sub.C {
				got.Add(1)
				after = d.After
			}
			if !errors.Is(sub.Err(), broker.ErrTooSlow) {
				return
			}
			resumes.Add(1)
			next, err := sub.Resume(context.Background(), after)
			if err != nil {
				return
			}
			defer next.Close()
			sub = next
		}
	}()
	b.SetParallelism(4)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := tryWrite(rs[0].db, 1, "capacity"); err != nil {
				b.Error(err)
				return
			}
		}
	})
	committed := time.Since(start)
	eventually(b, "replica B to receive every change", func() bool {
		return got.Load() >= int64(b.N)
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/committed.Seconds(), "commits/s")
	b.ReportMetric(float64(time.Since(start)-committed)/float64(time.Millisecond), "drain-ms")
	b.ReportMetric(float64(resumes.Load()), "resumes")
}

// BenchmarkNotify measures PostgreSQL's NOTIFY on its own, without the
// change log: each op is one autocommitted pg_notify from 4×GOMAXPROCS
// connections, and one listener must receive them all. It is the ceiling
// under BenchmarkChangeLog's wake-ups.
func BenchmarkNotify(b *testing.B) {
	if !onPostgres() {
		b.Skip("NOTIFY is PostgreSQL's; set " + dbtest.EnvDatabase)
	}
	dsn := dbtest.DSN(b)
	ctx := context.Background()
	ln, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close(ctx)
	const channel = "usergroups_capacity"
	if _, err := ln.Exec(ctx, "LISTEN "+channel); err != nil {
		b.Fatal(err)
	}
	var got atomic.Int64
	lctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, err := ln.WaitForNotification(lctx); err != nil {
				return
			}
			got.Add(1)
		}
	}()
	b.SetParallelism(4)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close(ctx)
		for pb.Next() {
			if _, err := c.Exec(ctx, "SELECT pg_notify($1, '1')", channel); err != nil {
				b.Error(err)
				return
			}
		}
	})
	sent := time.Since(start)
	eventually(b, "the listener to receive every notification", func() bool { return got.Load() >= int64(b.N) })
	b.StopTimer()
	stop()
	<-done
	b.ReportMetric(float64(b.N)/sent.Seconds(), "notifies/s")
}
