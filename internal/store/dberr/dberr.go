// Package dberr tells failures of the database itself (down, restarting,
// connection lost) from errors in a statement, for the error presenter.
package dberr

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Unreachable reports whether err says the database could not be used at
// all — down, restarting, out of connections, the connection lost under a
// statement or a commit, the file locked or unreadable — rather than that
// a statement was wrong. Such a failure is the service's, passes when the
// database is back, and its driver text (addresses, user and database
// names) is for the log, never for a client.
func Unreachable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) {
		return true
	}
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return true
	}
	if _, ok := errors.AsType[*net.OpError](err); ok {
		return true
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		return unreachableState(pe.Code)
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		switch se.Code() & 0xff { // the primary code; extended codes add bits above
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_FULL:
			return true
		}
	}
	return false
}

// unreachableState reports whether a PostgreSQL SQLSTATE is about the
// server or the connection rather than the statement: connection
// exceptions (08), insufficient resources (53: too many connections, disk
// full, out of memory) and operator intervention (57P01–57P05: shutdown,
// crash, not yet accepting connections, a terminated backend).
// 57014, query_canceled, is a statement's deadline, reported as TIMEOUT
// by the operation limits.
func unreachableState(code string) bool {
	return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "53") || strings.HasPrefix(code, "57P")
}
