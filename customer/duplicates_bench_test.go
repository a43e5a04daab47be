package customer_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/crmkit/crm/customer"
)

// benchDupBatch builds n customers, each with its own e-mail address and
// phone number and a third with an address; about 2% repeat another
// customer's e-mail address or phone number under a varied name, as an
// import with duplicates would.
func benchDupBatch(b *testing.B, n int) []*customer.Customer {
	b.Helper()
	r := rand.New(rand.NewPCG(42, 7))
	first := []string{"Anna", "Hans", "John", "Maria", "Wei", "Li", "José", "Fatima", "Olga", "Kenji", "Amir", "Sara"}
	last := []string{"Schmidt", "Smith", "Wang", "Müller", "García", "Kowalski", "Tanaka", "Haddad", "Rossi", "Novak"}
	out := make([]*customer.Customer, n)
	for i := range out {
		id := i
		if i > 0 && r.IntN(50) == 0 {
			id = r.IntN(i) // reuse an earlier customer's contact points
		}
		ct := dupContact{
			emails: []string{fmt.Sprintf("user%d@example.com", id)},
			phones: []string{fmt.Sprintf("+44 20 %04d %04d", id/10000, id%10000)},
		}
		if id%3 == 0 {
			ct.addrs = []customer.Address{dupAddr(b, fmt.Sprintf("%d High Street", id+1), "London", fmt.Sprintf("E%d 1AA", id%20+1))}
		}
		name := first[r.IntN(len(first))] + " " + last[r.IntN(len(last))]
		out[i] = newDupCustomer(b, i+1, customer.Person, name, ct)
	}
	return out
}

func BenchmarkFindDuplicatesIn(b *testing.B) {
	batch := benchDupBatch(b, 100_000)
	for _, bc := range []struct {
		name  string
		rules customer.DuplicateRules
	}{
		{"defaults", customer.DefaultDuplicateRules()},
		// Names alone reach MinScore, so names are blocking keys as well.
		{"name_keys", customer.DuplicateRules{EmailWeight: 0.85, PhoneWeight: 0.8, NameWeight: 0.9, AddressWeight: 0.4, NameThreshold: 0.95, MinScore: 0.85}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				n = len(customer.FindDuplicatesIn(batch, bc.rules))
			}
			b.ReportMetric(float64(n), "candidates")
		})
	}
}

func BenchmarkFindDuplicates(b *testing.B) {
	batch := benchDupBatch(b, 201)
	target, candidates := batch[0], batch[1:]
	b.ReportAllocs()
	for b.Loop() {
		customer.FindDuplicates(target, candidates, customer.DuplicateRules{})
	}
}

func BenchmarkScorePair(b *testing.B) {
	a := dupPerson(b, 1, "José Müller", dupContact{emails: []string{"jm@example.com"}, phones: []string{"+44 20 7946 0958"}, addrs: []customer.Address{dupAddr(b, "10 Downing Street", "London", "SW1A 2AA")}})
	c := dupPerson(b, 2, "Jose Muller", dupContact{emails: []string{"JM@example.com"}, phones: []string{"020 7946 0958"}, addrs: []customer.Address{dupAddr(b, "10 downing street", "London", "SW1A2AA")}})
	rules := customer.DefaultDuplicateRules()
	b.ReportAllocs()
	for b.Loop() {
		customer.ScorePair(a, c, rules)
	}
}
