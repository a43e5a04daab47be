package customer_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// dupContact holds the contact points of a test customer.
type dupContact struct {
	emails []string
	phones []string // parsed with default region GB
	addrs  []customer.Address
}

func newDupCustomer(tb testing.TB, n int, kind customer.Kind, name string, ct dupContact) *customer.Customer {
	tb.Helper()
	in := customer.NewInput{
		ID: careID(n), Tenant: "t1", Kind: kind, Name: name,
		Roles: []customer.Role{customer.EndCustomer}, Owner: "alice", Addresses: ct.addrs,
	}
	for _, s := range ct.emails {
		e, err := customer.ParseEmail(s)
		require.NoError(tb, err)
		in.Emails = append(in.Emails, e)
	}
	for _, s := range ct.phones {
		p, err := customer.ParsePhone(s, "GB")
		require.NoError(tb, err)
		in.Phones = append(in.Phones, p)
	}
	c, err := customer.New(in, customer.Change{Actor: "system", At: careT0})
	require.NoError(tb, err)
	return c
}

func dupPerson(tb testing.TB, n int, name string, ct dupContact) *customer.Customer {
	tb.Helper()
	return newDupCustomer(tb, n, customer.Person, name, ct)
}

func dupAddr(tb testing.TB, line, city, postcode string) customer.Address {
	tb.Helper()
	a, err := customer.NewAddress(customer.Address{Lines: []string{line}, Locality: city, PostalCode: postcode, Country: "GB"})
	require.NoError(tb, err)
	return a
}

// dupTombstone and dupErased rebuild c as a tombstone or an erased
// customer, keeping its contact points so that only the status differs.
func dupTombstone(tb testing.TB, c *customer.Customer) *customer.Customer {
	tb.Helper()
	rec := c.Record()
	rec.MergedInto = careID(999)
	out, err := customer.FromRecord(rec)
	require.NoError(tb, err)
	return out
}

func dupErased(tb testing.TB, c *customer.Customer) *customer.Customer {
	tb.Helper()
	rec := c.Record()
	rec.ErasedAt = careT0
	out, err := customer.FromRecord(rec)
	require.NoError(tb, err)
	return out
}

func reasonKinds(c customer.DuplicateCandidate) []string {
	var out []string
	for _, r := range c.Reasons {
		out = append(out, r.Kind)
	}
	return out
}

// noisyOr combines the reasons' weights as the documented formula does.
func noisyOr(c customer.DuplicateCandidate) float64 {
	keep := 1.0
	for _, r := range c.Reasons {
		keep *= 1 - r.Weight
	}
	return 1 - keep
}

func TestScorePair(t *testing.T) {
	t.Parallel()
	downing := dupAddr(t, "10 Downing Street", "London", "SW1A 2AA")
	downing2 := dupAddr(t, "10, downing  STREET", "LONDON", "sw1a2aa")
	baker := dupAddr(t, "221B Baker Street", "London", "NW1 6XE")
	tests := []struct {
		name      string
		a, b      func(testing.TB) *customer.Customer
		kinds     []string
		score     float64 // checked when not 0
		candidate bool
	}{
		{"same email in other case",
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 1, "Anna Schmidt", dupContact{emails: []string{"anna@example.com"}})
			},
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 2, "Carl Weber", dupContact{emails: []string{"ANNA@Example.COM"}})
			},
			[]string{"email"}, 0.85, true},
		{"same phone written two ways",
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 1, "Anna Schmidt", dupContact{phones: []string{"+44 20 7946 0958"}})
			},
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 2, "Carl Weber", dupContact{phones: []string{"(020) 7946-0958"}})
			},
			[]string{"phone"}, 0.8, true},
		{"same name only is not enough",
			func(tb testing.TB) *customer.Customer { return dupPerson(tb, 1, "Wang Wei", dupContact{}) },
			func(tb testing.TB) *customer.Customer { return dupPerson(tb, 2, "Wang Wei", dupContact{}) },
			[]string{"name"}, 0.5, false},
		{"same address only is not enough",
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 1, "Anna Schmidt", dupContact{addrs: []customer.Address{downing}})
			},
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 2, "Carl Weber", dupContact{addrs: []customer.Address{downing2}})
			},
			[]string{"address"}, 0.4, false},
		{"word order and address written differently",
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 1, "Wang Wei", dupContact{addrs: []customer.Address{baker, downing}})
			},
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 2, "WEI, Wang", dupContact{addrs: []customer.Address{downing2}})
			},
			[]string{"name", "address"}, 0.7, true},
		{"typo in name and same address",
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 1, "Jonathan Smith", dupContact{addrs: []customer.Address{downing}})
			},
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 2, "Jonathon Smith", dupContact{addrs: []customer.Address{downing}})
			},
			[]string{"name", "address"}, 0, true},
		{"similar name below threshold and same address",
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 1, "Anna Schmidt", dupContact{addrs: []customer.Address{downing}})
			},
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 2, "Hans Schmidt", dupContact{addrs: []customer.Address{downing}})
			},
			[]string{"address"}, 0.4, false},
		{"email and name with diacritics",
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 1, "José Müller", dupContact{emails: []string{"jm@example.com"}})
			},
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 2, "JOSE MULLER", dupContact{emails: []string{"other@example.com", "JM@example.com"}})
			},
			[]string{"email", "name"}, 0.925, true},
		{"several shared emails count once",
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 1, "Anna Schmidt", dupContact{emails: []string{"a@example.com", "b@example.com"}})
			},
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 2, "Carl Weber", dupContact{emails: []string{"B@example.com", "A@example.com"}})
			},
			[]string{"email"}, 0.85, true},
		{"all evidence",
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 1, "Anna Schmidt", dupContact{emails: []string{"anna@example.com"}, phones: []string{"+44 20 7946 0958"}, addrs: []customer.Address{downing}})
			},
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 2, "Schmidt, Anna", dupContact{emails: []string{"anna@example.com"}, phones: []string{"02079460958"}, addrs: []customer.Address{downing2}})
			},
			[]string{"email", "phone", "name", "address"}, 1 - 0.15*0.2*0.5*0.6, true},
		{"nothing in common",
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 1, "Anna Schmidt", dupContact{emails: []string{"anna@example.com"}, addrs: []customer.Address{downing}})
			},
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 2, "Carl Weber", dupContact{emails: []string{"carl@example.com"}, addrs: []customer.Address{baker}})
			},
			nil, 0, false},
		{"organisations drop legal forms",
			func(tb testing.TB) *customer.Customer {
				return newDupCustomer(tb, 1, customer.Organization, "Acme Holdings Co., Ltd.", dupContact{addrs: []customer.Address{downing}})
			},
			func(tb testing.TB) *customer.Customer {
				return newDupCustomer(tb, 2, customer.Organization, "ACME Holdings", dupContact{addrs: []customer.Address{downing}})
			},
			[]string{"name", "address"}, 0.7, true},
		{"persons keep words that look like legal forms",
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 1, "Acme Holdings Co., Ltd.", dupContact{addrs: []customer.Address{downing}})
			},
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 2, "ACME Holdings", dupContact{addrs: []customer.Address{downing}})
			},
			[]string{"name", "address"}, 1 - (1-0.5*customer.NameSimilarity("acme holdings co ltd", "acme holdings"))*0.6, true},
		{"person and organisation",
			func(tb testing.TB) *customer.Customer {
				return dupPerson(tb, 1, "Wang Wei", dupContact{phones: []string{"+86 138 0013 8000"}})
			},
			func(tb testing.TB) *customer.Customer {
				return newDupCustomer(tb, 2, customer.Organization, "Wang Wei Ltd", dupContact{phones: []string{"+8613800138000"}})
			},
			[]string{"phone", "name"}, 0.9, true},
		{"chinese names by character",
			func(tb testing.TB) *customer.Customer {
				return newDupCustomer(tb, 1, customer.Organization, "华为技术有限公司", dupContact{addrs: []customer.Address{downing}})
			},
			func(tb testing.TB) *customer.Customer {
				return newDupCustomer(tb, 2, customer.Organization, "华为技术", dupContact{addrs: []customer.Address{downing}})
			},
			[]string{"name", "address"}, 0.7, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, b := tt.a(t), tt.b(t)
			got, ok := customer.ScorePair(a, b, customer.DefaultDuplicateRules())
			require.Equal(t, tt.candidate, ok, "score %v, reasons %+v", got.Score, got.Reasons)
			require.Equal(t, a.ID(), got.A)
			require.Equal(t, b.ID(), got.B)
			require.Equal(t, tt.kinds, reasonKinds(got))
			require.InDelta(t, noisyOr(got), got.Score, 1e-12)
			require.GreaterOrEqual(t, got.Score, 0.0)
			require.LessOrEqual(t, got.Score, 1.0)
			if tt.score != 0 {
				require.InDelta(t, tt.score, got.Score, 1e-9)
			}
			for _, r := range got.Reasons {
				require.NotEmpty(t, r.Detail)
				require.Greater(t, r.Weight, 0.0)
			}
			// Symmetric, and the zero rules are the defaults.
			back, okBack := customer.ScorePair(b, a, customer.DuplicateRules{})
			require.Equal(t, ok, okBack)
			require.InDelta(t, got.Score, back.Score, 1e-12)
			require.Equal(t, tt.kinds, reasonKinds(back))
		})
	}
}

func TestScorePairDetails(t *testing.T) {
	t.Parallel()
	a := dupPerson(t, 1, "José Müller", dupContact{emails: []string{"b@example.com", "A@example.com"}, phones: []string{"+44 20 7946 0958"}, addrs: []customer.Address{dupAddr(t, "10 Downing Street", "London", "SW1A 2AA")}})
	b := dupPerson(t, 2, "Jose Muller", dupContact{emails: []string{"a@example.com", "B@Example.com"}, phones: []string{"020 7946 0958"}, addrs: []customer.Address{dupAddr(t, "10 downing street", "london", "SW1A2AA")}})
	got, ok := customer.ScorePair(a, b, customer.DefaultDuplicateRules())
	require.True(t, ok)
	require.Equal(t, []customer.MatchReason{
		{Kind: customer.ReasonEmail, Detail: "b@example.com, a@example.com", Weight: 0.85},
		{Kind: customer.ReasonPhone, Detail: "+442079460958", Weight: 0.8},
		{Kind: customer.ReasonName, Detail: `"José Müller" ~ "Jose Muller": 1.00`, Weight: 0.5},
		{Kind: customer.ReasonAddress, Detail: "10 Downing Street, London, SW1A 2AA, GB", Weight: 0.4},
	}, got.Reasons)
}

func TestScorePairRules(t *testing.T) {
	t.Parallel()
	a := dupPerson(t, 1, "Anna Schmidt", dupContact{emails: []string{"anna@example.com"}})
	b := dupPerson(t, 2, "Anna Schmitt", dupContact{emails: []string{"anna@example.com"}})
	tests := []struct {
		name      string
		rules     customer.DuplicateRules
		kinds     []string
		candidate bool
	}{
		{"defaults", customer.DefaultDuplicateRules(), []string{"email", "name"}, true},
		{"email ignored", customer.DuplicateRules{PhoneWeight: 0.8, NameWeight: 0.5, NameThreshold: 0.88, MinScore: 0.6}, []string{"name"}, false},
		{"name ignored", customer.DuplicateRules{EmailWeight: 0.85, NameThreshold: 0.88, MinScore: 0.6}, []string{"email"}, true},
		{"strict name threshold", customer.DuplicateRules{EmailWeight: 0.85, NameWeight: 0.5, NameThreshold: 1, MinScore: 0.6}, []string{"email"}, true},
		{"high min score", customer.DuplicateRules{EmailWeight: 0.85, NameWeight: 0.5, NameThreshold: 0.88, MinScore: 0.95}, []string{"email", "name"}, false},
		{"min score equal to the weight", customer.DuplicateRules{EmailWeight: 0.85, MinScore: 0.85}, []string{"email"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := customer.ScorePair(a, b, tt.rules)
			require.Equal(t, tt.candidate, ok)
			require.Equal(t, tt.kinds, reasonKinds(got))
		})
	}
}

func TestScorePairNeverCandidates(t *testing.T) {
	t.Parallel()
	ct := dupContact{emails: []string{"anna@example.com"}}
	a := dupPerson(t, 1, "Anna Schmidt", ct)
	b := dupPerson(t, 2, "Anna Schmidt", ct)
	sameID := dupPerson(t, 1, "Anna Schmidt", ct)
	tests := []struct {
		name  string
		a, b  *customer.Customer
		rules customer.DuplicateRules
	}{
		{"same ID", a, sameID, customer.DefaultDuplicateRules()},
		{"same customer", a, a, customer.DefaultDuplicateRules()},
		{"tombstone", a, dupTombstone(t, b), customer.DefaultDuplicateRules()},
		{"tombstone first", dupTombstone(t, a), b, customer.DefaultDuplicateRules()},
		{"erased", a, dupErased(t, b), customer.DefaultDuplicateRules()},
		{"nil", a, nil, customer.DefaultDuplicateRules()},
		{"nil first", nil, b, customer.DefaultDuplicateRules()},
		{"invalid rules", a, b, customer.DuplicateRules{EmailWeight: 2, MinScore: 0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := customer.ScorePair(tt.a, tt.b, tt.rules)
			require.False(t, ok)
			require.Zero(t, got)
		})
	}
	// Control: the same pair is a candidate when both are live.
	_, ok := customer.ScorePair(a, b, customer.DefaultDuplicateRules())
	require.True(t, ok)
}

func TestDuplicateRulesValidate(t *testing.T) {
	t.Parallel()
	ok := customer.DefaultDuplicateRules()
	with := func(f func(*customer.DuplicateRules)) customer.DuplicateRules {
		r := ok
		f(&r)
		return r
	}
	tests := []struct {
		name  string
		rules customer.DuplicateRules
		path  string // "-" when valid
	}{
		{"defaults", ok, "-"},
		{"zero value means defaults", customer.DuplicateRules{}, "-"},
		{"one weight", customer.DuplicateRules{PhoneWeight: 1, MinScore: 1}, "-"},
		{"max block", with(func(r *customer.DuplicateRules) { r.MaxBlock = 10 }), "-"},
		{"negative email weight", with(func(r *customer.DuplicateRules) { r.EmailWeight = -0.1 }), "email_weight"},
		{"phone weight above 1", with(func(r *customer.DuplicateRules) { r.PhoneWeight = 1.1 }), "phone_weight"},
		{"name weight NaN", with(func(r *customer.DuplicateRules) { r.NameWeight = math.NaN() }), "name_weight"},
		{"address weight infinite", with(func(r *customer.DuplicateRules) { r.AddressWeight = math.Inf(1) }), "address_weight"},
		{"threshold above 1", with(func(r *customer.DuplicateRules) { r.NameThreshold = 1.5 }), "name_threshold"},
		{"threshold NaN", with(func(r *customer.DuplicateRules) { r.NameThreshold = math.NaN() }), "name_threshold"},
		{"all weights 0", customer.DuplicateRules{NameThreshold: 0.9, MinScore: 0.5}, ""},
		{"min score 0", with(func(r *customer.DuplicateRules) { r.MinScore = 0 }), "min_score"},
		{"min score above 1", with(func(r *customer.DuplicateRules) { r.MinScore = 1.01 }), "min_score"},
		{"min score NaN", with(func(r *customer.DuplicateRules) { r.MinScore = math.NaN() }), "min_score"},
		{"negative max block", with(func(r *customer.DuplicateRules) { r.MaxBlock = -1 }), "max_block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.rules.Validate()
			if tt.path == "-" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tt.path), "want a problem at %q, got %v", tt.path, err)
			// Invalid rules find nothing.
			a := dupPerson(t, 1, "A", dupContact{phones: []string{"+44 20 7946 0958"}})
			b := dupPerson(t, 2, "B", dupContact{phones: []string{"+44 20 7946 0958"}})
			require.Nil(t, customer.FindDuplicates(a, []*customer.Customer{b}, tt.rules))
			require.Nil(t, customer.FindDuplicatesIn([]*customer.Customer{a, b}, tt.rules))
		})
	}
}

func TestFindDuplicates(t *testing.T) {
	t.Parallel()
	phone := dupContact{phones: []string{"+44 20 7946 0958"}}
	target := dupPerson(t, 10, "Anna Schmidt", dupContact{emails: []string{"anna@example.com"}, phones: phone.phones})
	byEmail := dupPerson(t, 11, "Carl Weber", dupContact{emails: []string{"Anna@example.com"}})
	byPhoneHigh := dupPerson(t, 13, "Dora Klein", phone)
	byPhoneLow := dupPerson(t, 12, "Emil Braun", phone)
	everything := dupPerson(t, 14, "Anna Schmidt", dupContact{emails: []string{"anna@example.com"}, phones: phone.phones})
	nameOnly := dupPerson(t, 15, "Anna Schmidt", dupContact{})
	candidates := []*customer.Customer{
		target, byPhoneHigh, byEmail, nil, byPhoneLow, dupTombstone(t, everything), nameOnly,
		byEmail, dupErased(t, byEmail), everything, target,
	}
	got := customer.FindDuplicates(target, candidates, customer.DefaultDuplicateRules())
	var ids []crm.ID
	for _, c := range got {
		require.Equal(t, target.ID(), c.A)
		ids = append(ids, c.B)
	}
	// Highest score first; equal scores by ID.
	require.Equal(t, []crm.ID{everything.ID(), byEmail.ID(), byPhoneLow.ID(), byPhoneHigh.ID()}, ids)
	require.True(t, slices.IsSortedFunc(got, func(a, b customer.DuplicateCandidate) int {
		return -cmpFloat(a.Score, b.Score)
	}))

	require.Nil(t, customer.FindDuplicates(nil, candidates, customer.DuplicateRules{}))
	require.Nil(t, customer.FindDuplicates(dupTombstone(t, target), candidates, customer.DuplicateRules{}))
	require.Nil(t, customer.FindDuplicates(dupErased(t, target), candidates, customer.DuplicateRules{}))
	require.Empty(t, customer.FindDuplicates(target, nil, customer.DuplicateRules{}))
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// dupBatch builds n customers whose contact points and names are drawn from
// small pools, so that many share a key.
func dupBatch(tb testing.TB, n int, seed uint64) []*customer.Customer {
	tb.Helper()
	r := rand.New(rand.NewPCG(seed, 99))
	first := []string{"Anna", "Anne", "Hans", "Jon", "John", "Wang", "Wei", "José", "Jose", "Li"}
	last := []string{"Schmidt", "Schmitt", "Smith", "Wang", "Wei", "Müller", "Muller", "Na"}
	streets := []string{"10 Downing Street", "221B Baker Street", "1 Main Road", "2 Main Road"}
	out := make([]*customer.Customer, n)
	for i := range out {
		var ct dupContact
		if r.IntN(2) == 0 {
			ct.emails = append(ct.emails, fmt.Sprintf("user%d@example.com", r.IntN(n/2)))
		}
		if r.IntN(2) == 0 {
			ct.phones = append(ct.phones, fmt.Sprintf("+44 20 7946 %04d", r.IntN(n/2)))
		}
		if r.IntN(3) == 0 {
			ct.addrs = append(ct.addrs, dupAddr(tb, streets[r.IntN(len(streets))], "London", fmt.Sprintf("N%d 1AA", r.IntN(n/10+1))))
		}
		kind := customer.Person
		if r.IntN(5) == 0 {
			kind = customer.Organization
		}
		name := first[r.IntN(len(first))] + " " + last[r.IntN(len(last))]
		if kind == customer.Organization && r.IntN(2) == 0 {
			name += " Ltd"
		}
		out[i] = newDupCustomer(tb, i+1, kind, name, ct)
	}
	return out
}

// allPairs is the brute-force reference for FindDuplicatesIn.
func allPairs(customers []*customer.Customer, r customer.DuplicateRules) []customer.DuplicateCandidate {
	var out []customer.DuplicateCandidate
	for i, a := range customers {
		for _, b := range customers[i+1:] {
			x, y := a, b
			if x.ID().Compare(y.ID()) > 0 {
				x, y = y, x
			}
			if c, ok := customer.ScorePair(x, y, r); ok {
				out = append(out, c)
			}
		}
	}
	slices.SortFunc(out, func(a, b customer.DuplicateCandidate) int {
		if c := cmpFloat(b.Score, a.Score); c != 0 {
			return c
		}
		if c := a.A.Compare(b.A); c != 0 {
			return c
		}
		return a.B.Compare(b.B)
	})
	return out
}

func TestFindDuplicatesInMatchesAllPairs(t *testing.T) {
	t.Parallel()
	// Under rules where no name alone makes a candidate, blocking by contact
	// keys loses nothing: the result equals scoring every pair.
	for _, seed := range []uint64{1, 2} {
		batch := dupBatch(t, 200, seed)
		for _, rules := range []customer.DuplicateRules{
			customer.DefaultDuplicateRules(),
			{EmailWeight: 0.3, PhoneWeight: 0.3, NameWeight: 0.45, AddressWeight: 0.3, NameThreshold: 0.8, MinScore: 0.5},
			{AddressWeight: 1, MinScore: 1},
		} {
			want := allPairs(batch, rules)
			require.NotEmpty(t, want)
			got := customer.FindDuplicatesIn(batch, rules)
			require.Equal(t, want, got, "seed %d rules %+v", seed, rules)
			for _, c := range got {
				require.Negative(t, c.A.Compare(c.B))
			}
		}
	}
}

func TestFindDuplicatesInNames(t *testing.T) {
	t.Parallel()
	// Names alone can reach MinScore: names become blocking keys.
	rules := customer.DuplicateRules{NameWeight: 0.9, NameThreshold: 0.9, MinScore: 0.85}
	names := []string{
		"Jonathan Smith", // 1
		"Jonathon Smith", // 2: one letter changed
		"Smith Jonathan", // 3: word order
		"Jonathan Smiht", // 4: transposition
		"Jonathan Smth",  // 5: missing letter
		"Jónathan Smith", // 6: diacritic
		"Carl Weber",     // 7: nobody
		"Karl Webber",    // 8: two edits from 7: not paired by names
	}
	var batch []*customer.Customer
	for i, n := range names {
		batch = append(batch, dupPerson(t, i+1, n, dupContact{}))
	}
	got := customer.FindDuplicatesIn(batch, rules)
	pairs := map[[2]int]bool{}
	for _, c := range got {
		require.Equal(t, []string{"name"}, reasonKinds(c))
		pairs[[2]int{careNum(c.A), careNum(c.B)}] = true
	}
	for _, p := range [][2]int{{1, 2}, {1, 3}, {1, 4}, {1, 5}, {1, 6}, {3, 6}} {
		require.True(t, pairs[p], "pair %v missing from %v", p, pairs)
	}
	for p := range pairs {
		require.NotContains(t, []int{7, 8}, p[0], "pair %v", p)
	}
}

func TestFindDuplicatesInMaxBlock(t *testing.T) {
	t.Parallel()
	var batch []*customer.Customer
	for i := range 5 {
		batch = append(batch, dupPerson(t, i+1, fmt.Sprintf("Staff %c", 'A'+i), dupContact{phones: []string{"+44 20 7946 0000"}}))
	}
	tests := []struct {
		name     string
		maxBlock int
		want     int
	}{
		{"default block", 0, 10},
		{"block just large enough", 5, 10},
		{"switchboard number ignored", 4, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := customer.DefaultDuplicateRules()
			r.MaxBlock = tt.maxBlock
			require.Len(t, customer.FindDuplicatesIn(batch, r), tt.want)
		})
	}
}

func TestFindDuplicatesInSkips(t *testing.T) {
	t.Parallel()
	ct := dupContact{emails: []string{"anna@example.com"}}
	a := dupPerson(t, 1, "Anna Schmidt", ct)
	b := dupPerson(t, 2, "Anna Schmidt", ct)
	c := dupPerson(t, 3, "Anna Schmidt", ct)
	got := customer.FindDuplicatesIn([]*customer.Customer{c, nil, a, dupTombstone(t, b), a, dupErased(t, b)}, customer.DuplicateRules{})
	require.Len(t, got, 1)
	require.Equal(t, a.ID(), got[0].A)
	require.Equal(t, c.ID(), got[0].B)
	require.Empty(t, customer.FindDuplicatesIn(nil, customer.DuplicateRules{}))
}
