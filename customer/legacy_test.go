package customer_test

import (
	"context"
	"sync"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// legacyStore stands for a store holding data written before the limits
// were enforced: its customers live in a map it writes without checks,
// and every other method comes from a memory store. legacyBackend serves it
// to a Service, which guards it as it guards every store.
type legacyStore struct {
	customer.Store
	mu sync.Mutex
	m  map[crm.ID]*customer.Customer
}

func newLegacyBackend() *legacyBackend {
	ms := memory.New(nil)
	return &legacyBackend{Store: ms, legacy: &legacyStore{Store: ms.Customers(), m: map[crm.ID]*customer.Customer{}}}
}

type legacyBackend struct {
	*memory.Store
	legacy *legacyStore
}

func (b *legacyBackend) Customers() customer.Store { return b.legacy }

// put stores c as it is, around every check.
func (s *legacyStore) put(c *customer.Customer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := c.Clone()
	customer.SavedForTest(d, 1)
	s.m[c.ID()] = d
}

func (s *legacyStore) Get(_ context.Context, _ crm.TenantID, id crm.ID) (*customer.Customer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[id]
	if !ok {
		return nil, crm.ErrNotFound
	}
	return c.Clone(), nil
}

func (s *legacyStore) Update(_ context.Context, _ crm.TenantID, id crm.ID, fn func(*customer.Customer) error) (*customer.Customer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.m[id]
	if !ok {
		return nil, crm.ErrNotFound
	}
	work := cur.Clone()
	if err := fn(work); err != nil {
		return nil, err
	}
	customer.SavedForTest(work, cur.Version()+1)
	s.m[id] = work.Clone()
	return work, nil
}
