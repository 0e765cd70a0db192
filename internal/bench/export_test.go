package bench

import "testing"

// ServerBinary is the usergroups server built once for this test binary.
func ServerBinary(t *testing.T) string { return serverBinary(t) }
