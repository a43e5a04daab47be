// Package opportunity models sales opportunities (商机): a possible sale to
// one customer, worked by one owner through the stages of a team's
// pipeline until it is won or lost, with its contacts and their roles, its
// source, lines priced by rules, competitors, forecast category and win
// probability; and the analytics a sales director needs, as pure functions
// over plain rows: weighted forecasts, the forecast as a distribution of
// won revenue, empirical stage probabilities and their calibration, sales
// velocity, time in stage, stale deals and win/loss analysis.
//
// The entity and its rules are pure: no I/O, no clock, no logging. The
// [Store] port says what a database must do for opportunities; its memory
// and PostgreSQL implementations, and a service running the use cases in
// transactions, are to come.
//
// # The opportunity
//
// An [Opportunity] belongs to one customer (account) and one owner, names
// its contacts with their roles ([Contact], [ContactRole]), says where it
// came from ([Source]: a lead, a campaign, a referral by a customer or a
// dealer, a channel, an existing customer), and carries an amount in one
// currency, entered or the sum of its lines ([Line]). Build one with [New];
// rebuild a stored one with [FromRecord]. Every change takes a [Change]
// (who, when, why) and records a domain event ([crm.Event]); a refused
// change returns an error and leaves the opportunity as it was.
//
// # Pipelines and the stage machine
//
// A [Pipeline] is data, one per team: ordered open stages ([StageDef]), each
// with a default win probability, a default forecast category, the fields
// it requires ([Field]) and a staleness threshold; and rules for the moves
// between them. [Pipeline.Check] applies the rules, [Pipeline.Moves] lists
// the transition table row by row. For the pipeline of the examples
// (MaxSkip 0, AllowBack, WinFrom "proposal"):
//
//	qualify → needs_analysis → proposal → negotiation → won
//	   ↑            ↑             ↑ │          │
//	   └────────────┴─────────────┴─┴──────────┘ back, with a reason
//
//	any open stage → lost (a reason from the pipeline's list)
//	won | lost → any open stage ([Opportunity.Reopen], with a reason)
//
//	table, stage by stage:
//	  qualify        → needs_analysis | lost
//	  needs_analysis → proposal | qualify | lost
//	  proposal       → negotiation | won | qualify | needs_analysis | lost
//	  negotiation    → won | qualify | needs_analysis | proposal | lost
//	  won | lost     → qualify | needs_analysis | proposal | negotiation
//
// Requirements accumulate along the pipeline ("an amount from proposal
// on"): entering a stage needs what it and every earlier stage require,
// and won needs them all plus WonRequires. A stage the pipeline lacks is a
// [*crm.ValidationError]; a move the rules forbid a [*crm.TransitionError];
// a missing requirement a [*RequirementError], which names the missing
// fields and unwraps to a [*crm.TransitionError].
//
// An open opportunity moves to another team's pipeline with
// [Opportunity.ChangePipeline], with a reason.
//
// Every stage change is kept as a [StageChange]: from, to, when, who, why,
// and the time spent in the stage left, in calendar time and in business
// time on the pipeline's [calendar.Calendar]. Creation is a change from "".
//
// # Probability and forecast category
//
// An opportunity takes its stage's probability and forecast category. The
// owner may override the probability (in [0, 1], with a reason, recorded
// with who and when) or set the category by hand; both hold until the next
// stage change. Won deals have probability 1 and category closed; lost
// deals 0 and omitted.
//
// # Closing
//
// [Opportunity.CloseWon] records the contract date and a reference to the
// signed contract. Its event, [WonEvent], is what a host uses to move the
// customer's relationship stage to mature: a signed contract is the only
// mark of maturity (customer.Customer.MoveStage with the contract; the
// example of CloseWon shows it). [Opportunity.CloseLost] records a reason from the
// pipeline's list, the competitor that won and notes.
//
// # Lines and pricing rules
//
// A [Line] is a product or service code, a decimal quantity, a list price,
// the adjustments applied and the total, rounded to the currency's minor
// unit with [LineRounding]; mixing currencies is refused with an error
// matching [crm.ErrCurrencyMismatch]. [PricingRules] hold price lists per
// customer class, volume tiers, payment-term and seasonal adjustments, as
// data; a [Pricer] applies them in the documented order and explains each
// applied rule on the line ([Adjustment]). Overlapping tiers are refused by
// [PricingRules.Validate]. A line whose discount is beyond the approval
// threshold needs approval: [Opportunity.ApproveDiscount] records who
// approved what, and a stage requiring [FieldApproval] cannot be reached
// until every such line is covered.
//
// # Analytics
//
// The analytics read plain [Deal] rows ([Opportunity.Deal]) or
// [StageChange] values from any iterator, so they work on a store, a reporting
// table or a test slice alike:
//   - [WeightedForecast]: amount and weighted amount by period, owner,
//     team, stage or forecast category;
//   - [ForecastDistribution]: the distribution of won revenue for a set of
//     deals, exact when cheap and otherwise a seeded Monte Carlo estimate,
//     with P10/P50/P90, the probability of reaching a quota, and the exact
//     Poisson-binomial distribution of the number of deals won;
//   - [EmpiricalStageProbabilities]: stage → won conversion per team from
//     history; [Calibrate] checks whether probabilities were right (Brier
//     score, reliability table), for the stage defaults
//     ([StagePredictions]) or the probabilities actually used, overrides
//     included ([PredictionsUsed]);
//   - [SalesVelocity], [TimeInStage] (median and p90, calendar and
//     business time), [Stale], [WinLoss] by reason, competitor, source,
//     owner or segment, and [ForecastAccuracy] against actuals with
//     scoring's KPI.
//
// # JSON
//
// Hosts that put an HTTP API or a message bus in front of the library use
// the documented JSON form of every value. An [Opportunity] encodes
// ([Opportunity.MarshalJSON]) every stored field of its [Record] under a
// stable snake_case name, with "v" (the form's version, [JSONVersion]) and
// "version" (the opportunity's own version, for optimistic concurrency):
//
//	{"v":1,"id":"01890000-0000-7000-8000-000000000001","tenant":"acme",
//	 "version":3,"customer":"01890000-0000-7000-8000-000000000002",
//	 "owner":"sales-wang","team":"east","pipeline":"enterprise",
//	 "name":"200 air conditioners","source":{"kind":"lead",
//	   "lead":"01890000-0000-7000-8000-000000000003"},
//	 "segment":"retail_chain","contacts":[{"name":"Ms Zhao",
//	   "role":"decision_maker"}],"currency":"CNY",
//	 "amount":{"amount":"450000.00","currency":"CNY"},
//	 "lines":[{"code":"AC-200","quantity":"200",
//	   "list_price":{"amount":"2500.00","currency":"CNY"},
//	   "adjustments":[{"kind":"manual","percent":"-0.1",
//	     "note":"manual discount"}],"discount":"0.1",
//	   "total":{"amount":"450000.00","currency":"CNY"},
//	   "needs_approval":false}],
//	 "status":"open","stage":"needs","stage_since":"2026-03-02T12:00:00Z",
//	 "stage_probability":0.25,"stage_category":"pipeline",
//	 "close_date":"2026-06-30","reopens":0,
//	 "created_at":"2026-03-02T09:00:00Z",
//	 "updated_at":"2026-03-02T12:00:00Z","seq":2}
//
// Enums are written by name, amounts as the kernel writes crm.Money
// (an object with the amount as a decimal string in the currency's minor
// units), quantities, discounts and percentages as decimal strings, dates
// as "2006-01-02", times in RFC 3339 in UTC with their nanoseconds.
// Optional members that hold nothing (empty lists, a zero date, time or
// ID, empty text, a category set by hand when there is none) are left out;
// the others are always written. An opportunity may add
// "probability_override" ({"value","actor","at","reason"}), "category",
// "next_step" ({"text","due"}), "approvals" ({"line","up_to","approver",
// "at","reason"}), "competitors" ({"name","offer","strengths",
// "weaknesses","status"}), and once closed "closed_from", "closed_at" and
// "won" ({"contract_date","contract"}) or "lost" ({"reason","competitor",
// "notes"}). Pending stage changes and events are not part of the form.
//
// Decoding ([Opportunity.UnmarshalJSON]) goes through crm.DecodeJSON (an
// unknown member, a wrong type or trailing data is refused), refuses a
// "v" it does not know, rebuilds the opportunity with [FromRecord] and
// runs the check [Guard] runs, so a decoded opportunity is one any store
// accepts. Every refusal is a *crm.ValidationError with the path of each
// problem ("status", "close_date", "contacts[1]"). Encoding then decoding
// gives back the same record, and encoding it again the same bytes.
//
// [Query] has a plain JSON form by its field tags, in the same style;
// pages are crm.Page. The data of every event (see the Event constants)
// has snake_case members, and the outbox stores it in that form.
//
// # Storage
//
// [Store] is the port: Create, Get, Update through a closure, List with a
// [Query] ([Query.Matches] is the reference for what a store returns) and
// cursor paging, and History of stage changes. [Guard] is the one checking
// layer in front of every store: services guard the store they get, and
// the library's stores return their port guarded. [Record], [FromRecord]
// and [Opportunity.PendingChanges] are for store implementations.
package opportunity
