package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/opportunity"
)

// OpportunityPipeline returns the pipeline of fixture opportunities, code
// "sales" of team "east": open stages "qualify" (0.1), "propose" (0.5,
// best case) and "commit" (0.8, commit), one stage may be skipped, moves
// back are allowed with a reason, no requirements.
func OpportunityPipeline() *opportunity.Pipeline {
	return &opportunity.Pipeline{
		Code: "sales", Team: "east",
		Stages: []opportunity.StageDef{
			{Code: "qualify", Probability: 0.1},
			{Code: "propose", Probability: 0.5, Category: opportunity.CategoryBestCase},
			{Code: "commit", Probability: 0.8, Category: opportunity.CategoryCommit},
		},
		MaxSkip: 1, AllowBack: true,
	}
}

// OpportunityOptions describe a fixture opportunity; zero fields take the
// defaults named beside them.
type OpportunityOptions struct {
	// ID defaults to a new UUIDv7; Customer to another one (the
	// opportunity store does not check that the customer exists).
	ID       crm.ID
	Customer crm.ID
	// Owner defaults to "owner-1".
	Owner crm.UserID
	// Team defaults to the pipeline's ("east").
	Team string
	// Stage defaults to "qualify"; "won" and "lost" close the opportunity
	// from "propose" one hour after creation.
	Stage string
	// Amount defaults to 1000.00 CNY.
	Amount crm.Money
	// CloseDate defaults to 2025-03-31.
	CloseDate calendar.Date
	// At is the creation time; default 2025-01-02T03:04:05Z.
	At time.Time
}

// ochange is a change made by "storagetest" at epoch plus h hours.
func ochange(h int, reason string) opportunity.Change {
	return opportunity.Change{Actor: "storagetest", At: at(h), Reason: reason}
}

// NewOpportunity builds (but does not store) an opportunity of tenant with
// opportunity.New on [OpportunityPipeline], then moves it to opts.Stage
// with real moves, failing tb when opts are invalid. A nil opts takes every
// default.
func NewOpportunity(tb testing.TB, tenant crm.TenantID, opts *OpportunityOptions) *opportunity.Opportunity {
	tb.Helper()
	var o OpportunityOptions
	if opts != nil {
		o = *opts
	}
	if o.ID.IsZero() {
		o.ID = NewID(tb)
	}
	if o.Customer.IsZero() {
		o.Customer = NewID(tb)
	}
	if o.Owner == "" {
		o.Owner = "owner-1"
	}
	if o.Amount == (crm.Money{}) {
		o.Amount = crm.MustParseMoney("1000.00 CNY")
	}
	if o.CloseDate == (calendar.Date{}) {
		o.CloseDate = calendar.Date{Year: 2025, Month: time.March, Day: 31}
	}
	if o.At.IsZero() {
		o.At = epoch
	}
	p := OpportunityPipeline()
	s := o.ID.String()
	x, err := opportunity.New(opportunity.NewInput{
		ID: o.ID, Tenant: tenant, Customer: o.Customer, Owner: o.Owner, Team: o.Team,
		Name: "Deal " + s[len(s)-6:], Source: opportunity.Source{Kind: opportunity.FromExistingCustomer},
		Currency: o.Amount.Currency(), Amount: o.Amount, CloseDate: o.CloseDate,
	}, p, opportunity.Change{Actor: "storagetest", At: o.At})
	require.NoError(tb, err)
	later := opportunity.Change{Actor: "storagetest", At: o.At.Add(time.Hour), Reason: "fixture"}
	switch o.Stage {
	case "", "qualify":
	case opportunity.StageWon:
		require.NoError(tb, x.MoveStage(p, "propose", later))
		require.NoError(tb, x.CloseWon(p, opportunity.WonDetails{ContractDate: calendar.DateOf(later.At), Contract: "C-" + s[len(s)-6:]}, later))
	case opportunity.StageLost:
		require.NoError(tb, x.MoveStage(p, "propose", later))
		require.NoError(tb, x.CloseLost(p, opportunity.LostDetails{Reason: "price"}, later))
	default:
		require.NoError(tb, x.MoveStage(p, o.Stage, later))
	}
	return x
}

// CreateOpportunity builds an opportunity like [NewOpportunity] and stores
// it, failing tb on error.
func CreateOpportunity(tb testing.TB, s opportunity.Store, tenant crm.TenantID, opts *OpportunityOptions) *opportunity.Opportunity {
	tb.Helper()
	o := NewOpportunity(tb, tenant, opts)
	require.NoError(tb, s.Create(context.Background(), o))
	require.Equal(tb, int64(1), o.Version())
	return o
}

// normOpportunity normalises a record for require.Equal: times in UTC,
// empty lists nil, amounts re-parsed so that their decimal representation
// compares equal.
func normOpportunity(tb testing.TB, r opportunity.Record) opportunity.Record {
	tb.Helper()
	norm := func(m crm.Money) crm.Money {
		if m == (crm.Money{}) {
			return m
		}
		n, err := crm.ParseMoney(m.String())
		require.NoError(tb, err)
		return n
	}
	r.StageSince, r.ClosedAt = normTime(r.StageSince), normTime(r.ClosedAt)
	r.CreatedAt, r.UpdatedAt = normTime(r.CreatedAt), normTime(r.UpdatedAt)
	r.Amount = norm(r.Amount)
	r.Contacts, r.Approvals = nilIfEmpty(r.Contacts), nilIfEmpty(r.Approvals)
	r.Lines, r.Competitors = nilIfEmpty(r.Lines), nilIfEmpty(r.Competitors)
	normDec := func(d decimal.Decimal) decimal.Decimal {
		n, err := decimal.NewFromString(d.String())
		require.NoError(tb, err)
		return n
	}
	for i := range r.Competitors {
		r.Competitors[i].Offer = norm(r.Competitors[i].Offer)
	}
	for i := range r.Lines {
		l := &r.Lines[i]
		l.Quantity, l.Discount = normDec(l.Quantity), normDec(l.Discount)
		l.ListPrice, l.Total = norm(l.ListPrice), norm(l.Total)
		l.Adjustments = nilIfEmpty(l.Adjustments)
		for j := range l.Adjustments {
			l.Adjustments[j].Percent = normDec(l.Adjustments[j].Percent)
		}
	}
	for i := range r.Approvals {
		r.Approvals[i].UpTo = normDec(r.Approvals[i].UpTo)
		r.Approvals[i].At = normTime(r.Approvals[i].At)
	}
	if p := r.ProbabilityOverride; p != nil {
		q := *p
		q.At = normTime(q.At)
		r.ProbabilityOverride = &q
	}
	return r
}

// normStageChanges normalises stage changes for require.Equal.
func normStageChanges(cs []opportunity.StageChange) []opportunity.StageChange {
	out := make([]opportunity.StageChange, len(cs))
	for i, c := range cs {
		c.At = normTime(c.At)
		out[i] = c
	}
	return out
}

// allStageChanges pages through an opportunity's whole history.
func allStageChanges(tb testing.TB, s opportunity.Store, tenant crm.TenantID, id crm.ID, limit int) []opportunity.StageChange {
	tb.Helper()
	return pageAll(tb, limit, func(p crm.PageRequest) (crm.Page[opportunity.StageChange], error) {
		return s.History(context.Background(), tenant, id, p)
	})
}

// allOpportunities pages through every opportunity matching q.
func allOpportunities(tb testing.TB, s opportunity.Store, tenant crm.TenantID, q opportunity.Query, limit int) []*opportunity.Opportunity {
	tb.Helper()
	return pageAll(tb, limit, func(p crm.PageRequest) (crm.Page[*opportunity.Opportunity], error) {
		return s.List(context.Background(), tenant, q, p)
	})
}

// opportunitySnapshot is what is stored of an opportunity and its history.
type opportunitySnapshot struct {
	Record  opportunity.Record
	History []opportunity.StageChange
}

func takeOpportunitySnapshot(tb testing.TB, s opportunity.Store, tenant crm.TenantID, id crm.ID) opportunitySnapshot {
	tb.Helper()
	o, err := s.Get(context.Background(), tenant, id)
	require.NoError(tb, err)
	return opportunitySnapshot{normOpportunity(tb, o.Record()), normStageChanges(allStageChanges(tb, s, tenant, id, crm.MaxPageLimit))}
}

// opportunityAggregate is the harness fixture of opportunities. A mark is
// a competitor named after it and a stage move, so that every update also
// stores a stage change.
func opportunityAggregate(s opportunity.Store) aggregate[opportunity.Opportunity] {
	p := OpportunityPipeline()
	return aggregate[opportunity.Opportunity]{
		name: "opportunity",
		newRecord: func(tb testing.TB, tenant crm.TenantID, id crm.ID) *opportunity.Opportunity {
			return NewOpportunity(tb, tenant, &OpportunityOptions{ID: id})
		},
		create: s.Create,
		get:    s.Get,
		update: s.Update,
		list: func(ctx context.Context, tenant crm.TenantID, page crm.PageRequest) (crm.Page[*opportunity.Opportunity], error) {
			return s.List(ctx, tenant, opportunity.Query{}, page)
		},
		compare: func(a, b *opportunity.Opportunity) int { return a.ID().Compare(b.ID()) },
		id:      (*opportunity.Opportunity).ID,
		version: (*opportunity.Opportunity).Version,
		mark: func(x *opportunity.Opportunity, i int) error {
			if err := x.SetCompetitor(opportunity.Competitor{Name: markText(i), Status: opportunity.CompetitorActive}, ochange(1, "")); err != nil {
				return err
			}
			to := "propose"
			if x.Stage() == to {
				to = "qualify"
			}
			return x.MoveStage(p, to, ochange(1, "mark"))
		},
		marks: func(x *opportunity.Opportunity) []string {
			var out []string
			for _, c := range x.Competitors() {
				out = append(out, c.Name)
			}
			return out
		},
		snapshot: func(tb testing.TB, tenant crm.TenantID, id crm.ID) any {
			return takeOpportunitySnapshot(tb, s, tenant, id)
		},
		record:  func(tb testing.TB, x *opportunity.Opportunity) any { return normOpportunity(tb, x.Record()) },
		pending: func(x *opportunity.Opportunity) any { return [2]any{x.PendingChanges(), x.Events()} },
		consistent: func(tb testing.TB, tenant crm.TenantID, id crm.ID) {
			tb.Helper()
			o, err := s.Get(context.Background(), tenant, id)
			require.NoError(tb, err)
			h := allStageChanges(tb, s, tenant, id, crm.MaxPageLimit)
			require.Len(tb, h, int(o.Record().Seq), "stage changes lost or repeated")
			for i, c := range h {
				require.Equal(tb, int64(i+1), c.Seq, "stage changes out of order")
				require.Equal(tb, id, c.Opportunity)
			}
		},
		clean: func(tb testing.TB, tenant crm.TenantID) {
			tb.Helper()
			for _, q := range []opportunity.Query{{Owners: []crm.UserID{"mutator"}}, {Stages: []string{"commit"}}, {Team: "mutated"}} {
				got, err := s.List(context.Background(), tenant, q, crm.PageRequest{})
				require.NoError(tb, err)
				require.Empty(tb, got.Items, "the mutated value reached the store's index (%+v)", q)
			}
		},
		mutate: func(tb testing.TB, x *opportunity.Opportunity) {
			tb.Helper()
			require.NoError(tb, x.SetCompetitor(opportunity.Competitor{Name: "mutated", Status: opportunity.CompetitorLeading}, ochange(100, "")))
			if x.Owner() != "mutator" { // Update may hand out fn's opportunity itself
				require.NoError(tb, x.SetOwner("mutator", ochange(100, "mutated")))
			}
			if x.Stage() != "commit" {
				require.NoError(tb, x.MoveStage(p, "commit", ochange(100, "mutated")))
			}
			opportunityHooks.Saved(x, 99)
		},
		withTime: func(x *opportunity.Opportunity, tm time.Time) (*opportunity.Opportunity, error) {
			r := x.Record()
			r.CreatedAt, r.StageSince, r.UpdatedAt = tm, tm, tm
			return opportunity.FromRecord(r)
		},
	}
}
