// Package pgtest gives the tests of storage/postgres a PostgreSQL server.
//
// # Where the server comes from
//
// [Main] runs a test binary. When the environment variable
// CRM_TEST_POSTGRES_DSN holds a connection string, the tests use that
// server. Otherwise Main starts a throwaway server from the installed
// binaries (initdb and pg_ctl, found under /usr/lib/postgresql/*/bin, in
// $CRM_TEST_POSTGRES_BIN, or on $PATH): it makes a temporary directory,
// runs initdb in it, starts the server on a free loopback port with its
// unix socket in that directory and durability switched off for speed,
// waits until it accepts connections, runs the tests, then stops the server
// and removes the directory. When the caller is root, the directory is
// handed to the "postgres" system user and the binaries run as that user
// (PostgreSQL refuses to run as root).
//
// When no server can be had, Main prints a loud message and runs no test
// at all, so that the summary line "go test ./..." prints for the package
// ends in "[no tests to run]" rather than a bare "ok"; under CI=true it
// fails the run instead. With an explicit -run pattern the chosen tests
// run and those that need a server skip themselves.
//
// # Isolation
//
// Every test makes its own schema with [Schema] (dropped when the test
// ends), so tests run in parallel against one server without seeing each
// other's rows.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Environment variables read by Main.
const (
	// EnvDSN names a server to use instead of a throwaway one.
	EnvDSN = "CRM_TEST_POSTGRES_DSN"
	// EnvBin names a directory holding initdb and pg_ctl.
	EnvBin = "CRM_TEST_POSTGRES_BIN"
	// EnvKeep, when "1", keeps the throwaway server's directory after the
	// run (its log is there), for debugging.
	EnvKeep = "CRM_TEST_POSTGRES_KEEP"
)

var (
	dsn         string // the server's connection string; "" when none
	unavailable string // why there is no server

	poolOnce sync.Once
	pool     *pgxpool.Pool
	poolErr  error
)

// Main starts (or finds) the server, runs the tests and stops the server.
// It calls os.Exit and never returns.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	if isSet("test.fuzzworker") || isSet("test.list") {
		// A fuzzing worker or a listing needs no server.
		unavailable = "not started in fuzz workers and listings"
		return m.Run()
	}
	var srv *server
	dsn = os.Getenv(EnvDSN)
	if dsn == "" {
		var err error
		srv, err = start()
		if err != nil {
			unavailable = err.Error()
			if os.Getenv("CI") == "true" {
				fmt.Fprintf(os.Stderr, "pgtest: FAIL: no PostgreSQL server under CI: %s\n", unavailable)
				return 1
			}
			fmt.Fprintf(os.Stderr, "\n*** pgtest: NO POSTGRESQL SERVER: tests that need one are SKIPPED: %s\n"+
				"*** set %s or install PostgreSQL (e.g. apt-get install postgresql) to run them.\n\n", unavailable, EnvDSN)
			if f := flag.Lookup("test.run"); f != nil && f.Value.String() == "" {
				// Run nothing, so that go test's one-line summary of the
				// package says "[no tests to run]" instead of a bare "ok"
				// that would hide the skip. A -run pattern given by hand
				// is kept: its tests skip one by one, -v shows why.
				_ = f.Value.Set("^$")
			}
			// Examples cannot skip themselves; leave them out.
			if f := flag.Lookup("test.skip"); f != nil && f.Value.String() == "" {
				_ = f.Value.Set("^Example")
			}
		} else {
			dsn = srv.dsn
		}
	}
	code := m.Run()
	if pool != nil {
		pool.Close()
	}
	if srv != nil {
		if err := srv.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stopping the server: %s\n", err)
		}
	}
	return code
}

// isSet reports whether the boolean or string flag name has a non-default
// value.
func isSet(name string) bool {
	f := flag.Lookup(name)
	return f != nil && f.Value.String() != f.DefValue
}

// DSN returns the server's connection string, skipping t when there is no
// server.
func DSN(t testing.TB) string {
	t.Helper()
	if dsn == "" {
		t.Skipf("pgtest: no PostgreSQL server: %s", unavailable)
	}
	return dsn
}

// ExampleDSN returns the server's connection string for Example functions
// (which cannot skip: Main leaves them out when there is no server).
func ExampleDSN() string { return dsn }

// Pool returns a connection pool to the server shared by all tests of the
// binary, skipping t when there is no server.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	d := DSN(t)
	poolOnce.Do(func() {
		var cfg *pgxpool.Config
		cfg, poolErr = pgxpool.ParseConfig(d)
		if poolErr != nil {
			return
		}
		cfg.MaxConns = 40
		pool, poolErr = pgxpool.NewWithConfig(context.Background(), cfg)
	})
	if poolErr != nil {
		t.Fatalf("pgtest: pool: %v", poolErr)
	}
	return pool
}

// NewPool returns a pool of its own for t, configured by edit (which may be
// nil) and closed when t ends.
func NewPool(t testing.TB, edit func(*pgxpool.Config)) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(DSN(t))
	if err != nil {
		t.Fatalf("pgtest: parse dsn: %v", err)
	}
	if edit != nil {
		edit(cfg)
	}
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("pgtest: pool: %v", err)
	}
	t.Cleanup(p.Close)
	return p
}

// Schema returns the name of a fresh, not yet created schema for t and
// drops it (with everything in it) when t ends. The name is unique: a
// prefix, a sanitized test name and random bits.
func Schema(t testing.TB) string {
	t.Helper()
	p := Pool(t)
	name := SchemaName(t.Name())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := p.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", name, err)
		}
	})
	return name
}

// SchemaName makes a unique, valid schema name from a test name.
func SchemaName(testName string) string {
	var b strings.Builder
	b.WriteString("t_")
	for _, r := range strings.ToLower(testName) {
		if b.Len() >= 40 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	b.WriteByte('_')
	b.WriteString(hex.EncodeToString(rnd[:]))
	return b.String()
}

// server is a throwaway PostgreSQL instance.
type server struct {
	dir    string // temporary directory: data/, the socket and the log
	pgCtl  string
	runAs  *osUser
	dsn    string
	logLoc string
}

// Throwaway servers live in directories named dirPrefix+random under the
// temporary directory, holding ownerFile: the process ID of the test binary
// that started them.
const (
	dirPrefix = "crm-pgtest-"
	ownerFile = "owner.pid"
)

// reapStale stops and removes the servers of test binaries that died
// without cleaning up (a panicking test ends the process at once).
func reapStale(bin string, runAs *osUser) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 || alive(pid) {
			continue
		}
		s := &server{dir: dir, pgCtl: filepath.Join(bin, "pg_ctl"), runAs: runAs}
		if _, err := os.Stat(filepath.Join(dir, "data", "postmaster.pid")); err == nil {
			_, _ = s.command(s.pgCtl, "stop", "-D", filepath.Join(dir, "data"), "-m", "immediate", "-w").CombinedOutput()
		}
		_ = os.RemoveAll(dir)
	}
}

// start initialises and starts a throwaway server.
func start() (*server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	runAs, err := currentRunAs()
	if err != nil {
		return nil, err
	}
	reapStale(bin, runAs)
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("owner file: %w", err)
	}
	s := &server{dir: dir, pgCtl: filepath.Join(bin, "pg_ctl"), runAs: runAs, logLoc: filepath.Join(dir, "server.log")}
	fail := func(err error) (*server, error) {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if err := runAs.own(dir); err != nil {
		return fail(err)
	}
	data := filepath.Join(dir, "data")
	out, err := s.command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
		"--encoding=UTF8", "--locale=C.UTF-8", "--no-sync").CombinedOutput()
	if err != nil {
		return fail(fmt.Errorf("initdb: %w: %s", err, tail(out)))
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return fail(err)
		}
		opts := strings.Join([]string{
			"-p", strconv.Itoa(port),
			"-k", dir,
			"-c", "listen_addresses=127.0.0.1",
			"-c", "fsync=off",
			"-c", "synchronous_commit=off",
			"-c", "full_page_writes=off",
			"-c", "max_connections=200",
			"-c", "shared_buffers=256MB",
			"-c", "max_locks_per_transaction=256",
			"-c", "deadlock_timeout=100ms",
		}, " ")
		out, err = s.command(s.pgCtl, "start", "-D", data, "-w", "-t", "60", "-l", s.logLoc, "-o", opts).CombinedOutput()
		if err != nil {
			lastErr = fmt.Errorf("pg_ctl start: %w: %s %s", err, tail(out), s.logTail())
			continue
		}
		s.dsn = fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres sslmode=disable", dir, port)
		if err := waitReady(s.dsn); err != nil {
			_ = s.stop()
			return nil, err
		}
		return s, nil
	}
	return fail(lastErr)
}

func (s *server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	s.runAs.apply(cmd)
	return cmd
}

// stop stops the server and removes its directory.
func (s *server) stop() error {
	out, err := s.command(s.pgCtl, "stop", "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w").CombinedOutput()
	if os.Getenv(EnvKeep) == "1" {
		fmt.Fprintf(os.Stderr, "pgtest: kept %s\n", s.dir)
		return nil
	}
	rmErr := os.RemoveAll(s.dir)
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %w: %s", err, tail(out))
	}
	return rmErr
}

func (s *server) logTail() string {
	b, _ := os.ReadFile(s.logLoc)
	return tail(b)
}

// findBin finds the directory holding initdb and pg_ctl, newest version
// first.
func findBin() (string, error) {
	if d := os.Getenv(EnvBin); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		d := filepath.Dir(p)
		if isExec(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	return "", errors.New("no initdb/pg_ctl found under /usr/lib/postgresql/*/bin or on PATH")
}

func versionOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitReady(dsn string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := pgx.Connect(ctx, dsn)
		if err == nil {
			err = c.Ping(ctx)
			_ = c.Close(ctx)
		}
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server not ready: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	return s
}

// Serve starts a throwaway server outside a test binary (for the withpg
// command) and returns its connection string and the function that stops
// it and removes its files.
func Serve() (dsn string, stop func() error, err error) {
	srv, err := start()
	if err != nil {
		return "", nil, err
	}
	return srv.dsn, srv.stop, nil
}
