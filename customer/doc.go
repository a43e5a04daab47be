// Package customer models the customers a business serves: one record per
// real customer, shared by sales, marketing and service.
//
// # The customer
//
// A [Customer] is a person or an organisation holding one or more [Role]s
// (end customer, dealer, partner, merchant, visitor, property owner), with
// validated, normalised contact points ([Email], [Phone], [Address]),
// important dates, a time zone, preferences, free attributes, tags, notes,
// and marketing [Consent] per [Channel]. Every customer has exactly one
// owner, the account manager responsible for it; every reassignment is kept
// in its history with a reason.
//
// Fields are private. [New] validates a new customer; [FromRecord] rebuilds
// a stored one. Methods validate their input and leave the customer
// unchanged when they refuse; changes that matter are kept as
// [HistoryEntry]s (from, to, when, who, why) and recorded as domain events
// that the [Service] publishes after the transaction commits.
//
// # State machines
//
// Three state machines, each a transition table, refuse a change with a
// *crm.TransitionError and change nothing.
//
// Relationship stage ([Stage], 客户关系发展的五个过程): forward one stage at a
// time, back one stage when the relationship cools; reaching mature needs a
// signed contract. [Stage.Tasks] lists each stage's sales tasks as data.
//
//	unfamiliar ⇄ established ⇄ evaluation ⇄ growth ⇄ mature
//
// Loyalty ladder ([Loyalty]): up one rung at a time, down to any lower rung.
//
//	awareness → trust → transaction → satisfaction → loyalty → advocacy
//
// Lifecycle after the sale ([Lifecycle]): a churned customer returns only
// by being won back.
//
//	active ⇄ at_risk → churned → won_back → active | at_risk | churned
//	active → churned
//
// # Rules as data
//
// A [Segment] is a named list of [Condition]s (field, operator, value)
// combined with all or any; a [Classifier] is an ordered list of
// [ClassRule]s that sets a customer's [Class] (stable, not yet stable, push
// hard, strengthen contact, general contact) and key-account flag. Hosts
// store both as JSON; facts the customer record does not hold (revenue,
// order counts) are passed in as [Facts].
//
// # Contact, care and visits
//
// [Interaction]s record every contact on every channel. [DueCare] computes
// which care actions ([CarePlan]: birthdays, holidays, anniversaries, visits
// after a sale) fall due in a period, in each customer's time zone; the host
// sends them. [Visit]s plan sales visits and record their outcome;
// [CheckDayPlan] checks a salesperson's day against a target such as
// "7 new + 3 return visits".
//
// # Duplicates, merging and erasure
//
// [FindDuplicates] scores likely duplicates by normalised e-mail, phone and
// name similarity and says why. [Merge] folds one customer into another
// following [Survivorship] rules; [Service.Merge] also moves the loser's
// interactions, history and visits, all in one transaction, and leaves the
// loser as a tombstone pointing to the survivor. [Customer.Erase] removes
// personal data on request and reports what it removed.
//
// # Storage
//
// The package's storage port is [Store]; a [Backend] adds transactions.
// github.com/crmkit/crm/storage composes every port into the one interface
// a host implements; storage/memory and storage/postgres implement it, and
// storage/storagetest proves an implementation.
package customer
