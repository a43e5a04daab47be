// Package complaint models customer complaints (投诉): receipt, one
// accountable owner, investigation, response, resolution, closing,
// follow-up (回访) and satisfaction survey, with an audit trail of every
// change; service levels on business calendars, escalation, group
// complaints, transparent repair, risk prevention, a knowledge base and
// analytics. The entity and its rules are pure; [Service] runs the use
// cases against a [Store] (storage/memory, storage/postgres, or the host's
// own, proven with storage/storagetest).
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
//
// # Analytics
//
// An [Analyzer] streams complaints received in a period into a [Report],
// in total and by slice ([Dimension]: category, asset level, owner,
// channel, customer class, severity, month): volume, time to acknowledge,
// first response and resolution (median, p90, mean; on business calendars
// when policies are given, waiting excluded), SLA compliance per target,
// reopen rate, hand-overs per complaint, escalations, CSAT, top root causes
// and repeat complainers.
//
// # Storage and the service
//
// [Store] is the package's storage port: complaints with their append-only
// audit trail, and risks (at most one active risk per hotspot key). Every
// method is documented with what it does on a missing record, a stale
// version, a cancelled context and another tenant; [Query] and [RiskQuery]
// filter lists, and their Matches methods are the reference every store is
// tested against. [Service] runs every use case: [Service.Receive] checks
// the customer, the status actions and [Service.Update] go through the
// store's closure update, group operations ([Service.Group],
// [Service.TransitionGroup], [Service.ResolveGroup]) run in one
// transaction, [Service.CheckSLAs] and [Service.ApplyEscalations] are what
// a host's scheduler calls, [Service.RaiseRisks] turns hotspots into risks
// once, [Service.SolutionIndex] and [Service.SuggestFor] reuse past
// solutions, [Service.FollowUpsDue] lists the follow-up calls to make and
// [Service.Analyze] reports.
//
// Events get an ID when their change is stored; with [Options.Outbox]
// they are stored in the change's transaction for the host to drain, and
// [Options.Events] hears of them only after the outermost transaction
// commits (never of a rolled-back one; its failures are logged, not
// returned). Stores only store: every check lives in [Guard], which the
// service puts in front of the store it gets; store-only operations (mark
// saved, adopt a decoded record, take the pending audit entries) are
// reached through the module's internal/hook package.
//
// # JSON
//
// Hosts that put an HTTP API or a message bus in front of the library use
// the documented JSON form of every value. A [Complaint] encodes
// ([Complaint.MarshalJSON]) every stored field of its [Record] under a
// stable snake_case name, with "v" (the form's version, [JSONVersion]) and
// "version" (the complaint's own version, for optimistic concurrency):
//
//	{"v":1,"id":"01890000-0000-7000-8000-0000000000a1",
//	 "tenant":"sunrise-homes","version":6,
//	 "customer":"01890000-0000-7000-8000-0000000000b1",
//	 "channel":"call_centre","category":"window","severity":"high",
//	 "priority":"p2","asset":[{"kind":"building","id":"B3"},
//	   {"kind":"unit","id":"1502"}],
//	 "description":"Rain comes in through the bedroom window.",
//	 "desired_outcome":"Fix it","attachments":["s3://photos/leak1.jpg"],
//	 "owner":"agent-li","hand_overs":0,"status":"closed",
//	 "escalation_level":1,"reopens":0,"reopen_window":"720h0m0s",
//	 "resolution":{"remedy":"compensation",
//	   "compensation":{"amount":"200.00","currency":"CNY"},
//	   "summary":"Window resealed","root_cause":{"category":"installation",
//	   "text":"Seal missing"},"corrective":"Resealed"},
//	 "accepted":true,"follow_up_at":"2026-06-08T09:00:00Z",
//	 "survey":{"csat":4,"at":"2026-06-09T09:00:00Z"},
//	 "repair":[{"step":"fixed","public":true,
//	   "at":"2026-06-02T15:00:00Z","actor":"tech-wu"}],
//	 "pauses":[{"start":"2026-06-01T12:00:00Z","end":"2026-06-01T14:00:00Z"}],
//	 "received_at":"2026-06-01T09:00:00Z",
//	 "acknowledged_at":"2026-06-01T09:20:00Z",
//	 "first_response_at":"2026-06-01T10:00:00Z",
//	 "resolved_at":"2026-06-02T16:00:00Z","closed_at":"2026-06-03T09:00:00Z",
//	 "audit_seq":9}
//
// Enums are written by name, money as crm.Money writes it (the amount as a
// string), the reopen window as Go duration text, times in RFC 3339 in
// UTC with their nanoseconds. Optional members that hold nothing are left
// out ("waiting_from" unless waiting, "group", "follow_up", "rejected_at",
// a resolution's "compensation" when there is none, ...); the others are
// always written. Pending audit entries and events are not part of the
// form. A [Risk] encodes ([Risk.MarshalJSON]) as
// {"v":1,"id","tenant","version","hotspot":{"rule","kind","asset",
// "category","customer","count","baseline","from","to","evidence"},
// "owner","status","notes":[{"at","actor","text"}],"created_at",
// "updated_at"}.
//
// Decoding ([Complaint.UnmarshalJSON], [Risk.UnmarshalJSON]) goes through
// crm.DecodeJSON (an unknown member, a wrong type or trailing data is
// refused), refuses a "v" it does not know, rebuilds the value with
// [FromRecord] or [RiskFromRecord] and checks it against the limits below,
// so a decoded complaint or risk is one any store accepts. Every refusal
// is a *crm.ValidationError with the path of each problem
// ("repair[2].step", "resolution.remedy"). Encoding then decoding gives
// back the same record, and encoding it again the same bytes.
//
// The other values have plain JSON forms by their field tags, in the same
// style: [AuditEntry], [Query], [RiskQuery], [Resolution], [RepairEntry],
// [Survey], [FollowUp], [Asset], [Hotspot], [RiskNote], and the rule and
// policy types ([HotspotRule], [Policy], [CategoryTree], ...); pages are
// crm.Page. The data of every event (see the Event constants) has
// snake_case members, and the outbox stores it in that form.
//
// # Limits
//
// One set of rules says what a stored complaint or risk may hold. The
// constructors and methods refuse input that breaks them, and [Guard]
// checks every complaint and risk on its way into a store against them,
// however it was built ([New], [FromRecord], replaced wholesale inside an
// Update closure):
//
//   - the invariants of [FromRecord] (identity, known values, one owner,
//     a consistent waiting state, a valid resolution);
//   - description required and desired outcome optional, each at most
//     [MaxDescriptionLen] runes; a category code of at most
//     [MaxCategoryCodeLen] bytes; at most [MaxAttachments] attachments of
//     1 to [MaxAttachmentLen] bytes; an asset of at most [MaxAssetLevels]
//     levels;
//   - at most [MaxRepairEntries] repair entries and [MaxPauses] pauses;
//     risks at most [MaxRiskNotes] notes and [MaxEvidenceCap] evidence
//     IDs;
//   - every string valid UTF-8 without a NUL byte; every time within
//     crm.ValidTime (years 1 to 9999);
//   - an Update closure keeps the complaint's ID, tenant, version and
//     receipt time; an UpdateRisk closure the risk's ID, tenant, version
//     and hotspot.
//
// A remedy that pays (Compensation, Refund) needs a positive amount: a
// compensation of 0.00 is refused when a resolution is set, and by the
// guard for a resolution new to the store. A resolution stored before
// this rule loads and stays as it is, so such complaints still close.
// Reading never fails on a limit; a complaint stored over one loads, and a
// write of it is refused until it is back within the limits.
package complaint
