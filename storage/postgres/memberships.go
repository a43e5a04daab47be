package postgres

import (
	"slices"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// membershipTable is the fixture of the memberships table.
var membershipTable = &relTable[*customer.Membership, customer.MembershipQuery]{
	what: "membership", name: "Memberships", table: "memberships", tag: curMemberships,
	cols: []string{"customer_id", "programme", "tier", "cancelled", "term_end"},
	row: func(m *customer.Membership, version int64) ([]any, []byte, error) {
		rec := m.Record()
		rec.Version = version
		doc, err := encodeDoc(rec, crm.Money{}, rec.History)
		return []any{uuidArg(m.Customer()), m.Programme(), m.Tier(), !m.CancelledAt().IsZero(), at(m.TermEnd())}, doc, err
	},
	decode: func(version int64, b []byte) (*customer.Membership, error) {
		return decodeDoc("membership", version, b, func(r *customer.MembershipRecord, version int64, _ crm.Money, vs []*exactMoney) error {
			r.Version = version
			return setStepValues(r.History, vs)
		}, membershipHooks.Adopt)
	},
	where: func(q customer.MembershipQuery, arg func(any) string) []string {
		var conds []string
		if !q.Customer.IsZero() {
			conds = append(conds, "customer_id = "+arg(uuidArg(q.Customer)))
		}
		if q.Programme != "" {
			conds = append(conds, "programme = "+arg(q.Programme))
		}
		if len(q.Tiers) > 0 {
			conds = append(conds, "tier = ANY ("+arg(q.Tiers)+"::text[])")
		}
		if len(q.Statuses) > 0 {
			cancelled := slices.Contains(q.Statuses, customer.MembershipCancelled)
			switch {
			case !cancelled:
				conds = append(conds, "NOT cancelled")
			case len(slices.DeleteFunc(slices.Clone(q.Statuses), func(s customer.MembershipStatus) bool { return s == customer.MembershipCancelled })) == 0:
				conds = append(conds, "cancelled")
			}
		}
		if !q.TermEndsBefore.IsZero() {
			conds = append(conds, "term_end <= "+arg(at(q.TermEndsBefore)))
		}
		return conds
	},
	match: customer.MembershipQuery.Matches,
	check: customer.MembershipQuery.Validate,
	saved: membershipHooks.Saved,
}

// membershipStore implements customer.MembershipStore.
type membershipStore struct {
	relPort[*customer.Membership, customer.MembershipQuery]
}

var _ customer.MembershipStore = (*membershipStore)(nil)
