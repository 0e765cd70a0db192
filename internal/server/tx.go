package server

import (
	"context"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// transactions runs each mutation in one database transaction, as
// entgql.Transactioner does (whose mutation fields it also runs one at a
// time), except that a transaction that cannot begin or commit is an
// error like any other, through the error presenter. entgql's own
// response put the driver's text — host, port, user and database — in
// front of the client, with no extensions.code.
type transactions struct {
	entgql.Transactioner
	present graphql.ErrorPresenterFunc
}

func (transactions) ExtensionName() string { return "Transactions" }

// InterceptResponse runs a mutation under a transaction, committed when
// the mutation answered without errors and rolled back otherwise.
func (t transactions) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation != ast.Mutation {
		return next(ctx)
	}
	txCtx, tx, err := t.OpenTx(ctx)
	if err != nil {
		return &graphql.Response{Errors: gqlerror.List{t.present(ctx, err)}}
	}
	defer func() {
		if r := recover(); r != nil {
			_ = tx.Rollback()
			panic(r)
		}
	}()
	resp := next(txCtx)
	if resp == nil || len(resp.Errors) > 0 {
		_ = tx.Rollback()
		if resp == nil {
			return nil
		}
		// Nothing was saved: no data that says otherwise.
		return &graphql.Response{Errors: resp.Errors, Extensions: resp.Extensions}
	}
	if err := tx.Commit(); err != nil {
		return &graphql.Response{Errors: gqlerror.List{t.present(ctx, err)}, Extensions: resp.Extensions}
	}
	return resp
}
