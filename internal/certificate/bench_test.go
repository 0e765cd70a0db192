package certificate_test

import (
	"testing"

	"github.com/usergroups/usergroups/internal/certificate"
)

// BenchmarkRender measures drawing one certificate, which the PDF
// endpoint's rate-limit charge is sized against.
func BenchmarkRender(b *testing.B) {
	d := membership()
	for b.Loop() {
		if _, err := certificate.Render(d); err != nil {
			b.Fatal(err)
		}
	}
}
