package memory_test

import (
	"testing"

	"github.com/crmkit/crm/storage"
	"github.com/crmkit/crm/storage/memory"
	"github.com/crmkit/crm/storage/storagetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storagetest.Run(t, func(testing.TB) storage.Store { return memory.New(nil) }, storagetest.Features{TxExclusive: true})
}
