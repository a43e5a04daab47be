// Package lead models leads (商机): prospects captured by marketing from a
// channel and source, checked for duplicates, scored, assigned by rules to
// one owner, worked through their team's stages until they are converted
// into a customer (and perhaps an opportunity) or disqualified; and the
// campaigns that produce them, with attribution of won revenue, ROI and
// funnel analytics. Everything here is pure: entities, rules as data and
// calculations over slices and iterators. The [Store] port says what a
// database must provide; storage/memory and storage/postgres implement it,
// and [Service] runs the use cases that touch it.
//
// # Capture
//
// [New] captures a lead from a [NewInput]: the channel it came in by
// (customer.Channel), its [Source] (web form, phone, event, referral by a
// customer or dealer, campaign, …), person and organisation data, the
// consents given at capture with their source (customer.Consent), free
// attributes and the raw payload. E-mail addresses and phone numbers are
// parsed with customer.ParseEmail and customer.ParsePhone; one that does
// not parse is kept raw and flagged ([ContactPoint.Problem],
// [Lead.NeedsReview]), never dropped. A lead with no contact point at all
// is refused. Every limit (MaxContacts, MaxPayloadLen, MaxAttributes, …) is
// enforced by New, [Lead.Attach] and [FromRecord]; text is valid UTF-8
// without NUL and every time lies within crm.ValidTime.
//
// # Duplicates
//
// [FindDuplicates] matches a new lead against candidate open leads and
// existing customers with the customer package's duplicate rules
// (customer.DuplicateRules, its normalisation and weights), returning each
// [Match] with its reasons. The host's [DuplicatePolicy] decides with
// [ResolveDuplicates]: attach the capture to the existing lead
// ([Lead.Attach]), link the new lead to the customer ([Lead.LinkCustomer]),
// or create anyway.
//
// # Stages
//
// Each team's stages are data: a [Process] lists the allowed moves and the
// reasons a lead may be disqualified for; [Lead.Move] applies it, and a
// refused move returns a *crm.TransitionError and changes nothing. The
// default process ([DefaultProcess]):
//
//	new ──→ contacted ──→ qualified ──→ converted
//	 │        │   ↑           │
//	 │        ↓   │           │
//	 │      nurturing ←───────┘
//	 │        │                ↖
//	 └────────┴──→ disqualified ─┘ (put back to nurture)
//
//	table, stage by stage:
//	  new          → contacted | disqualified
//	  contacted    → nurturing | qualified | disqualified
//	  nurturing    → contacted | qualified | disqualified
//	  qualified    → converted | nurturing | disqualified
//	  disqualified → nurturing
//	  converted    → (final)
//
// Rules beyond the table: disqualified needs a reason from the team's list
// (the change's Reason); converted is reached only by [Lead.MarkConverted],
// the lead's part of the conversion use case, and only from qualified;
// leaving new for anything but disqualified records the first contact.
// Every change appends a [HistoryEntry] and records a domain event.
//
// # First contact
//
// [Lead.FirstContactTimer] runs from the current assignment (or the
// capture) until the first contact, on a business calendar
// ([FirstContactSLA], package calendar). [CheckFirstContact] reports each
// warning and breach once when called on a schedule with the previous
// call's instant, like complaint.CheckSLAs; a breach is the cue to reassign,
// which restarts the clock for the new owner and is recorded in history.
// [Service.CheckFirstContact] lists only the uncontacted leads whose clock
// started before [FirstContactSLA.DueBefore] (a clock on a business
// calendar runs no faster than wall time), through [Query.ClockStartTo],
// which stores index: its cost follows the leads due, not the backlog.
//
// # Scoring
//
// [Lead.ApplyScore] runs a scoring.LeadScorer on the lead's
// [Lead.ScoringFacts] and keeps the [Score] with its explanation; [Decay]
// lets the engagement part fade with a half-life while the fit part stays.
// [Lead.ApplyPrediction] keeps instead the win probability a
// scoring.LeadModel predicts, learned from closed leads ([Lead.Outcome]).
//
// # Assignment
//
// [Rules] are data: the roster ([Person]: weight, capacity in open leads,
// seniority, skills, languages, working calendar) and [Rule]s tried in
// order (a [Territory] of countries, regions, postcode prefixes,
// industries and company sizes; the people who share it; minimum
// seniority; skill and language matching). Key prospects go only to people
// of at least Rules.KeyProspectSeniority (对等配置). [Router.Assign] is a pure
// function of (state, lead, rules, now) returning an explained [Decision]
// and the next [AssignmentState]: among the eligible people of the first
// covering rule that has any, smooth weighted round-robin chooses, fair
// and deterministic. The state is a plain value a store persists and
// updates under a lock ([Store.UpdateAssignment]), so concurrent captures
// never exceed a capacity or skip a turn and a restart keeps fairness.
// When nobody is eligible the decision says so and the lead stays
// unassigned.
//
// # Campaigns and analytics
//
// A [Campaign] has a name, a [CampaignChannel], a period, a budget and an
// actual cost (crm.Money), a target segment (customer.Segment), members and
// their responses. [CampaignReports] attributes won revenue
// ([WonOpportunity], plain input) by first touch, last touch or linear
// ([Attribution]) and reports ROI = (attributed revenue − cost) ÷ cost and
// the cost per lead, per qualified lead and per won opportunity; a cost in
// another currency than the revenue is an error matching
// crm.ErrCurrencyMismatch. [Funnel] reports, grouped by period, source,
// campaign, team or owner, the conversion rate between every pair of
// stages, time to first contact (business time on a calendar) and lead
// velocity.
//
// # Service
//
// [Service], built from a [Backend] (the lead store, the customer store and
// their transactions; storage.Store is one) and [Options] whose zero
// values work, runs every use case that touches storage in one transaction
// of the backend, exactly like customer.Service: events get IDs, go to
// Options.Outbox in the same transaction when one is set, and reach
// Options.Events only after the outermost transaction commits.
//
//   - [Service.Capture]: the duplicate check against open leads
//     ([Store.FindByContact]) and customers (customer.Store.FindByContact),
//     the host's [DuplicatePolicy] applied ([ResolveDuplicates]), the
//     assignment of a new lead by Options.Router through the persisted
//     [AssignmentState] ([Store.UpdateAssignment]), and, when the source
//     names a stored campaign, the captured person made a member and
//     responder of it once ([CampaignOutcome]).
//   - [Service.Move], [Service.RecordContact], [Service.Assign],
//     [Service.Score]: stage moves under the team's [Process] (closing a
//     lead gives back its owner's open-lead slot), first contact,
//     (re)assignment, scoring.
//   - [Service.CheckFirstContact]: warnings and breaches of the
//     first-contact level reported once, breached leads reassigned.
//   - [Service.CreateCampaign], [Service.UpdateCampaign].
//
// # Conversion
//
// [Service.Convert] converts a qualified lead in one transaction: it finds
// or creates the customer (the one named, the one the lead is linked to,
// the existing duplicate, or a new one), carries over the lead's parsed
// contact points, address, consents with their sources, and records the
// lead, its source and campaign on the customer (attributes "lead",
// "lead_source", "lead_campaign"), and records the lead's touches and
// first contact as the customer's interactions ([Conversion.Interactions]);
// then runs ConvertInput.CreateOpportunity
// when given, and marks the lead converted with links to the customer and
// the opportunity. The opportunity is the caller's step: a function that
// runs inside the conversion's transaction with the context it receives,
// after the customer exists and before the lead is marked, so a failing
// opportunity undoes the whole conversion:
//
//	conv, err := leads.Convert(ctx, lead.ConvertInput{
//		Tenant: tenant, Lead: id,
//		CreateOpportunity: func(ctx context.Context, customerID crm.ID) (crm.ID, error) {
//			// The host's opportunity use case, called with ctx so that
//			// its store calls join the conversion's transaction.
//			return createOpportunity(ctx, customerID)
//		},
//	}, lead.Change{Actor: user})
//
// All or nothing: when any step fails nothing of the conversion is left.
// Converting a converted lead returns the first conversion
// (Conversion.Again); two racing conversions make one customer, the
// loser's transaction being undone.
//
// # JSON
//
// Hosts that put an HTTP API or a message bus in front of the library use
// the documented JSON form of every value. A [Lead] encodes
// ([Lead.MarshalJSON]) every stored field of its [Record] under a stable
// snake_case name, with "v" (the form's version, [JSONVersion]) and
// "version" (the lead's own version, for optimistic concurrency):
//
//	{"v":1,"id":"01890000-0000-7000-8000-000000000001","tenant":"acme",
//	 "version":2,"kind":"person","name":"Wang Fang",
//	 "company":"Sunrise Hotels Ltd","company_size":250,
//	 "language":"zh-cn","topics":["air conditioning"],
//	 "contacts":[{"kind":"email","raw":"wang.fang@sunrise.example",
//	   "email":"wang.fang@sunrise.example"},{"kind":"phone",
//	   "raw":"+86 138 0013 8000","phone":"+8613800138000"}],
//	 "consents":{"email":{"granted":true,"at":"2026-03-02T09:00:00Z",
//	   "source":"web form checkbox"}},"attributes":{"budget":"500k"},
//	 "key_prospect":false,"channel":"web",
//	 "source":{"kind":"web_form","detail":"contact form"},
//	 "touches":[{"at":"2026-03-02T09:00:00Z","channel":"web",
//	   "source":{"kind":"web_form","detail":"contact form"}}],
//	 "stage":"contacted","owner":"agent-zhou",
//	 "assigned_at":"2026-03-02T09:02:00Z",
//	 "captured_at":"2026-03-02T09:00:00Z",
//	 "first_contact_at":"2026-03-02T09:01:00Z",
//	 "reached":{"new":"2026-03-02T09:00:00Z",
//	   "contacted":"2026-03-02T09:01:00Z"},
//	 "updated_at":"2026-03-02T09:02:00Z","history_seq":3}
//
// Enums are written by name, e-mails and phones in their text form, times
// in RFC 3339 in UTC with their nanoseconds; "reached" maps a stage's name
// to when the lead first reached it; "touches" lists every touch that
// brought the lead ({"at","channel","source"}), the capture first.
// Optional members that hold nothing (empty lists and maps, a zero time or
// ID, empty text) are left out; the others are always written. A lead may
// add "team", "title", "industry", "address" (as customer.Address),
// "payload", "disqualify_reason", "customer", "opportunity", "score"
// ({"model","fit","engagement","total","grade","reasons","at"}) and
// "closed_at". Pending history and events are not part of the form.
//
// A [Campaign] encodes ([Campaign.MarshalJSON]) in the same style, its
// budget and cost as the kernel writes crm.Money:
//
//	{"v":1,"id":"01890000-0000-7000-8000-0000000000c1","tenant":"acme",
//	 "version":1,"name":"Spring fair","channel":"trade_show",
//	 "start":"2026-03-02T09:00:00Z","end":"2026-04-01T09:00:00Z",
//	 "budget":{"amount":"50000.00","currency":"CNY"},
//	 "cost":{"amount":"12000.50","currency":"CNY"},
//	 "segment":{"name":"hotels","conditions":[{"field":"attr.industry",
//	   "op":"eq","value":"hospitality"}]},
//	 "members":[{"kind":"lead","party":"01890000-0000-7000-8000-000000000001",
//	   "added_at":"2026-03-02T09:01:00Z",
//	   "responded_at":"2026-03-02T09:03:00Z","response":"asked for a demo"}],
//	 "created_at":"2026-03-02T09:00:00Z","updated_at":"2026-03-02T09:03:00Z"}
//
// Decoding ([Lead.UnmarshalJSON], [Campaign.UnmarshalJSON]) goes through
// crm.DecodeJSON (an unknown member, a wrong type or trailing data is
// refused), refuses a "v" it does not know, rebuilds the value with
// [FromRecord] or [CampaignFromRecord] and runs the check [Guard] runs,
// so a decoded lead or campaign is one any store accepts. Every refusal is
// a *crm.ValidationError with the path of each problem ("stage",
// "consents.pigeon", "members[2].party"). Encoding then decoding gives
// back the same record, and encoding it again the same bytes.
//
// [Query] has a plain JSON form by its field tags, in the same style;
// pages are crm.Page. The data of every event (see the Event constants)
// has snake_case members, and the outbox stores it in that form.
//
// # Stores
//
// [Guard] is the one checking layer in front of every lead store: every
// argument, every lead and campaign on its way in (the invariants of
// [FromRecord] and [CampaignFromRecord]) and every assignment state
// ([AssignmentState.Validate]); results of another tenant or ID are
// crm.ErrCorrupt. Stores return their Leads() guarded; services guard what
// they get. What only a store may do (mark a lead saved, adopt a decoded
// record) is reached through the module's internal hooks, not through
// this package's API; [Lead.PendingHistory] stays public for hosts' own
// stores. [Importer] is the optional bulk import (COPY in
// storage/postgres), always offered by a guarded store.
//
// # Concurrency
//
// A [Lead] or [Campaign] is not safe for concurrent use; stores hand out
// copies ([Lead.Clone], cheap: a lead never changes its lists and maps in
// place, so a copy shares them until it is changed). A [Router], a
// validated [Process] and a [Service] are safe to share.
package lead
