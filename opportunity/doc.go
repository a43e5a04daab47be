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
// # Storage
//
// [Store] is the port: Create, Get, Update through a closure, List with a
// [Query] ([Query.Matches] is the reference for what a store returns) and
// cursor paging, and History of stage changes. [Guard] is the one checking
// layer in front of every store: services guard the store they get, and
// the library's stores return their port guarded. [Record], [FromRecord]
// and [Opportunity.PendingChanges] are for store implementations.
package opportunity
