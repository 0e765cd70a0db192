package pulid

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestMarshalGQLIsJSON(t *testing.T) {
	for _, id := range []ID{"grp_01J00000000000000000000000", "", `a"b`, `back\slash`, "tab\there", "naïve", "\x00"} {
		var b bytes.Buffer
		id.MarshalGQL(&b)
		var back string
		if err := json.Unmarshal(b.Bytes(), &back); err != nil || back != string(id) {
			t.Errorf("%q → %s → %q (%v)", id, b.String(), back, err)
		}
	}
}
