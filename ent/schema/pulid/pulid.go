// Package pulid implements prefixed ULIDs: opaque, sortable, type-prefixed
// string identifiers ("grp_01J...") used as the primary key of every node, so a
// global GraphQL id names its own table.
package pulid

import (
	"crypto/rand"
	"database/sql/driver"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// ID is a prefixed ULID: "<prefix>_<26 Crockford base32 characters>".
type ID string

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// New returns a fresh ID with the given prefix, using the current time and
// crypto/rand entropy.
func New(prefix string) ID {
	var entropy [10]byte
	if _, err := io.ReadFull(rand.Reader, entropy[:]); err != nil {
		// crypto/rand never fails on supported platforms; failing loudly beats
		// handing out colliding keys.
		panic(fmt.Sprintf("pulid: reading entropy: %v", err))
	}
	return Make(prefix, time.Now(), entropy)
}

// Make builds an ID from explicit parts; the demo data uses it to produce the
// same ids on every run.
func Make(prefix string, t time.Time, entropy [10]byte) ID {
	var b [16]byte
	ms := uint64(t.UnixMilli())
	b[0] = byte(ms >> 40)
	b[1] = byte(ms >> 32)
	binary.BigEndian.PutUint32(b[2:6], uint32(ms))
	copy(b[6:], entropy[:])
	return ID(prefix + "_" + encode(b))
}

// encode writes 128 bits as 26 Crockford base32 characters (ULID layout).
func encode(b [16]byte) string {
	hi := binary.BigEndian.Uint64(b[0:8])
	lo := binary.BigEndian.Uint64(b[8:16])
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// Prefix returns the type prefix of the id, or "" when the id is malformed.
func (u ID) Prefix() string {
	p, rest, ok := strings.Cut(string(u), "_")
	if !ok || len(rest) != 26 || p == "" {
		return ""
	}
	for i := 0; i < len(rest); i++ {
		if !strings.ContainsRune(crockford, rune(rest[i])) {
			return ""
		}
	}
	return p
}

// UnmarshalGQL implements graphql.Unmarshaler.
func (u *ID) UnmarshalGQL(v any) error {
	switch v := v.(type) {
	case string:
		*u = ID(v)
	case ID:
		*u = v
	default:
		return fmt.Errorf("id must be a string, got %T", v)
	}
	return nil
}

// MarshalGQL implements graphql.Marshaler. Ids are plain ASCII, written
// between quotes without the copy strconv.Quote makes (ids are most of the
// strings in a response); anything else is JSON-escaped.
func (u ID) MarshalGQL(w io.Writer) {
	for i := 0; i < len(u); i++ {
		if c := u[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			b, _ := json.Marshal(string(u))
			_, _ = w.Write(b)
			return
		}
	}
	_, _ = io.WriteString(w, `"`)
	_, _ = io.WriteString(w, string(u))
	_, _ = io.WriteString(w, `"`)
}

// Scan implements sql.Scanner.
func (u *ID) Scan(src any) error {
	switch src := src.(type) {
	case string:
		*u = ID(src)
	case []byte:
		*u = ID(src)
	case nil:
		// An optional reference that is not set.
		*u = ""
	default:
		return fmt.Errorf("pulid: unexpected type %T", src)
	}
	return nil
}

// Value implements driver.Valuer.
func (u ID) Value() (driver.Value, error) { return string(u), nil }
