package memory

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/crmkit/crm"
)

// How tenants are locked.
//
// Each tenant has a gate. A call made outside any transaction passes the
// gate shared for the length of the call; a transaction takes the gate of
// each tenant it touches exclusively, at its first call on that tenant, and
// keeps it until it ends. So a transaction never waits for, nor stops, work
// on tenants it has not touched.
//
// The shared side is one atomic counter (gate.state): entering adds one,
// leaving subtracts one, so the hot path of a read takes no lock. A
// transaction that owns the gate adds ownedBit to the counter: a caller that
// finds the bit set backs out and waits, with its context, on the channel
// the owner closes when it ends. The owner, having set the bit, waits (also
// with its context) until the calls already inside have left; the last one
// out signals it.
//
// Ownership is bookkept under Store.lockMu, which also guards the
// wait-for graph: a transaction about to wait for a tenant owned by another
// transaction first follows the chain of waits from that owner; if the
// chain comes back to the waiter, waiting would deadlock, and the call fails
// with an error wrapping crm.ErrConflict instead. The transaction that
// closes the cycle is the one refused.

// ownedBit marks a gate's state while a transaction owns it; the bits below
// count the calls outside transactions inside the gate.
const ownedBit = int64(1) << 40

// gate is a tenant's lock; see the comment above.
type gate struct {
	state   atomic.Int64  // calls inside + ownedBit when owned
	drained chan struct{} // capacity 1: the last call out wakes the owner

	// Guarded by Store.lockMu.
	owner *tx           // the transaction owning the gate, or nil
	ready chan struct{} // closed when the owner has drained the gate; nil then
	free  chan struct{} // closed when the owner releases the gate
}

func newGate() gate { return gate{drained: make(chan struct{}, 1)} }

// leaveShared ends a call outside a transaction.
func (g *gate) leaveShared() {
	if g.state.Add(-1) == ownedBit {
		select { // the last call out: wake the owner waiting to drain
		case g.drained <- struct{}{}:
		default:
		}
	}
}

// enterShared starts a call outside a transaction on g, waiting while a
// transaction owns it. It returns an error wrapping ctx.Err() when ctx ends
// first.
func (s *Store) enterShared(ctx context.Context, g *gate) error {
	if g.state.Add(1)&ownedBit == 0 {
		return nil // fast path: no transaction owns the tenant
	}
	for {
		g.leaveShared()
		s.lockMu.Lock()
		free := g.free
		s.lockMu.Unlock()
		if free != nil {
			select {
			case <-free:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if g.state.Add(1)&ownedBit == 0 {
			return nil
		}
	}
}

// acquire makes t the owner of g, waiting (with ctx) for another owner to
// end and for the calls outside transactions inside g to leave. A wait that
// would close a cycle of transactions waiting for one another fails with an
// error wrapping crm.ErrConflict.
func (s *Store) acquire(ctx context.Context, t *tx, g *gate) error {
	s.lockMu.Lock()
	for {
		if t.done.Load() { // a stray call of a finished transaction
			s.lockMu.Unlock()
			return errTxDone
		}
		switch g.owner {
		case t:
			ready := g.ready
			if ready == nil {
				s.lockMu.Unlock()
				return nil
			}
			// Another call of t is draining g: wait for it.
			s.lockMu.Unlock()
			select {
			case <-ready:
			case <-ctx.Done():
				return ctx.Err()
			}
			s.lockMu.Lock()
		case nil:
			g.owner = t
			g.ready = make(chan struct{})
			g.free = make(chan struct{})
			g.state.Add(ownedBit)
			t.gates = append(t.gates, g)
			s.lockMu.Unlock()
			err := g.drain(ctx)
			s.lockMu.Lock()
			close(g.ready)
			g.ready = nil
			if err != nil {
				s.releaseLocked(t, g)
				s.lockMu.Unlock()
				return err
			}
			s.lockMu.Unlock()
			return nil
		default:
			if s.waitCycle(t, g.owner) {
				s.lockMu.Unlock()
				return fmt.Errorf("tenant locked by a transaction that waits for this one: %w", crm.ErrConflict)
			}
			free := g.free
			t.waiting = g
			s.lockMu.Unlock()
			var err error
			select {
			case <-free:
			case <-ctx.Done():
				err = ctx.Err()
			}
			s.lockMu.Lock()
			t.waiting = nil
			if err != nil {
				s.lockMu.Unlock()
				return err
			}
		}
	}
}

// drain waits until the calls outside transactions inside g have left. The
// caller has set ownedBit, so no new one enters.
func (g *gate) drain(ctx context.Context) error {
	for g.state.Load() != ownedBit {
		select {
		case <-g.drained:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// waitCycle reports whether t waiting for owner would close a cycle of
// waits. The caller holds lockMu.
func (s *Store) waitCycle(t, owner *tx) bool {
	for o := owner; o != nil; {
		if o == t {
			return true
		}
		if o.waiting == nil {
			return false
		}
		o = o.waiting.owner
	}
	return false
}

// releaseLocked gives up t's ownership of g. The caller holds lockMu.
func (s *Store) releaseLocked(t *tx, g *gate) {
	if g.owner != t {
		return
	}
	g.owner = nil
	g.state.Add(-ownedBit)
	close(g.free)
	g.free = nil
	for i, x := range t.gates {
		if x == g {
			t.gates[i] = t.gates[len(t.gates)-1]
			t.gates = t.gates[:len(t.gates)-1]
			break
		}
	}
}

// releaseAll gives up every gate t owns.
func (s *Store) releaseAll(t *tx) {
	s.lockMu.Lock()
	for len(t.gates) > 0 {
		s.releaseLocked(t, t.gates[len(t.gates)-1])
	}
	s.lockMu.Unlock()
}

// stripe is a lock that honours contexts: a channel of capacity one,
// padded to its own cache line.
type stripe struct {
	ch chan struct{}
	_  [56]byte
}

// lock takes the stripe, or returns ctx.Err() when ctx ends first.
func (st *stripe) lock(ctx context.Context) error {
	select {
	case st.ch <- struct{}{}:
		return nil
	default:
	}
	select {
	case st.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// unlock releases the stripe.
func (st *stripe) unlock() { <-st.ch }

// tx is a running transaction: the undo log of every change made in it and
// the gates it owns.
type tx struct {
	mu        sync.Mutex
	undo      []func()
	done      atomic.Bool
	committed atomic.Bool // set when it commits, before its tenants are released

	// Guarded by Store.lockMu.
	gates   []*gate // owned
	waiting *gate   // the gate one of its calls waits for, or nil
}

// record appends the inverse of a change just made.
func (t *tx) record(f func()) {
	t.mu.Lock()
	t.undo = append(t.undo, f)
	t.mu.Unlock()
}

// commit marks t committed and drops its undo log.
func (t *tx) commit() {
	t.mu.Lock()
	t.undo = nil
	t.mu.Unlock()
	t.committed.Store(true)
}

// rollback undoes every recorded change, newest first.
func (t *tx) rollback() {
	t.mu.Lock()
	undo := t.undo
	t.undo = nil
	t.mu.Unlock()
	for i := len(undo) - 1; i >= 0; i-- {
		undo[i]()
	}
}

// open starts a call on a tenant: it checks ctx, finds the transaction the
// call belongs to (nil for none) and the tenant's shard (created when create
// is set; nil when it does not exist), and takes the shard's gate: shared
// outside a transaction, owned by the transaction inside one. Every
// successful open must be paired with close.
func (s *Store) open(ctx context.Context, tenant crm.TenantID, create bool) (*tx, *tenantData, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	t, _ := ctx.Value(txKey{s}).(*tx)
	if t != nil && t.done.Load() {
		return nil, nil, errTxDone
	}
	td := s.tenant(tenant, create)
	if td == nil {
		return t, nil, nil
	}
	if t == nil {
		if err := s.enterShared(ctx, &td.gate); err != nil {
			return nil, nil, err
		}
		return nil, td, nil
	}
	if err := s.acquire(ctx, t, &td.gate); err != nil {
		return nil, nil, err
	}
	return t, td, nil
}

// close ends a call started by open.
func (s *Store) close(t *tx, td *tenantData) {
	if t == nil && td != nil {
		td.gate.leaveShared()
	}
}
