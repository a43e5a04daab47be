package memory

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/storage"
)

// Limits of [Options.Stripes].
const (
	// DefaultStripes is the number of lock stripes of a store made with
	// nil options or Stripes 0.
	DefaultStripes = 1024
	// MaxStripes is the largest number of lock stripes a store uses.
	MaxStripes = 1 << 16
)

// Options configure a [Store]. A nil *Options, and every zero field, takes
// the default named beside the field.
type Options struct {
	// Stripes is the number of lock stripes that serialise concurrent
	// closure updates (Update, UpdateVisit) and compare-and-swap saves of
	// the same record; updates of records in different stripes run in
	// parallel. It is rounded up to a power of two and capped at
	// MaxStripes. Default: DefaultStripes.
	Stripes int

	// Clock measures the leases of outbox claims (see [Store.ClaimEvents]).
	// Default: crm.SystemClock.
	Clock crm.Clock
}

// Store is an in-memory implementation of [storage.Store]. It is safe for
// concurrent use; see the package documentation for how it locks, copies
// and runs transactions. Create one with [New]; the zero value is not
// usable.
type Store struct {
	// lockMu guards the ownership of the tenants' gates and the wait-for
	// graph of transactions; see lock.go.
	lockMu sync.Mutex

	mu      sync.RWMutex // guards tenants (the map, not the shards)
	tenants map[crm.TenantID]*tenantData

	stripes []stripe
	mask    uint64

	clock     crm.Clock
	claimLock stripe // serialises outbox claims and acknowledgements

	custs customerStore
	cmps  complaintStore
	opps  opportunityStore
	// The ports as application code reaches them: behind the domain
	// packages' checking layers (customer.Guard, complaint.Guard).
	guardedCusts customer.Store
	guardedCmps  complaint.Store
	guardedOpps  opportunity.Store
	leads        leadStore
	guardedLeads lead.Store
	rel          relationStores // see referrals.go
}

var _ storage.Store = (*Store)(nil)

// New returns an empty store configured by opts (nil for the defaults).
func New(opts *Options) *Store {
	n := DefaultStripes
	if opts != nil && opts.Stripes > 0 {
		n = min(opts.Stripes, MaxStripes)
	}
	size := 1
	for size < n {
		size <<= 1
	}
	s := &Store{
		tenants: make(map[crm.TenantID]*tenantData),
		stripes: make([]stripe, size),
		mask:    uint64(size - 1),
	}
	for i := range s.stripes {
		s.stripes[i].ch = make(chan struct{}, 1)
	}
	s.claimLock.ch = make(chan struct{}, 1)
	s.clock = crm.Clock(crm.SystemClock{})
	if opts != nil && opts.Clock != nil {
		s.clock = opts.Clock
	}
	s.custs.s = s
	s.cmps.s = s
	s.guardedCusts = customer.Guard(&s.custs)
	s.opps.s = s
	s.guardedCmps = complaint.Guard(&s.cmps)
	s.guardedOpps = opportunity.Guard(&s.opps)
	s.leads.s = s
	s.guardedLeads = lead.Guard(&s.leads)
	s.rel.init(s)
	return s
}

// Customers returns the store's customer store, behind customer.Guard.
func (s *Store) Customers() customer.Store { return s.guardedCusts }

// Complaints returns the store's complaint store, behind complaint.Guard.
func (s *Store) Complaints() complaint.Store { return s.guardedCmps }

// Opportunities returns the store's opportunity store, behind
// opportunity.Guard.
func (s *Store) Opportunities() opportunity.Store { return s.guardedOpps }

// Leads returns the store's lead store (with its campaigns), behind
// lead.Guard.
func (s *Store) Leads() lead.Store { return s.guardedLeads }

// InTx runs fn in a transaction; see [crm.Transactor]. The transaction
// takes each tenant it touches, at its first call on that tenant, until it
// ends: calls made outside it on those tenants wait for its end (honouring
// their contexts), calls on other tenants never wait for it. fn must
// therefore make its store calls with the context it receives (or one
// derived from it): a call with an unrelated context on a tenant the
// transaction holds waits until that context ends. Two transactions that
// would wait for each other (touching two tenants in opposite orders) do
// not hang: the call that would close the cycle fails with an error
// wrapping crm.ErrConflict, and its transaction should return it.
//
// When fn returns an error or panics, every change made in the transaction
// is undone before InTx returns the error unchanged or re-raises the panic.
// Functions registered with crm.AfterCommit during fn run after the commit,
// once the transaction's tenants are released, and never after a rollback;
// those registered with crm.AfterRollback (the guards' restores of the
// entities stored in it) run after a rollback, once the changes are undone
// and the tenants released.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if fn == nil {
		return fmt.Errorf("memory: in tx: %w", crm.Invalid("memory.InTx", "fn", "must not be nil"))
	}
	if t, ok := ctx.Value(txKey{s}).(*tx); ok {
		if t.done.Load() {
			return fmt.Errorf("memory: in tx: %w", errTxDone)
		}
		return fn(ctx) // join the outer transaction
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory: in tx: %w", err)
	}
	t := &tx{}
	ctx, scope := crm.NewCommitScope(ctx)
	committed := false
	defer func() {
		t.done.Store(true)
		if committed {
			t.commit()
		} else {
			t.rollback()
		}
		s.releaseAll(t)
		if committed {
			scope.Commit()
		} else {
			scope.Rollback()
		}
	}()
	if err := fn(context.WithValue(ctx, txKey{s}, t)); err != nil {
		return err
	}
	committed = true
	return nil
}

// txKey finds a store's transaction in a context; each store has its own
// key, so transactions of two stores can travel in one context.
type txKey struct{ s *Store }

// errTxDone refuses calls made with the context of a finished transaction.
var errTxDone = crm.Invalid("memory.InTx", "ctx", "the transaction in the context has already finished")

// tenant returns the shard of a tenant, creating it when create is set; nil
// when it does not exist and create is not set.
func (s *Store) tenant(id crm.TenantID, create bool) *tenantData {
	s.mu.RLock()
	td := s.tenants[id]
	s.mu.RUnlock()
	if td != nil || !create {
		return td
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if td = s.tenants[id]; td == nil {
		td = newTenantData(id)
		s.tenants[id] = td
	}
	return td
}

// stripeFor returns the lock stripe of a record.
func (s *Store) stripeFor(id crm.ID) *stripe {
	h := binary.BigEndian.Uint64(id[8:]) ^ binary.BigEndian.Uint64(id[:8])
	h ^= h >> 31
	h *= 0x9e3779b97f4a7c15
	h ^= h >> 29
	return &s.stripes[h&s.mask]
}
