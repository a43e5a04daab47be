package lead_test

import (
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
)

// benchRouter builds 500 people (a tenth on an office calendar) and 200
// regional rules of 25 people each; the lead matches the last rule only,
// so every rule is looked at.
func benchRouter(b *testing.B) (*lead.Router, *lead.Lead, lead.AssignmentState) {
	var rules lead.Rules
	for i := range 500 {
		p := lead.Person{ID: crm.UserID(fmt.Sprintf("rep-%03d", i)), Weight: 1 + i%3, Capacity: lead.MaxCapacity, Seniority: i % 10,
			Skills: []string{"air conditioning", "maintenance"}, Languages: []string{"zh", "en"}}
		if i%10 == 0 {
			p.Calendar = "office"
		}
		rules.People = append(rules.People, p)
	}
	for r := range 200 {
		ru := lead.Rule{Name: fmt.Sprintf("region-%03d", r), Territory: lead.Territory{Regions: []string{fmt.Sprintf("region-%03d", r)}, PostcodePrefixes: []string{"2000"}, MinSize: 10},
			MatchSkills: true, MatchLanguage: true}
		for k := range 25 {
			ru.People = append(ru.People, rules.People[(r*25+k)%500].ID)
		}
		rules.Rules = append(rules.Rules, ru)
	}
	router, err := lead.NewRouter(rules, map[string]*calendar.Calendar{"office": officeCalendar(b)})
	require.NoError(b, err)
	l := leadAt(b, 1, "region-199", "hospitality", 250, "zh-cn", "maintenance")
	st := lead.AssignmentState{}
	for r := range 200 { // a warm state: counters in every rule, open leads for everyone
		_, next, err := router.Assign(st, leadAt(b, 2, fmt.Sprintf("region-%03d", r), "x", 250, "zh"), t0)
		require.NoError(b, err)
		st = next
	}
	return router, l, st
}

func BenchmarkAssign500People200Rules(b *testing.B) {
	router, l, st := benchRouter(b)
	b.ReportAllocs()
	for b.Loop() {
		dec, next, err := router.Assign(st, l, t0)
		if err != nil || !dec.Assigned {
			b.Fatal(err, dec.Why)
		}
		st = next
	}
}

func BenchmarkFindDuplicates1000Candidates(b *testing.B) {
	l := newLead(b)
	leads := make([]*lead.Lead, 500)
	for i := range leads {
		in := validInput()
		in.ID = nthID(i + 10)
		in.Name = fmt.Sprintf("Person %d", i)
		in.Emails = []string{fmt.Sprintf("p%d@example.com", i)}
		in.Phones = []string{fmt.Sprintf("+44 20 7946 %04d", i)}
		var err error
		leads[i], err = lead.New(in, chg(0))
		require.NoError(b, err)
	}
	custs := make([]*customer.Customer, 500)
	for i := range custs {
		custs[i] = newCustomer(b, nthID(i+1000), tenantA, customer.Person, fmt.Sprintf("Customer %d", i),
			[]customer.Email{mustEmail(b, fmt.Sprintf("c%d@example.com", i))}, []customer.Phone{mustPhone(b, fmt.Sprintf("+44 20 7946 %04d", 5000+i))})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := lead.FindDuplicates(l, leads, custs, customer.DuplicateRules{}); err != nil {
			b.Fatal(err)
		}
	}
}

// manyLeads yields n leads built from a few templates by record, each with
// its own ID, capture time, owner, source and stages.
func manyLeads(b *testing.B, n int) []*lead.Lead {
	in := lead.NewInput{ID: idL, Tenant: tenantA, Emails: []string{"a@b.example"}, Channel: customer.Web,
		Source: lead.Source{Kind: lead.SourceWebForm}}
	small, err := lead.New(in, chg(0))
	require.NoError(b, err)
	base := small.Record()
	out := make([]*lead.Lead, n)
	owners := []crm.UserID{"ann", "ben", "cai", "dan"}
	for i := range n {
		r := base
		r.ID = nthID(i)
		r.CapturedAt = t0.Add(time.Duration(i) * 30 * time.Second)
		r.UpdatedAt = r.CapturedAt
		r.Owner, r.AssignedAt = owners[i%4], r.CapturedAt
		r.Reached = [6]time.Time{r.CapturedAt}
		r.Stage = lead.StageNew
		if i%3 != 0 {
			r.FirstContactAt = r.CapturedAt.Add(time.Duration(i%50) * time.Hour)
			r.Reached[lead.StageContacted-1] = r.FirstContactAt
			r.Stage = lead.StageContacted
			if i%5 == 0 {
				r.Reached[lead.StageQualified-1] = r.FirstContactAt.Add(time.Hour)
				r.Stage = lead.StageQualified
			}
		}
		l, err := lead.FromRecord(r)
		require.NoError(b, err)
		out[i] = l
	}
	return out
}

func values[T any](s []T) iter.Seq[T] {
	return func(yield func(T) bool) {
		for _, v := range s {
			if !yield(v) {
				return
			}
		}
	}
}

func BenchmarkFunnel1MLeads(b *testing.B) {
	leads := manyLeads(b, 1_000_000)
	cal := officeCalendar(b)
	for _, tc := range []struct {
		name string
		opts lead.FunnelOptions
	}{
		{"by_month_wall_clock", lead.FunnelOptions{}},
		{"by_owner_business_time", lead.FunnelOptions{GroupBy: lead.ByOwner, Calendar: cal}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := lead.Funnel(values(leads), tc.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkROI1000Campaigns1MOpportunities(b *testing.B) {
	campaigns := make([]*lead.Campaign, 1000)
	for i := range campaigns {
		campaigns[i] = newCampaign(b, nthID(100000+i), "1000")
	}
	opps := make([]lead.WonOpportunity, 1_000_000)
	for i := range opps {
		opps[i] = lead.WonOpportunity{ID: nthID(i), Amount: cny("1234.56"), WonAt: t0.Add(time.Hour), Touches: []lead.CampaignTouch{
			{Campaign: campaigns[i%1000].ID(), At: t0},
			{Campaign: campaigns[(i*7)%1000].ID(), At: t0.Add(time.Minute)},
			{Campaign: campaigns[(i*13)%1000].ID(), At: t0.Add(2 * time.Minute)},
		}}
	}
	for _, m := range []lead.Attribution{lead.FirstTouch, lead.Linear} {
		b.Run(m.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := lead.CampaignReports(campaigns, nil, values(opps), m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
