package dbtest

import "sync"

// Together runs each step in its own goroutine, released at once by a
// barrier once all are ready, and waits for them all: the race tests'
// contenders start as close to the same moment as Go allows.
func Together(steps ...func()) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for _, step := range steps {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			step()
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

// Letters names the n-th item "A", "B", …, "Z", "AA", …: group names
// without digits, which the naming rule accepts.
func Letters(n int) string {
	s := ""
	for {
		s = string(rune('A'+n%26)) + s
		n = n/26 - 1
		if n < 0 {
			return s
		}
	}
}
