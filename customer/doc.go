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
// sends them; [DueMoveCare] does the same for care triggered by moves
// (N business days after entering a stage or a lifecycle status, such as a
// retention call for a customer turning at risk), read from the history.
// [Visit]s plan sales visits and record their outcome; [CheckDayPlan]
// checks a salesperson's day against a target such as "7 new + 3 return
// visits".
//
// Stores keep each customer's [Customer.LastContact] (moved forward by
// every interaction, never backwards). A [CadencePolicy] gives each class
// of customer its rhythm of contact in business days (key accounts every
// 14, general contact every 90: never hot and cold, 忌冷热不均);
// [CadencePolicy.Overdue] and [Service.OverdueForContact] list the
// customers overdue for contact per owner, the latter through the indexed
// [Query] filter ContactedBefore. [StageTimes] tells how long a customer
// spent in each relationship stage, in calendar and business time.
//
// # Referrals, suggestions, memberships and account plans
//
// Value beyond purchases is recorded, not typed in: a [Referral] says which
// customer (a dealer, say) referred which lead or customer and what came of
// it, a [Suggestion] which idea was adopted and what it was worth.
// [RelationValues] aggregates them per customer over a period into the raw
// referral and suggestion indicators of scoring's weighted value model. A
// [Programme] is a membership club as data (tiers, thresholds, benefits, a
// term); a [Membership] is one customer's place in it, lapsed when its term
// passes unrenewed, its tier moves kept in its history. An [AccountPlan]
// gives a key account its team (one lead manager) and goals with targets
// and dates, and measures progress against a straight line (whole counts
// for count goals); [AccountPlanQuery].InForceAt with Status PlanActive
// finds the plan that governs an account at a moment. Each has its
// own storage port, and the [Service] stores each change with its events in
// one transaction.
//
// # Duplicates, merging and erasure
//
// [FindDuplicates] scores likely duplicates by normalised e-mail, phone and
// name similarity and says why. [Merge] folds one customer into another
// following [Survivorship] rules; [Service.Merge] also moves the loser's
// interactions, history and visits, all in one transaction, and leaves the
// loser as a tombstone pointing to the survivor. [Customer.Erase] removes
// personal data on request and reports what it removed. [Service.Resolve]
// follows a chain of merges of any length to the survivor and shortens it
// on the way; a chain that loops or ends at a missing customer is an error
// wrapping crm.ErrCorrupt (repair the data; retrying cannot help).
//
// # Limits
//
// One set of rules says what a stored customer may hold. The constructors
// and methods refuse input that breaks them, and [Guard] checks every
// customer on its way into a store against them (however it was built:
// [New], [FromRecord], or replaced wholesale inside an Update closure), so
// every store keeps the same data:
//
//   - name: not empty, at most [MaxNameLen] runes, no control characters;
//   - roles: at least one, known values (a tombstone or erased customer
//     may have none); kind, stage, loyalty, lifecycle, class: known values;
//     one valid owner;
//   - e-mails, phones, addresses: at most [MaxContacts] each, no repeats,
//     each address valid ([Address.Validate]);
//   - dates, preferences, attributes: at most [MaxMapEntries] entries
//     each, keys of 1 to [MaxKeyLen] bytes, printable, no spaces; values
//     not empty, at most [MaxValueLen] runes; dates valid;
//   - tags: at most [MaxTags], each a key as above, lower-case and trimmed;
//   - notes at most [MaxNotesLen] runes, consent sources [MaxSourceLen];
//   - a time zone the zone database loads ("Local" refused);
//   - every string valid UTF-8 without a NUL byte; every time within
//     crm.ValidTime (years 1 to 9999);
//   - a tombstone never points to itself; an Update closure keeps the
//     customer's ID, tenant and version.
//
// Interactions and visits are held to [Interaction.Validate] and
// [Visit.Validate] on every path alike (an UpdateVisit closure also keeps
// the visit's ID, tenant and customer); FindByContact takes at most
// [MaxContactKeys] distinct keys, repeats counted once.
//
// Reading never fails on a limit: a customer stored over a limit (by an
// older version, or written around the guard) loads as it is. Every write
// of it is refused with crm.ErrInvalid naming the field until the write
// brings it back within the limits, which an Update whose closure trims the
// field does (removing attributes with SetAttribute(key, "") is always
// allowed). A merge whose united customer would break a limit is refused.
//
// # JSON
//
// Hosts that put an HTTP API or a message bus in front of the library use
// the documented JSON form of every value. A [Customer] encodes
// ([Customer.MarshalJSON]) every stored field of its [Record] under a
// stable snake_case name, with "v" (the form's version, [JSONVersion]) and
// "version" (the customer's own version, for optimistic concurrency):
//
//	{"v":1,"id":"01900000-0000-7000-8000-000000000001","tenant":"acme",
//	 "version":3,"kind":"person","name":"Li Wei","roles":["owner"],
//	 "emails":["li.wei@example.com"],"phones":["+8613800138000"],
//	 "addresses":[{"label":"home","lines":["1 Century Avenue"],
//	   "locality":"Shanghai","postal_code":"200120","country":"CN"}],
//	 "dates":{"birthday":"--03-14"},"time_zone":"Asia/Shanghai",
//	 "preferences":{"language":"zh"},"attributes":{"erp_id":"C-42"},
//	 "tags":["vip"],"consents":{"email":{"granted":true,
//	   "at":"2025-03-14T09:30:00Z","source":"web form"}},
//	 "notes":"Prefers mornings","stage":"growth","loyalty":"trust",
//	 "lifecycle":"active","class":"stable","key_account":true,
//	 "owner":"mgr.zhang","created_at":"2025-03-14T09:30:00Z",
//	 "updated_at":"2025-03-15T10:00:00Z","history_seq":4}
//
// Enums are written by name, e-mails and phones in their text form
// ([Phone.MarshalText]), dates as "2006-01-02" or "--01-02", times in RFC
// 3339 in UTC with their nanoseconds. Optional members that hold nothing
// (empty lists and maps, a zero time or ID, empty text) are left out;
// the others are always written. A tombstone adds "merged_into" (the
// survivor's ID), an erased customer "erased_at", a customer ever contacted
// "last_contact". Pending history and events are not part of the form.
//
// Decoding ([Customer.UnmarshalJSON]) goes through crm.DecodeJSON (an
// unknown member, a wrong type or trailing data is refused), refuses a
// "v" it does not know, rebuilds the customer with [FromRecord] and checks
// it against the limits above, so a decoded customer is one any store
// accepts. Every refusal is a *crm.ValidationError with the path of each
// problem ("emails[1].domain", "consents.email.source"). Encoding then
// decoding gives back the same record, and encoding it again the same
// bytes.
//
// The other values have plain JSON forms by their field tags, in the same
// style: [Visit] (its duration as Go duration text, "1h30m0s"),
// [Interaction], [HistoryEntry], [Address], [Consent], [Query],
// [VisitQuery], [Segment], [Classifier] and [CadencePolicy] (its rules and
// its calendar's configuration); pages are crm.Page. The data
// of every event (see the Event constants) has snake_case members, and
// the outbox stores it in that form.
//
// # Events and the outbox
//
// Entities record domain events; the [Service] gives each an ID when its
// change is stored and sets the stored version. With [Options.Outbox] the
// events are stored in the change's transaction, for the host to drain
// with at-least-once delivery; [Options.Events] hears of them in process
// after the outermost transaction commits (crm.AfterCommit), never of a
// rolled-back change, and its failures are logged, not returned.
//
// # Storage
//
// The package's storage port is [Store]; a [Backend] adds transactions.
// github.com/crmkit/crm/storage composes every port into the one interface
// a host implements; storage/memory and storage/postgres implement it, and
// storage/storagetest proves an implementation. Stores only store: every
// check lives in [Guard], which services put in front of the store they
// get. What only a store may do to a customer (mark it saved, adopt a
// decoded record, take its pending history) is reached through the
// module's internal/hook package, not through the Customer type.
package customer
