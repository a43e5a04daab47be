package customer

import "github.com/crmkit/crm/internal/enum"

// Loyalty is a customer's rung on the loyalty ladder (潜在客户→忠实客户). A
// customer climbs one rung at a time and can fall back to any lower rung
// when trust is lost.
//
//	awareness → trust → transaction → satisfaction → loyalty → advocacy
type Loyalty uint8

// Rungs of the loyalty ladder, in order.
const (
	Awareness    Loyalty = iota + 1 // 认知
	Trust                           // 信任
	Transaction                     // 交易
	Satisfaction                    // 满意
	Loyal                           // 忠诚
	Advocacy                        // 口碑: word of mouth
)

var loyalties = enum.New[Loyalty]("loyalty", "awareness", "trust", "transaction", "satisfaction", "loyalty", "advocacy")

var loyaltyMachine = func() machine[Loyalty] {
	t := map[Loyalty][]Loyalty{}
	for from := Awareness; from <= Advocacy; from++ {
		if from < Advocacy {
			t[from] = append(t[from], from+1)
		}
		for to := from - 1; to >= Awareness; to-- {
			t[from] = append(t[from], to)
		}
	}
	return machine[Loyalty]{name: "customer loyalty", str: Loyalty.String, table: t}
}()

// ParseLoyalty parses a rung name such as "satisfaction".
func ParseLoyalty(s string) (Loyalty, error) { return loyalties.Parse(s) }

// LoyaltyLadder returns every rung in order.
func LoyaltyLadder() []Loyalty { return loyalties.Values() }

// String returns the rung's name.
func (l Loyalty) String() string { return loyalties.String(l) }

// Valid reports whether l is a known rung.
func (l Loyalty) Valid() bool { return loyalties.Valid(l) }

// CanMoveTo reports whether the ladder allows l -> to.
func (l Loyalty) CanMoveTo(to Loyalty) bool { return loyaltyMachine.allowed(l, to) }

// MarshalText implements encoding.TextMarshaler.
func (l Loyalty) MarshalText() ([]byte, error) { return loyalties.Marshal(l) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *Loyalty) UnmarshalText(b []byte) (err error) {
	*l, err = loyalties.Parse(string(b))
	return err
}

// Lifecycle is a customer's status after the sale. A churned customer comes
// back only by being won back (客户再生); a won-back customer becomes active
// again, or is at risk or churned once more.
//
//	active ⇄ at_risk → churned → won_back → active
//	active → churned;  won_back → at_risk | churned
type Lifecycle uint8

// Lifecycle statuses.
const (
	Active  Lifecycle = iota + 1
	AtRisk            // signs of leaving
	Churned           // lost
	WonBack           // returned after being lost
)

var lifecycles = enum.New[Lifecycle]("lifecycle", "active", "at_risk", "churned", "won_back")

var lifecycleMachine = machine[Lifecycle]{
	name: "customer lifecycle",
	str:  Lifecycle.String,
	table: map[Lifecycle][]Lifecycle{
		Active:  {AtRisk, Churned},
		AtRisk:  {Active, Churned},
		Churned: {WonBack},
		WonBack: {Active, AtRisk, Churned},
	},
}

// ParseLifecycle parses a status name such as "at_risk".
func ParseLifecycle(s string) (Lifecycle, error) { return lifecycles.Parse(s) }

// Lifecycles returns every status in order.
func Lifecycles() []Lifecycle { return lifecycles.Values() }

// String returns the status's name.
func (l Lifecycle) String() string { return lifecycles.String(l) }

// Valid reports whether l is a known status.
func (l Lifecycle) Valid() bool { return lifecycles.Valid(l) }

// CanMoveTo reports whether the lifecycle allows l -> to.
func (l Lifecycle) CanMoveTo(to Lifecycle) bool { return lifecycleMachine.allowed(l, to) }

// MarshalText implements encoding.TextMarshaler.
func (l Lifecycle) MarshalText() ([]byte, error) { return lifecycles.Marshal(l) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *Lifecycle) UnmarshalText(b []byte) (err error) {
	*l, err = lifecycles.Parse(string(b))
	return err
}
