package complaint_test

import (
	"context"
	"sync"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/storage/memory"
)

// legacyStore stands for a store holding data written before a rule was
// enforced: its complaints live in a map it writes without checks, and
// every other method comes from a memory store.
type legacyStore struct {
	complaint.Store
	mu sync.Mutex
	m  map[crm.ID]*complaint.Complaint
}

func newLegacyStore() *legacyStore {
	return &legacyStore{Store: memory.New(nil).Complaints(), m: map[crm.ID]*complaint.Complaint{}}
}

// put stores c as it is, around every check.
func (s *legacyStore) put(c *complaint.Complaint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := c.Clone()
	complaint.SavedForTest(d, 1)
	s.m[c.ID()] = d
}

func (s *legacyStore) Get(_ context.Context, _ crm.TenantID, id crm.ID) (*complaint.Complaint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[id]
	if !ok {
		return nil, crm.ErrNotFound
	}
	return c.Clone(), nil
}

func (s *legacyStore) Update(_ context.Context, _ crm.TenantID, id crm.ID, fn func(*complaint.Complaint) error) (*complaint.Complaint, error) {
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
	complaint.SavedForTest(work, cur.Version()+1)
	s.m[id] = work.Clone()
	return work, nil
}
