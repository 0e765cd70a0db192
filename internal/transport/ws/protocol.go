package ws

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
)

// protocol is one of the two subprotocols spoken; a constant rather than
// a table so that the package keeps no state of its own.
type protocol int

const (
	// transportWS is graphql-transport-ws, the graphql-ws library's protocol.
	transportWS protocol = iota
	// legacyWS is graphql-ws, the protocol of subscriptions-transport-ws.
	legacyWS
)

func (p protocol) name() string {
	if p == legacyWS {
		return "graphql-ws"
	}
	return "graphql-transport-ws"
}

func (p protocol) legacy() bool { return p == legacyWS }

// next is the message type of a result.
func (p protocol) next() string {
	if p == legacyWS {
		return "data"
	}
	return "next"
}

// selectProtocol picks graphql-transport-ws when the client offers it,
// else the legacy protocol; ok is false when it offers neither.
func selectProtocol(offered []string) (p protocol, ok bool) {
	for _, name := range offered {
		switch name {
		case transportWS.name():
			return transportWS, true
		case legacyWS.name():
			p, ok = legacyWS, true
		}
	}
	return p, ok
}

// inbound is a client message; pointers and raw payloads tell absent,
// null and present apart.
type inbound struct {
	ID      *string         `json:"id"`
	Type    *string         `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// outbound is a server message.
type outbound struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// encode renders a server message; payload is marshalled unless it is
// already raw JSON.
func encode(typ, id string, payload any) []byte {
	m := outbound{ID: id, Type: typ}
	switch p := payload.(type) {
	case nil:
	case json.RawMessage:
		if !isNull(p) {
			m.Payload = p
		}
	default:
		b, err := json.Marshal(p)
		if err != nil {
			// Only a resolver's malformed raw JSON gets here; say so
			// rather than drop the message.
			b, _ = json.Marshal([]map[string]string{{"message": "unable to encode the response: " + err.Error()}})
			m.Type = "error"
		}
		m.Payload = b
	}
	b, err := json.Marshal(m)
	if err != nil {
		// json.Marshal re-validates raw payloads; an echoed ping payload
		// was valid JSON when read, so this does not happen.
		b, _ = json.Marshal(outbound{ID: id, Type: typ})
	}
	return b
}

// encodeResponse renders a result message. It is encode for a
// *graphql.Response, by hand: encoding/json would validate and copy the
// data twice (once for the response, once for the message), and one
// change fanned out to thousands of subscribers renders thousands of
// messages. The data is still validated once, and anything beyond data,
// errors and extensions takes the general path.
func encodeResponse(typ, id string, r *graphql.Response) []byte {
	if r.Label != "" || r.Path != nil || r.HasNext != nil || (len(r.Data) > 0 && !json.Valid(r.Data)) {
		return encode(typ, id, r)
	}
	var errs, ext []byte
	var err error
	if len(r.Errors) > 0 {
		if errs, err = json.Marshal(r.Errors); err != nil {
			return encode(typ, id, r)
		}
	}
	if len(r.Extensions) > 0 {
		if ext, err = json.Marshal(r.Extensions); err != nil {
			return encode(typ, id, r)
		}
	}
	qid, _ := json.Marshal(id) // a string always marshals
	b := make([]byte, 0, len(r.Data)+len(errs)+len(ext)+len(qid)+len(typ)+48)
	if id != "" {
		b = append(b, `{"id":`...)
		b = append(b, qid...)
		b = append(b, `,"type":"`...)
	} else {
		b = append(b, `{"type":"`...)
	}
	b = append(b, typ...)
	b = append(b, `","payload":{`...)
	if errs != nil {
		b = append(b, `"errors":`...)
		b = append(b, errs...)
		b = append(b, ',')
	}
	b = append(b, `"data":`...)
	if len(r.Data) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, r.Data...)
	}
	if ext != nil {
		b = append(b, `,"extensions":`...)
		b = append(b, ext...)
	}
	return append(b, "}}"...)
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || bytes.Equal(raw, []byte("null"))
}

// decodeObject decodes a JSON object, keeping numbers as json.Number like
// gqlgen's HTTP transports do.
func decodeObject(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errTrailingData
	}
	return nil
}

type constError string

func (e constError) Error() string { return string(e) }

const (
	errTrailingData = constError("trailing data after the JSON value")
	errNotObject    = constError("not a JSON object")
)

// decodeParams reads a subscribe/start payload.
func decodeParams(raw json.RawMessage) (*graphql.RawParams, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, errNotObject
	}
	params := &graphql.RawParams{}
	if err := decodeObject(raw, params); err != nil {
		return nil, err
	}
	return params, nil
}

// decodeInitPayload reads a connection_init payload: absent or null is an
// empty map, anything else must be an object.
func decodeInitPayload(raw json.RawMessage) (map[string]any, error) {
	payload := map[string]any{}
	if isNull(raw) {
		return payload, nil
	}
	raw = bytes.TrimSpace(raw)
	if raw[0] != '{' {
		return nil, errNotObject
	}
	if err := decodeObject(raw, &payload); err != nil {
		return nil, err
	}
	return payload, nil
}

// closeReason keeps a close reason within the 123 bytes a close frame
// allows, cutting on a rune boundary.
func closeReason(s string) string {
	const max = 123
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
