package postgres

import (
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/hook"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/opportunity"
)

// The store-only operations of the domain packages' entities (see
// internal/hook): marking an entity saved, adopting a freshly decoded
// record, reading its pending history or audit entries.
var (
	customerHooks  = hook.For[*customer.Customer, customer.Record, customer.HistoryEntry]()
	complaintHooks = hook.For[*complaint.Complaint, complaint.Record, complaint.AuditEntry]()
	riskHooks      = hook.For[*complaint.Risk, complaint.RiskRecord, hook.None]()

	opportunityHooks = hook.For[*opportunity.Opportunity, opportunity.Record, opportunity.StageChange]()
	leadHooks        = hook.For[*lead.Lead, lead.Record, lead.HistoryEntry]()
	campaignHooks    = hook.For[*lead.Campaign, lead.CampaignRecord, hook.None]()
)
