package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

func TestRetry(t *testing.T) {
	t.Parallel()
	serialization := &pgconn.PgError{Code: codeSerialization, Message: "could not serialize access"}
	deadlock := &pgconn.PgError{Code: codeDeadlock, Message: "deadlock detected"}
	unique := &pgconn.PgError{Code: codeUnique, Message: "duplicate key"}
	cases := []struct {
		name      string
		retries   int
		fails     []error // errors of the first attempts; then success
		wantCalls int
		wantErr   error // sentinel after mapErr; nil for success
	}{
		{"success at once", 3, nil, 1, nil},
		{"serialization failure then success", 3, []error{serialization, serialization}, 3, nil},
		{"deadlock then success", 3, []error{deadlock}, 2, nil},
		{"retries used up", 3, []error{serialization, deadlock, serialization, serialization, serialization}, 4, crm.ErrConflict},
		{"no retries", 0, []error{serialization}, 1, crm.ErrConflict},
		{"other errors are not retried", 3, []error{unique}, 1, crm.ErrDuplicate},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &Store{retries: tc.retries}
			calls := 0
			err := s.retry(context.Background(), func() error {
				calls++
				if calls <= len(tc.fails) {
					return tc.fails[calls-1]
				}
				return nil
			})
			require.Equal(t, tc.wantCalls, calls)
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			mapped := s.mapErr(context.Background(), "op", err)
			require.ErrorIs(t, mapped, tc.wantErr)
			var pe *pgconn.PgError
			require.False(t, errors.As(mapped, &pe), "driver type exposed")
		})
	}
	t.Run("cancelled while backing off", func(t *testing.T) {
		t.Parallel()
		s := &Store{retries: 100}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		calls := 0
		err := s.retry(ctx, func() error { calls++; return serialization })
		require.Error(t, err)
		require.Less(t, calls, 100)
		require.ErrorIs(t, s.mapErr(ctx, "op", err), context.DeadlineExceeded)
	})
}

func TestMapErr(t *testing.T) {
	t.Parallel()
	s := &Store{}
	cases := []struct {
		code string
		want error
	}{
		{codeSerialization, crm.ErrConflict},
		{codeDeadlock, crm.ErrConflict},
		{codeLockTimeout, crm.ErrConflict},
		{codeUnique, crm.ErrDuplicate},
		{codeForeignKey, crm.ErrNotFound},
		{"22021", crm.ErrInvalid},     // invalid byte sequence
		{"22P02", crm.ErrInvalid},     // invalid text representation
		{"23514", crm.ErrInvalid},     // check violation
		{"23502", crm.ErrInvalid},     // not null violation
		{"42501", crm.ErrUnavailable}, // insufficient privilege: an RLS policy refused the row
		{"08006", crm.ErrUnavailable}, // connection failure
		{"08P01", crm.ErrUnavailable}, // protocol violation
		{"57P01", crm.ErrUnavailable}, // admin shutdown (pg_terminate_backend)
		{"57P03", crm.ErrUnavailable}, // cannot connect now
		{"57014", crm.ErrUnavailable}, // query cancelled (statement_timeout)
		{"53300", crm.ErrUnavailable}, // too many connections
		{"53100", crm.ErrUnavailable}, // disk full
		{"58030", crm.ErrUnavailable}, // I/O error
		{"25P03", crm.ErrUnavailable}, // idle in transaction session timeout
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			t.Parallel()
			err := s.mapErr(context.Background(), "op", &pgconn.PgError{Code: tc.code, Message: "m"})
			require.ErrorIs(t, err, tc.want)
			var pe *pgconn.PgError
			require.False(t, errors.As(err, &pe))
			require.Contains(t, err.Error(), tc.code)
		})
	}
	t.Run("unmapped server error", func(t *testing.T) {
		t.Parallel()
		err := s.mapErr(context.Background(), "op", &pgconn.PgError{Code: "42P01", Message: "m"})
		for _, sentinel := range []error{crm.ErrInvalid, crm.ErrConflict, crm.ErrNotFound, crm.ErrDuplicate} {
			require.NotErrorIs(t, err, sentinel)
		}
		var pe *pgconn.PgError
		require.False(t, errors.As(err, &pe))
	})
	t.Run("failure after the context ended", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := s.mapErr(ctx, "op", errors.New("conn closed"))
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("the error decides, not the context", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := s.mapErr(ctx, "op", &pgconn.PgError{Code: codeUnique, Message: "m"})
		require.ErrorIs(t, err, crm.ErrDuplicate)
		require.NotErrorIs(t, err, context.Canceled)
		err = s.mapErr(ctx, "op", fmt.Errorf("postgres: commit: %w", crm.ErrOutcomeUnknown))
		require.ErrorIs(t, err, crm.ErrOutcomeUnknown)
		require.NotErrorIs(t, err, context.Canceled)
	})
	connLost := []struct {
		name string
		err  error
	}{
		{"broken pipe", &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}},
		{"connection reset", fmt.Errorf("read: %w", syscall.ECONNRESET)},
		{"unexpected EOF", fmt.Errorf("receive message failed: %w", io.ErrUnexpectedEOF)},
		{"closed network connection", fmt.Errorf("read: %w", net.ErrClosed)},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}},
	}
	for _, tc := range connLost {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := s.mapErr(context.Background(), "op", tc.err)
			require.ErrorIs(t, err, crm.ErrUnavailable)
		})
	}
	t.Run("a bug is not unavailability", func(t *testing.T) {
		t.Parallel()
		err := s.mapErr(context.Background(), "op", errors.New("cannot scan text into *int"))
		require.NotErrorIs(t, err, crm.ErrUnavailable)
	})
}

func TestEscapeLike(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":          "",
		"plain":     "plain",
		"100%":      `100\%`,
		"a_b":       `a\_b`,
		`back\`:     `back\\`,
		`%_\`:       `\%\_\\`,
		"中文%":       `中文\%`,
		"o'brien":   "o'brien",
		`\\%%__`:    `\\\\\%\%\_\_`,
		"no escape": "no escape",
	}
	for in, want := range cases {
		require.Equal(t, want, escapeLike(in), "escapeLike(%q)", in)
	}
}

// unescapeLike reverses escapeLike, reporting whether every wildcard was
// escaped.
func unescapeLike(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) {
				return "", false
			}
			i++
			b.WriteByte(s[i])
		case '%', '_':
			return "", false
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), true
}

func FuzzEscapeLike(f *testing.F) {
	for _, s := range []string{"", "a", "%", "_", `\`, `a%b_c\d`, "中文", "\x00", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := escapeLike(s)
		back, ok := unescapeLike(e)
		if !ok || back != s {
			t.Fatalf("escapeLike(%q) = %q does not unescape back (ok %v, got %q)", s, e, ok, back)
		}
	})
}

func TestCursor(t *testing.T) {
	t.Parallel()
	id := crm.MustParseID("0195f0a4-7b2c-7d3e-8f40-123456789abc")
	at := time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)
	good := []cursor{
		{list: listCustomers, id: id},
		{list: listHistory, at: at, id: id, seq: 7},
		{list: listInteractions, at: at, id: id},
		{list: listVisits, at: at, id: id},
	}
	for _, c := range good {
		got, ok, err := parseCursor("op", c.list, c.String())
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, c, got)
	}
	bad := []struct {
		name string
		list listTag
		s    string
	}{
		{"garbage", listCustomers, "!!!"},
		{"cursor of another list", listCustomers, good[2].String()},
		{"too long", listCustomers, strings.Repeat("A", crm.MaxCursorLen+1)},
		{"padding", listCustomers, good[0].String() + "="},
		{"line break", listCustomers, good[0].String()[:4] + "\r" + good[0].String()[4:]},
		{"truncated", listCustomers, good[0].String()[:10]},
		{"zero id", listCustomers, cursor{list: listCustomers}.String()},
		{"zero seq", listHistory, cursor{list: listHistory, at: at, id: id}.String()},
		{"year out of range", listVisits, cursor{list: listVisits, at: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), id: id}.String()},
		{"unknown version", listCustomers, cursorB64.EncodeToString(append([]byte{byte(listCustomers), 9}, id[:]...))},
		{"no version byte", listCustomers, cursorB64.EncodeToString(append([]byte{'C'}, id[:]...))},
	}
	for _, tc := range bad {
		_, _, err := parseCursor("op", tc.list, tc.s)
		require.ErrorIs(t, err, crm.ErrInvalid, tc.name)
	}
	c, ok, err := parseCursor("op", listCustomers, "")
	require.NoError(t, err)
	require.False(t, ok)
	require.Zero(t, c)
}

func FuzzCursor(f *testing.F) {
	id := crm.MustParseID("0195f0a4-7b2c-7d3e-8f40-123456789abc")
	at := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	for _, c := range []cursor{
		{list: listCustomers, id: id},
		{list: listHistory, at: at, id: id, seq: 3},
		{list: listInteractions, at: at, id: id},
		{list: listVisits, at: at, id: id},
	} {
		f.Add(c.String())
	}
	f.Add("")
	f.Add("AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range []listTag{listCustomers, listHistory, listInteractions, listVisits} {
			c, ok, err := parseCursor("op", l, s)
			if err != nil {
				if !errors.Is(err, crm.ErrInvalid) {
					t.Fatalf("error %v does not wrap ErrInvalid", err)
				}
				continue
			}
			if !ok {
				if s != "" {
					t.Fatalf("non-empty %q parsed as the first page", s)
				}
				continue
			}
			if got := c.String(); got != s {
				t.Fatalf("round trip of %q gave %q", s, got)
			}
		}
	})
}
