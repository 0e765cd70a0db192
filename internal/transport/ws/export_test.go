package ws

// SetBeforeWrite installs a hook that runs in the writer goroutine before
// each data message is written, so tests can simulate a slow network. Call
// it before the first socket connects.
func SetBeforeWrite(t *Transport, f func(frame []byte)) { t.beforeWrite = f }
