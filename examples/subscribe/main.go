// Command subscribe runs one GraphQL subscription against usergroups over a
// websocket (the graphql-transport-ws protocol, as the npm graphql-ws
// client speaks it) and prints each item as a line of JSON. It is the
// README's live-updates example, small enough to read in one sitting:
//
//	go run ./examples/subscribe -url "$API" -token "$TOKEN_STAFF" -count 3 'subscription { … }'
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/graphql", "the API's /graphql address (http:// or ws://)")
	token := flag.String("token", "", "an API token, sent in connection_init; empty subscribes anonymously")
	count := flag.Int("count", 0, "stop after this many items (0: run until interrupted)")
	vars := flag.String("variables", "", "the subscription's variables as a JSON object")
	timeout := flag.Duration("timeout", 0, "give up after this long (0: never)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "Usage: subscribe [flags] 'subscription { … }'")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	ctx := context.Background()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	if err := subscribe(ctx, *url, *token, flag.Arg(0), *vars, *count); err != nil {
		fmt.Fprintln(os.Stderr, "subscribe:", err)
		os.Exit(1)
	}
}

// message is a graphql-transport-ws message.
type message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func subscribe(ctx context.Context, url, token, query, vars string, count int) error {
	url = strings.Replace(strings.Replace(url, "https://", "wss://", 1), "http://", "ws://", 1)
	dialer := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 10 * time.Second}
	conn, resp, err := dialer.DialContext(ctx, url, http.Header{})
	if err != nil {
		if resp != nil {
			return fmt.Errorf("%s: %s", url, resp.Status)
		}
		return err
	}
	defer conn.Close()
	// Stop reading when the context ends (a -timeout).
	go func() {
		<-ctx.Done()
		conn.Close()
	}()

	// Browsers cannot set headers on a websocket: the credential travels
	// in connection_init.
	init := map[string]string{}
	if token != "" {
		init["Authorization"] = "Bearer " + token
	}
	if err := send(conn, "", "connection_init", init); err != nil {
		return err
	}
	payload := map[string]any{"query": query}
	if vars != "" {
		payload["variables"] = json.RawMessage(vars)
	}
	seen := 0
	for {
		var m message
		if err := conn.ReadJSON(&m); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return fmt.Errorf("the server closed the socket: %d %s", ce.Code, ce.Text)
			}
			return err
		}
		switch m.Type {
		case "connection_ack":
			if err := send(conn, "1", "subscribe", payload); err != nil {
				return err
			}
		case "ping":
			if err := send(conn, "", "pong", nil); err != nil {
				return err
			}
		case "next":
			fmt.Println(string(m.Payload))
			if seen++; count > 0 && seen >= count {
				_ = send(conn, "1", "complete", nil)
				return nil
			}
		case "error":
			return fmt.Errorf("the subscription was refused: %s", m.Payload)
		case "complete":
			return nil
		}
	}
}

func send(conn *websocket.Conn, id, typ string, payload any) error {
	m := message{ID: id, Type: typ}
	if payload != nil {
		raw, err := json.Marshal(payload)
		if err != nil {
			return err
		}
		m.Payload = raw
	}
	return conn.WriteJSON(m)
}
