package complaint_test

import (
	"testing"

	"github.com/crmkit/crm/complaint"
)

func BenchmarkTransition(b *testing.B) {
	base, m := at(b, complaint.Investigating)
	b.ReportAllocs()
	for b.Loop() {
		c := base.Clone()
		if err := c.Transition(complaint.ResponseProposed, chg(m+1)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCategoryPath(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := leakTree.Path("window"); err != nil {
			b.Fatal(err)
		}
	}
}
