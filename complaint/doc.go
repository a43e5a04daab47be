// Package complaint models customer complaints (投诉): receipt, one
// accountable owner, investigation, response, resolution, closing,
// follow-up (回访) and satisfaction survey, with an audit trail of every
// change. It holds the entity and its rules only; storage comes later.
//
// # The complaint
//
// A [Complaint] records the customer, the channel of receipt, a category
// code from the host's [CategoryTree], severity and priority, the [Asset]
// concerned (a path such as project → building → unit), the description,
// the customer's desired outcome and attachment references. Build one with
// [New]; rebuild a stored one with [FromRecord]. Every change takes a
// [Change] (who, when, why), appends an [AuditEntry] to the pending audit
// trail and records a domain event ([crm.Event]).
//
// # Status machine
//
// The status table is data; [Complaint.Transition] applies it. A refused
// move returns a [*crm.TransitionError] and changes nothing.
//
//	received → acknowledged → assessed → investigating → response_proposed → resolved → closed
//	                                          ↑                  │               │         │
//	                                          └──────────────────┴───────────────┘         ↓
//	                                          ↑                                        reopened
//	                                          └────────────────────────────────────────────┘
//
//	any of received … investigating → rejected → reopened (within the window)
//	assessed | investigating | response_proposed ⇄ waiting_on_customer
//
//	table, status by status:
//	  received            → acknowledged | rejected
//	  acknowledged        → assessed | rejected
//	  assessed            → investigating | waiting_on_customer | rejected
//	  investigating       → response_proposed | waiting_on_customer | rejected
//	  response_proposed   → resolved | investigating | waiting_on_customer
//	  resolved            → closed | investigating
//	  waiting_on_customer → the status it was entered from
//	  closed | rejected   → reopened   (only within ReopenWindow)
//	  reopened            → investigating
//
// Rules beyond the table:
//   - waiting_on_customer returns only to the status it was entered from;
//     the time spent waiting is a pause of the SLA timers;
//   - resolved needs a recorded [Resolution] ([Complaint.SetResolution]);
//   - closed is reached only from resolved ("closing an unresolved complaint");
//   - rejected needs a reason and is terminal, except that it may be
//     reopened within the reopen window like a closed complaint (a
//     rejection can turn out to be wrong);
//   - reopening after the window is refused with a reason saying so.
//
// # Escalation and ownership
//
// Escalation is a level counter (0 to [MaxEscalationLevel]) raised by
// [Complaint.Escalate] in any open status, with an audit entry; it is not
// a status, so it never blocks the flow. A complaint has exactly one owner;
// [Complaint.HandOver] requires a reason, refuses the current owner and
// counts hand-overs ([Complaint.HandOvers]), so nobody passes a complaint on
// unnoticed (推诿).
//
// # Repair, groups and SLA timers
//
// [Complaint.AddRepairStep] builds a work-order timeline whose public
// entries the customer may see ([Complaint.PublicRepairView]). Complaints
// about one underlying issue share a group ID; [UnansweredInGroup] reports
// which customers still await an answer. [Complaint.AckTimer],
// [Complaint.FirstResponseTimer] and [Complaint.ResolutionTimer] return
// [calendar.Timer] values for SLA evaluation on business calendars.
//
// # Service levels and escalation
//
// A [PolicySet] holds the host's service-level policies as data: the first
// [Policy] whose [PolicyMatch] fits the complaint (category or a parent,
// severity, channel, customer class, key account) sets targets for
// acknowledgement, first response, next update and resolution, measured on
// a named business calendar. [SLAStatus] evaluates every target of one
// complaint at any instant; [CheckSLAs], called by the host on its own
// schedule, returns each warning and breach that happened since its last
// call exactly once, as events. A [Ladder] (owner → team lead → department
// head → executive, as data) says which level is due on a breach, a
// severity, repeat complaints or a customer class, and who is notified;
// [ApplyEscalation] raises the complaint to it, never down.
//
// # Risk prevention and the knowledge base
//
// [Detect] finds hotspots in plain [Fact]s (clusters of a category on one
// asset level, rising trends, repeat complainers, severity spikes) under
// [HotspotRules] kept as data, each with its evidence; [NewRisk] raises a
// [Risk] record with an owner and a mitigation status. Resolved complaints
// become [Solution]s; an [Index] suggests the most similar past solutions
// for a new complaint (BM25 over words and CJK character pairs, boosted by
// a shared category path) and says which terms matched.
package complaint
