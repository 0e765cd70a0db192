package policy

import "testing"

func TestTokenLifetime(t *testing.T) {
	for days, ok := range map[int]bool{-1: false, 0: false, 1: true, 90: true, 730: true, 731: false, 3650: false} {
		if err := TokenLifetime(days); (err == nil) != ok {
			t.Errorf("TokenLifetime(%d) = %v, want ok=%v", days, err, ok)
		}
	}
}
