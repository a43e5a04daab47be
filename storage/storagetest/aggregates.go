package storagetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
)

// The fixtures of the generic harness, one per stored aggregate.

// customerAggregate is the harness fixture of customers.
func customerAggregate(s customer.Store) aggregate[customer.Customer] {
	return aggregate[customer.Customer]{
		name: "customer",
		newRecord: func(tb testing.TB, tenant crm.TenantID, id crm.ID) *customer.Customer {
			return NewCustomer(tb, tenant, &CustomerOptions{ID: id})
		},
		create: s.Create,
		get:    s.Get,
		update: s.Update,
		list: func(ctx context.Context, tenant crm.TenantID, page crm.PageRequest) (crm.Page[*customer.Customer], error) {
			return s.List(ctx, tenant, customer.Query{}, page)
		},
		compare: func(a, b *customer.Customer) int { return a.ID().Compare(b.ID()) },
		id:      (*customer.Customer).ID,
		version: (*customer.Customer).Version,
		// A mark is a tag and a recorded stage move, so that every update
		// also stores a history entry.
		mark: func(x *customer.Customer, i int) error {
			if err := x.AddTag(markText(i)); err != nil {
				return err
			}
			to := customer.Established
			if x.Stage() == customer.Established {
				to = customer.Unfamiliar
			}
			return x.MoveStage(to, "", change(i))
		},
		marks: (*customer.Customer).Tags,
		snapshot: func(tb testing.TB, tenant crm.TenantID, id crm.ID) any {
			return takeSnapshot(tb, s, tenant, id)
		},
		record:  func(_ testing.TB, x *customer.Customer) any { return normRecord(x.Record()) },
		pending: func(x *customer.Customer) any { return [2]any{x.PendingHistory(), x.Events()} },
		createMany: func(ctx context.Context, xs []*customer.Customer) error {
			return s.(customer.Importer).ImportCustomers(ctx, xs)
		},
		consistent: func(tb testing.TB, tenant crm.TenantID, id crm.ID) {
			tb.Helper()
			c := mustGet(tb, s, tenant, id)
			h := allHistory(tb, s, tenant, id, crm.MaxPageLimit)
			require.Len(tb, h, int(c.Record().HistorySeq), "history entries lost or repeated")
		},
		clean: func(tb testing.TB, tenant crm.TenantID) {
			tb.Helper()
			found, err := s.FindByContact(context.Background(), tenant, []string{"mutated@example.com"}, nil, 10)
			require.NoError(tb, err)
			require.Empty(tb, found, "the mutated address reached the contact index")
			p, err := s.List(context.Background(), tenant, customer.Query{Tag: "mutated"}, crm.PageRequest{})
			require.NoError(tb, err)
			require.Empty(tb, p.Items, "the mutated tag reached the tag index")
		},
		mutate: mutateCustomer,
		withTime: func(x *customer.Customer, tm time.Time) (*customer.Customer, error) {
			r := x.Record()
			r.CreatedAt, r.UpdatedAt = tm, tm
			return customer.FromRecord(r)
		},
	}
}

// mutateCustomer changes c in every way a caller could.
func mutateCustomer(tb testing.TB, c *customer.Customer) {
	tb.Helper()
	require.NoError(tb, c.Rename("Mutated by the caller"))
	require.NoError(tb, c.AddTag("mutated"))
	require.NoError(tb, c.SetAttribute("mutated", "yes"))
	email, err := customer.ParseEmail("mutated@example.com")
	require.NoError(tb, err)
	require.NoError(tb, c.AddEmail(email))
}

// visitAggregate is the harness fixture of visits; each new visit belongs
// to a customer of its own, stored when the visit is made.
func visitAggregate(s customer.Store) aggregate[customer.Visit] {
	return aggregate[customer.Visit]{
		name: "visit",
		newRecord: func(tb testing.TB, tenant crm.TenantID, id crm.ID) *customer.Visit {
			c := CreateCustomer(tb, s, tenant, nil)
			v := newVisit(tb, tenant, c.ID(), "sales-1", 2)
			if !id.IsZero() {
				v.ID = id
			}
			return &v
		},
		create: func(ctx context.Context, v *customer.Visit) error {
			if err := s.CreateVisit(ctx, *v); err != nil {
				return err
			}
			v.Version = 1
			return nil
		},
		get: func(ctx context.Context, tenant crm.TenantID, id crm.ID) (*customer.Visit, error) {
			v, err := s.GetVisit(ctx, tenant, id)
			if err != nil {
				return nil, err
			}
			return &v, nil
		},
		update: func(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*customer.Visit) error) (*customer.Visit, error) {
			v, err := s.UpdateVisit(ctx, tenant, id, fn)
			if err != nil {
				return nil, err
			}
			return &v, nil
		},
		list: func(ctx context.Context, tenant crm.TenantID, page crm.PageRequest) (crm.Page[*customer.Visit], error) {
			p, err := s.ListVisits(ctx, tenant, customer.VisitQuery{}, page)
			out := crm.Page[*customer.Visit]{Next: p.Next}
			for i := range p.Items {
				out.Items = append(out.Items, &p.Items[i])
			}
			return out, err
		},
		compare: func(a, b *customer.Visit) int { return customer.CompareVisits(*a, *b) },
		id:      func(v *customer.Visit) crm.ID { return v.ID },
		version: func(v *customer.Visit) int64 { return v.Version },
		mark: func(v *customer.Visit, i int) error {
			v.Purpose += " " + markText(i)
			return nil
		},
		marks: func(v *customer.Visit) []string { return strings.Fields(v.Purpose) },
		snapshot: func(tb testing.TB, tenant crm.TenantID, id crm.ID) any {
			tb.Helper()
			v, err := s.GetVisit(context.Background(), tenant, id)
			require.NoError(tb, err)
			return normVisit(v)
		},
		record: func(_ testing.TB, v *customer.Visit) any { return normVisit(*v) },
		clean: func(tb testing.TB, tenant crm.TenantID) {
			tb.Helper()
			p, err := s.ListVisits(context.Background(), tenant, customer.VisitQuery{Status: customer.VisitCancelled}, crm.PageRequest{})
			require.NoError(tb, err)
			require.Empty(tb, p.Items, "the mutated status reached the store")
		},
		mutate: func(_ testing.TB, v *customer.Visit) {
			v.Purpose, v.Outcome, v.Duration, v.Status = "mutated", "mutated", 7*time.Hour, customer.VisitCancelled
		},
		withTime: func(v *customer.Visit, tm time.Time) (*customer.Visit, error) {
			w := *v
			w.PlannedAt = tm
			return &w, nil
		},
	}
}

// complaintAggregate is the harness fixture of complaints; new complaints
// are under investigation, so repair steps can be added.
func complaintAggregate(s complaint.Store) aggregate[complaint.Complaint] {
	return aggregate[complaint.Complaint]{
		name: "complaint",
		newRecord: func(tb testing.TB, tenant crm.TenantID, id crm.ID) *complaint.Complaint {
			return NewComplaint(tb, tenant, &ComplaintOptions{
				ID: id, Status: complaint.Investigating, Asset: complaint.Asset{{Kind: "unit", ID: "1502"}},
				Attachments: []string{"a.jpg"},
			})
		},
		create: s.Create,
		get:    s.Get,
		update: s.Update,
		list: func(ctx context.Context, tenant crm.TenantID, page crm.PageRequest) (crm.Page[*complaint.Complaint], error) {
			return s.List(ctx, tenant, complaint.Query{}, page)
		},
		compare: func(a, b *complaint.Complaint) int { return a.ID().Compare(b.ID()) },
		id:      (*complaint.Complaint).ID,
		version: (*complaint.Complaint).Version,
		mark: func(x *complaint.Complaint, i int) error {
			return x.AddRepairStep(complaint.StepOnSite, markText(i), true, cchange(10))
		},
		marks: func(x *complaint.Complaint) []string {
			var out []string
			for _, r := range x.RepairTimeline() {
				out = append(out, r.Note)
			}
			return out
		},
		snapshot: func(tb testing.TB, tenant crm.TenantID, id crm.ID) any {
			return takeComplaintSnapshot(tb, s, tenant, id)
		},
		record:  func(tb testing.TB, x *complaint.Complaint) any { return normComplaint(tb, x.Record()) },
		pending: func(x *complaint.Complaint) any { return [2]any{x.PendingAudit(), x.Events()} },
		consistent: func(tb testing.TB, tenant crm.TenantID, id crm.ID) {
			tb.Helper()
			c := mustGetComplaint(tb, s, tenant, id)
			audit := allAudit(tb, s, tenant, id, crm.MaxPageLimit)
			require.Len(tb, audit, int(c.Record().AuditSeq), "audit entries lost or repeated")
			requireAuditWellFormed(tb, id, audit)
		},
		clean: func(tb testing.TB, tenant crm.TenantID) {
			tb.Helper()
			p, err := s.List(context.Background(), tenant, complaint.Query{Owner: "mutator"}, crm.PageRequest{})
			require.NoError(tb, err)
			require.Empty(tb, p.Items, "the mutated owner reached the store's index")
		},
		mutate: mutateComplaint,
		withTime: func(x *complaint.Complaint, tm time.Time) (*complaint.Complaint, error) {
			r := x.Record()
			r.ReceivedAt = tm
			for _, p := range []*time.Time{&r.AcknowledgedAt, &r.FirstResponseAt, &r.ResolvedAt, &r.ClosedAt, &r.RejectedAt} {
				if !p.IsZero() {
					*p = tm
				}
			}
			return complaint.FromRecord(r)
		},
	}
}

// mutateComplaint changes c in every way a caller could; c is open.
func mutateComplaint(tb testing.TB, c *complaint.Complaint) {
	tb.Helper()
	require.NoError(tb, c.AddRepairStep(complaint.StepFixed, "mutated by the caller", true, cchange(100)))
	if c.Owner() != "mutator" { // Update may hand out fn's complaint itself
		require.NoError(tb, c.HandOver("mutator", cchange(100)))
	}
	require.NoError(tb, c.Escalate(cchange(100)))
	require.NoError(tb, c.SetGroup(NewID(tb), cchange(100)))
	require.NoError(tb, c.SetResolution(complaint.Resolution{Remedy: complaint.Apology, Summary: "mutated"}, cchange(100)))
	complaintHooks.Saved(c, 99)
}

// riskAggregate is the harness fixture of risks; each new risk has a
// hotspot key of its own (made of its ID), so risks of one tenant clash
// only on their ID.
func riskAggregate(s complaint.Store) aggregate[complaint.Risk] {
	return aggregate[complaint.Risk]{
		name: "risk",
		newRecord: func(tb testing.TB, tenant crm.TenantID, id crm.ID) *complaint.Risk {
			if id.IsZero() {
				id = NewID(tb)
			}
			return NewRisk(tb, tenant, &RiskOptions{ID: id, Rule: "rule-" + id.String()})
		},
		create: s.CreateRisk,
		get:    s.GetRisk,
		update: s.UpdateRisk,
		list: func(ctx context.Context, tenant crm.TenantID, page crm.PageRequest) (crm.Page[*complaint.Risk], error) {
			return s.ListRisks(ctx, tenant, complaint.RiskQuery{}, page)
		},
		compare: func(a, b *complaint.Risk) int { return a.ID().Compare(b.ID()) },
		id:      (*complaint.Risk).ID,
		version: (*complaint.Risk).Version,
		mark:    func(x *complaint.Risk, i int) error { return x.AddNote("storagetest", markText(i), at(1)) },
		marks: func(x *complaint.Risk) []string {
			var out []string
			for _, n := range x.Notes() {
				out = append(out, n.Text)
			}
			return out
		},
		snapshot: func(tb testing.TB, tenant crm.TenantID, id crm.ID) any {
			return takeRiskSnapshot(tb, s, tenant, id)
		},
		record:  func(_ testing.TB, x *complaint.Risk) any { return normRisk(x.Record()) },
		pending: func(*complaint.Risk) any { return nil }, // a risk records nothing but its state
		clean: func(tb testing.TB, tenant crm.TenantID) {
			tb.Helper()
			p, err := s.ListRisks(context.Background(), tenant, complaint.RiskQuery{Owner: "mutator"}, crm.PageRequest{})
			require.NoError(tb, err)
			require.Empty(tb, p.Items, "the mutated owner reached the store's index")
		},
		mutate: mutateRisk,
		withTime: func(x *complaint.Risk, tm time.Time) (*complaint.Risk, error) {
			r := x.Record()
			r.CreatedAt, r.UpdatedAt = tm, tm
			return complaint.RiskFromRecord(r)
		},
	}
}

// mutateRisk changes r in every way a caller could.
func mutateRisk(tb testing.TB, r *complaint.Risk) {
	tb.Helper()
	require.NoError(tb, r.AddNote("mutator", "mutated by the caller", at(100)))
	require.NoError(tb, r.Reassign("mutator", at(100)))
	if r.Status().CanMoveTo(complaint.RiskAccepted) {
		require.NoError(tb, r.Move(complaint.RiskAccepted, "mutator", "mutated", at(100)))
	}
	riskHooks.Saved(r, 99)
}
