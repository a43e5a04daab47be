package memory

import (
	"strings"
	"sync"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/opportunity"
)

// tenantData holds one tenant's records and the indexes derived from them.
// Each aggregate's records live in a table (see table.go) whose fixture
// keeps its secondary indexes in step; the inverse of put(old, new) is
// put(new, old), which is what the undo log of a transaction replays.
type tenantData struct {
	gate gate         // see lock.go
	mu   sync.RWMutex // guards the records and indexes; held only briefly

	// name is the tenant's ID, the one copy of it the records that share
	// it point to (see aggregate.share).
	name crm.TenantID

	customers table[*stored]            // see customers.go
	byOwner   map[crm.UserID][]ownerRef // ascending by ID, per owner
	byEmail   map[string][]crm.ID       // Email.Normalized -> ascending IDs
	byPhone   map[string][]crm.ID       // Phone.Normalized -> ascending IDs

	history map[crm.ID][]customer.HistoryEntry // per customer, CompareHistory order

	interactions  map[crm.ID]customer.Interaction   // by interaction ID
	intByCustomer map[crm.ID][]customer.Interaction // per customer, CompareInteractions order

	visits          table[customer.Visit] // see visits.go; no ID list
	visitAll        []visitRef            // every visit, CompareVisits order
	visitBySales    map[crm.UserID][]visitRef
	visitByCustomer map[crm.ID][]visitRef

	complaints    table[*complaint.Complaint]       // see complaints.go
	cmpByCustomer map[crm.ID][]crm.ID               // ascending, per customer
	cmpByOwner    map[crm.UserID][]crm.ID           // ascending, per owner
	cmpByGroup    map[crm.ID][]crm.ID               // ascending, per group (none for the zero group)
	audit         map[crm.ID][]complaint.AuditEntry // per complaint, ascending Seq

	risks      table[storedRisk] // see risks.go
	activeRisk map[string]crm.ID // hotspot key -> the active risk raised from it

	opps           table[*opportunity.Opportunity]      // see opportunities.go
	oppBy          map[oppKey][]crm.ID                  // ascending, per indexed key but the owner
	oppByOwner     map[crm.UserID][]oppRef              // ascending ID, per owner
	oppHistory     map[crm.ID][]opportunity.StageChange // per opportunity, ascending Seq
	leads          table[*storedLead]                   // see leads.go
	leadByStage    map[lead.Stage][]crm.ID
	leadByOwner    map[crm.UserID][]crm.ID // "" holds the unassigned leads
	leadByTeam     map[string][]crm.ID
	leadByCampaign map[crm.ID][]crm.ID
	leadByCustomer map[crm.ID][]crm.ID
	leadByEmail    map[string][]crm.ID // open leads only
	leadByPhone    map[string][]crm.ID // open leads only
	leadDue        leadDueIndex        // open uncontacted leads by clock start; see leads.go
	leadHistory    map[crm.ID][]lead.HistoryEntry
	assignment     map[string]lead.AssignmentState // by team
	assignLock     stripe                          // serialises UpdateAssignment
	campaigns      table[*lead.Campaign]
	rel            relationData // see referrals.go

	plans planData // see accountplans.go

	outbox outbox // see outbox.go
}

func newTenantData(name crm.TenantID) *tenantData {
	return &tenantData{
		name:            crm.TenantID(strings.Clone(string(name))),
		gate:            newGate(),
		customers:       newTable[*stored](),
		byOwner:         make(map[crm.UserID][]ownerRef),
		byEmail:         make(map[string][]crm.ID),
		byPhone:         make(map[string][]crm.ID),
		history:         make(map[crm.ID][]customer.HistoryEntry),
		interactions:    make(map[crm.ID]customer.Interaction),
		intByCustomer:   make(map[crm.ID][]customer.Interaction),
		visits:          newTable[customer.Visit](),
		visitBySales:    make(map[crm.UserID][]visitRef),
		visitByCustomer: make(map[crm.ID][]visitRef),
		complaints:      newTable[*complaint.Complaint](),
		cmpByCustomer:   make(map[crm.ID][]crm.ID),
		cmpByOwner:      make(map[crm.UserID][]crm.ID),
		cmpByGroup:      make(map[crm.ID][]crm.ID),
		audit:           make(map[crm.ID][]complaint.AuditEntry),
		risks:           newTable[storedRisk](),
		activeRisk:      make(map[string]crm.ID),
		opps:            newTable[*opportunity.Opportunity](),
		oppBy:           make(map[oppKey][]crm.ID),
		oppByOwner:      make(map[crm.UserID][]oppRef),
		oppHistory:      make(map[crm.ID][]opportunity.StageChange),
		leads:           newTable[*storedLead](),
		leadByStage:     make(map[lead.Stage][]crm.ID),
		leadByOwner:     make(map[crm.UserID][]crm.ID),
		leadByTeam:      make(map[string][]crm.ID),
		leadByCampaign:  make(map[crm.ID][]crm.ID),
		leadByCustomer:  make(map[crm.ID][]crm.ID),
		leadByEmail:     make(map[string][]crm.ID),
		leadByPhone:     make(map[string][]crm.ID),
		leadHistory:     make(map[crm.ID][]lead.HistoryEntry),
		assignment:      make(map[string]lead.AssignmentState),
		assignLock:      stripe{ch: make(chan struct{}, 1)},
		campaigns:       newTable[*lead.Campaign](),
		plans:           newPlanData(),
		rel:             newRelationData(),
	}
}

// locked runs f with the tenant's write lock held.
func (td *tenantData) locked(f func()) {
	td.mu.Lock()
	defer td.mu.Unlock()
	f()
}

// has reports whether the customer exists. The caller holds td.mu.
func (td *tenantData) has(id crm.ID) bool {
	_, ok := td.customers.rows[id]
	return ok
}
