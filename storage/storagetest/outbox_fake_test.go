package storagetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/storage"
)

// TestRunOutboxFake runs RunOutbox against a small outbox written for the
// purpose, proving that the cases pass on a correct outbox.
func TestRunOutboxFake(t *testing.T) {
	t.Parallel()
	RunOutbox(t, func(testing.TB) OutboxBackend { return &fakeOutbox{} }, Features{})
}

// fakeOutbox is a transactional outbox kept in memory, with transactions
// that buffer appends until they commit.
type fakeOutbox struct {
	mu     sync.Mutex
	events []*fakeEvent // ascending ID order
}

type fakeEvent struct {
	storage.OutboxEvent
	until time.Time // end of the running lease
}

type fakeTx struct{ pending []storage.OutboxEvent }

type fakeTxKey struct{}

func (f *fakeOutbox) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if fn == nil {
		return fmt.Errorf("fake: %w", crm.ErrInvalid)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, ok := ctx.Value(fakeTxKey{}).(*fakeTx); ok {
		return fn(ctx)
	}
	tx := &fakeTx{}
	ctx, sc := crm.NewCommitScope(context.WithValue(ctx, fakeTxKey{}, tx))
	committed := false
	defer func() {
		if !committed {
			sc.Rollback()
		}
	}()
	if err := fn(ctx); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	err := f.insert(tx.pending)
	f.mu.Unlock()
	if err != nil {
		return err
	}
	committed = true
	sc.Commit()
	return nil
}

// dup reports whether an event of e's tenant with e's ID is stored; f.mu
// is held.
func (f *fakeOutbox) dup(e storage.OutboxEvent) bool {
	return slices.ContainsFunc(f.events, func(s *fakeEvent) bool { return s.ID == e.ID && s.Tenant == e.Tenant })
}

// insert stores events, all or none; f.mu is held.
func (f *fakeOutbox) insert(events []storage.OutboxEvent) error {
	for _, e := range events {
		if f.dup(e) {
			return fmt.Errorf("fake: event %s: %w", e.ID, crm.ErrDuplicate)
		}
	}
	for _, e := range events {
		f.events = append(f.events, &fakeEvent{OutboxEvent: e})
	}
	slices.SortFunc(f.events, func(a, b *fakeEvent) int { return a.ID.Compare(b.ID) })
	return nil
}

func (f *fakeOutbox) AppendEvents(ctx context.Context, events []crm.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	enc, err := storage.EncodeEvents(events)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	tx, ok := ctx.Value(fakeTxKey{}).(*fakeTx)
	if !ok {
		return f.insert(enc)
	}
	for _, e := range enc {
		if f.dup(e) || slices.ContainsFunc(tx.pending, func(p storage.OutboxEvent) bool { return p.ID == e.ID && p.Tenant == e.Tenant }) {
			return fmt.Errorf("fake: event %s: %w", e.ID, crm.ErrDuplicate)
		}
	}
	tx.pending = append(tx.pending, enc...)
	return nil
}

func (f *fakeOutbox) ClaimEvents(ctx context.Context, req storage.ClaimRequest) ([]storage.OutboxEvent, error) {
	req, err := req.Normalize()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	out := []storage.OutboxEvent{}
	for _, e := range f.events {
		if len(out) == req.Limit {
			break
		}
		if (req.Tenant != "" && e.Tenant != req.Tenant) || now.Before(e.until) {
			continue
		}
		id, err := crm.UUIDv7{}.NewID()
		if err != nil {
			return nil, err
		}
		e.Claim, e.until = id, now.Add(req.Lease)
		e.Attempts++
		out = append(out, e.OutboxEvent)
	}
	return out, nil
}

func (f *fakeOutbox) AckEvents(ctx context.Context, events []storage.OutboxEvent) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range events {
		f.events = slices.DeleteFunc(f.events, func(e *fakeEvent) bool {
			return e.ID == a.ID && e.Tenant == a.Tenant && e.Claim == a.Claim && !a.Claim.IsZero()
		})
	}
	return nil
}
