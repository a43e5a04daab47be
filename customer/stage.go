package customer

import "github.com/crmkit/crm/internal/enum"

// Stage is where the relationship with a customer stands (客户关系发展的五个过程).
// A relationship moves forward one stage at a time and may fall back one
// stage when it cools; reaching [Mature] needs evidence of a signed contract,
// the only mark of maturity.
//
//	unfamiliar ⇄ established ⇄ evaluation ⇄ growth ⇄ mature
type Stage uint8

// Relationship stages, in order.
const (
	Unfamiliar  Stage = iota + 1 // 陌生期: plan the account, first phone contact
	Established                  // 建立期: first visit, research, first proposal
	Evaluation                   // 考察期: both sides assess each other
	Growth                       // 成长期: trust; needs analysis, formal proposal
	Mature                       // 成熟期: signed contract; repeat purchase
)

var stages = enum.New[Stage]("stage", "unfamiliar", "established", "evaluation", "growth", "mature")

var stageMachine = machine[Stage]{
	name: "customer stage",
	str:  Stage.String,
	table: map[Stage][]Stage{
		Unfamiliar:  {Established},
		Established: {Evaluation, Unfamiliar},
		Evaluation:  {Growth, Established},
		Growth:      {Mature, Evaluation},
		Mature:      {Growth},
	},
}

// ParseStage parses a stage name such as "growth".
func ParseStage(s string) (Stage, error) { return stages.Parse(s) }

// Stages returns every stage in order.
func Stages() []Stage { return stages.Values() }

// String returns the stage's name.
func (s Stage) String() string { return stages.String(s) }

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { return stages.Valid(s) }

// CanMoveTo reports whether the stage machine allows s -> to (ignoring the
// contract evidence Mature needs).
func (s Stage) CanMoveTo(to Stage) bool { return stageMachine.allowed(s, to) }

// Next returns the stages s may move to.
func (s Stage) Next() []Stage { return stageMachine.next(s) }

// MarshalText implements encoding.TextMarshaler.
func (s Stage) MarshalText() ([]byte, error) { return stages.Marshal(s) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Stage) UnmarshalText(b []byte) (err error) { *s, err = stages.Parse(string(b)); return err }

// Task is a piece of sales work that belongs to a relationship stage.
type Task struct {
	// Code is a stable identifier, e.g. "first_visit".
	Code string
	// Title describes the task in English.
	Title string
}

var stageTasks = map[Stage][]Task{
	Unfamiliar: {
		{"plan_account", "Plan the account: who decides, what they need, how to reach them"},
		{"first_phone_contact", "First phone contact"},
	},
	Established: {
		{"first_visit", "First visit"},
		{"initial_research", "Initial research of the customer's situation"},
		{"first_proposal", "First proposal"},
	},
	Evaluation: {
		{"demonstration", "Product or site demonstration"},
		{"technical_exchange", "Technical exchange between both sides"},
	},
	Growth: {
		{"needs_analysis", "Needs analysis"},
		{"formal_proposal", "Formal proposal"},
		{"project_evaluation", "Project evaluation"},
	},
	Mature: {
		{"negotiation", "Negotiation"},
		{"contract_signing", "Contract signing"},
		{"repeat_purchase", "Repeat purchase"},
	},
}

// Tasks returns the sales tasks of stage s, as data a host can show or copy
// into its own task list. It returns nil for an unknown stage.
func (s Stage) Tasks() []Task {
	t := stageTasks[s]
	if t == nil {
		return nil
	}
	return append([]Task(nil), t...)
}
