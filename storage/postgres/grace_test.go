package postgres

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// deafProxy forwards connections to the server at cfg but swallows cancel
// requests: it reads them and never answers nor passes them on, as a
// server behind a broken network path would. It returns the proxy's port.
func deafProxy(t *testing.T, cfg *pgx.ConnConfig) uint16 {
	t.Helper()
	network, addr := "tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	if strings.HasPrefix(cfg.Host, "/") {
		network, addr = "unix", cfg.Host+"/.s.PGSQL."+strconv.Itoa(int(cfg.Port))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	keep := func(c net.Conn) {
		mu.Lock()
		open = append(open, c)
		mu.Unlock()
	}
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			keep(c)
			wg.Go(func() {
				var head [8]byte
				if _, err := io.ReadFull(c, head[:]); err != nil {
					return
				}
				if binary.BigEndian.Uint32(head[:4]) == 16 && binary.BigEndian.Uint32(head[4:]) == 80877102 {
					// A cancel request: held open, never answered.
					_, _ = io.Copy(io.Discard, c)
					return
				}
				up, err := net.Dial(network, addr)
				if err != nil {
					c.Close()
					return
				}
				keep(up)
				if _, err := up.Write(head[:]); err != nil {
					return
				}
				wg.Go(func() { _, _ = io.Copy(up, c); up.Close() })
				_, _ = io.Copy(c, up)
				c.Close()
			})
		}
	})
	return uint16(ln.Addr().(*net.TCPAddr).Port)
}

// TestCancelNeverAnswered cancels a write that waits for a row lock on a
// connection whose cancel requests never reach the server: after the
// grace period the call gives up on the connection and reports that the
// outcome is unknown (the statement may still run once the lock is
// released), instead of hanging or claiming nothing was stored.
func TestCancelNeverAnswered(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var port uint16
	pool := pgtest.NewPool(t, func(c *pgxpool.Config) {
		port = deafProxy(t, c.ConnConfig)
		c.ConnConfig.Host, c.ConnConfig.Port, c.ConnConfig.Fallbacks = "127.0.0.1", port, nil
		c.MaxConns = 2
	})
	s, err := New(pool, &Options{Schema: pgtest.Schema(t)})
	require.NoError(t, err)
	s.grace = 300 * time.Millisecond
	_, err = s.Migrate(ctx)
	require.NoError(t, err)

	ten := crm.TenantID("tenant-grace")
	c, err := customer.New(customer.NewInput{ID: crm.ID(uuid.Must(uuid.NewV7())), Tenant: ten, Kind: customer.Person, Name: "Ada Lovelace",
		Roles: []customer.Role{customer.EndCustomer}, Owner: "owner-1"}, customer.Change{Actor: "tester", At: time.Now()})
	require.NoError(t, err)
	require.NoError(t, s.Customers().Create(ctx, c))
	c, err = s.Customers().Get(ctx, ten, c.ID())
	require.NoError(t, err)
	require.NoError(t, c.Rename("Waiting"))

	// Another connection (straight to the server) holds the row lock.
	lock, err := pgtest.Pool(t).Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = lock.Rollback(ctx) }()
	_, err = lock.Exec(ctx, "SELECT 1 FROM "+pgx.Identifier{s.Schema(), "customers"}.Sanitize()+
		" WHERE tenant_id = $1 AND id = $2 FOR UPDATE", string(ten), uuidArg(c.ID()))
	require.NoError(t, err)

	dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.Customers().Save(dctx, c)
	elapsed := time.Since(start)
	require.ErrorIs(t, err, crm.ErrOutcomeUnknown)
	require.GreaterOrEqual(t, elapsed, 300*time.Millisecond, "gave up before the grace period: %v", err)
	require.Less(t, elapsed, 3*time.Second)

	// The broken connection did not go back to the pool: every later
	// call works.
	require.NoError(t, lock.Rollback(ctx))
	for range 4 {
		_, err := s.Customers().Get(ctx, ten, c.ID())
		require.NoError(t, err)
	}
}
