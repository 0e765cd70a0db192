package workflow

import (
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
)

// forUpdate is the workflows' row-lock idiom, added to a query with
// Modify: the rows read are locked until the transaction ends, so writers
// deciding from them run one after the other. On PostgreSQL that is
// SELECT … FOR UPDATE; SQLite has no row locks and needs none, as its
// write transactions begin IMMEDIATE and so already run one at a time.
func forUpdate(s *sql.Selector) {
	if s.Dialect() == dialect.Postgres {
		s.ForUpdate()
	}
}
