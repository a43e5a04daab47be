package complaint

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

// TriggerKind says what sets off an escalation [Trigger].
type TriggerKind string

// Trigger kinds.
const (
	OnBreach        TriggerKind = "breach"         // a service-level target breached (or missed)
	OnSeverity      TriggerKind = "severity"       // the complaint's severity at least a given one
	OnRepeat        TriggerKind = "repeat"         // the customer complained often in the host's window
	OnCustomerClass TriggerKind = "customer_class" // the customer is of a given class
)

// Valid reports whether k is a known trigger kind.
func (k TriggerKind) Valid() bool {
	return k == OnBreach || k == OnSeverity || k == OnRepeat || k == OnCustomerClass
}

// Step is one rung of an escalation ladder, e.g. level 2, the team lead.
type Step struct {
	// Level is the escalation level the step stands for, from 1.
	Level int `json:"level"`
	// Role names who handles the complaint at this level, e.g. "team_lead".
	Role string `json:"role"`
	// Notify lists who is told when the complaint reaches this level
	// (user IDs, roles or addresses in the host's terms).
	Notify []string `json:"notify,omitempty"`
}

// Trigger raises a complaint to ToLevel when its condition holds.
type Trigger struct {
	// On says what the trigger watches.
	On TriggerKind `json:"on"`
	// Target restricts a breach trigger to one target; empty: any target.
	Target SLATarget `json:"target,omitempty"`
	// Severity is the least severity that sets off a severity trigger.
	Severity Severity `json:"severity,omitempty"`
	// MinRepeat is the least [EscalationFacts.RepeatCount] that sets off a
	// repeat trigger; at least 1.
	MinRepeat int `json:"min_repeat,omitempty"`
	// Class is the customer class that sets off a customer_class trigger.
	Class string `json:"class,omitempty"`
	// ToLevel is the level the trigger escalates to; a step's level.
	ToLevel int `json:"to_level"`
}

// Ladder is an escalation ladder as data: its steps (owner → team lead →
// department head → executive, say) and what raises a complaint on it.
type Ladder struct {
	// Steps are the rungs, with levels 1, 2, … in order.
	Steps []Step `json:"steps"`
	// Triggers are checked all together; the highest level due wins.
	Triggers []Trigger `json:"triggers,omitempty"`
}

// EscalationFacts are what the host knows about the customer that
// triggers may look at.
type EscalationFacts struct {
	// RepeatCount is how many complaints the same customer made in the
	// host's window, this one included.
	RepeatCount int `json:"repeat_count,omitempty"`
	// Class is the customer's class in the host's terms.
	Class string `json:"class,omitempty"`
}

// Validate returns a *crm.ValidationError listing every problem with l:
// at least one step; step levels 1..N in order, at most
// [MaxEscalationLevel]; a role on every step and no empty notify entry;
// every trigger of a known kind, with the field its kind needs, and
// escalating to a level the ladder has.
func (l Ladder) Validate() error {
	var v crm.Validator
	v.Check(len(l.Steps) > 0, "steps", "at least one step is required")
	v.Check(len(l.Steps) <= MaxEscalationLevel, "steps", fmt.Sprintf("more than %d steps", MaxEscalationLevel))
	for i, s := range l.Steps {
		p := fmt.Sprintf("steps[%d].", i)
		v.Check(s.Level == i+1, p+"level", fmt.Sprintf("must be %d: levels run 1, 2, … in order", i+1))
		v.Check(strings.TrimSpace(s.Role) != "", p+"role", "required")
		for j, n := range s.Notify {
			v.Check(strings.TrimSpace(n) != "", fmt.Sprintf("%snotify[%d]", p, j), "must not be empty")
		}
	}
	for i, t := range l.Triggers {
		p := fmt.Sprintf("triggers[%d].", i)
		switch t.On {
		case OnBreach:
			v.Check(t.Target == "" || t.Target.Valid(), p+"target", "unknown target")
		case OnSeverity:
			v.Check(t.Severity.Valid(), p+"severity", "unknown severity")
		case OnRepeat:
			v.Check(t.MinRepeat >= 1, p+"min_repeat", "must be at least 1")
		case OnCustomerClass:
			v.Check(strings.TrimSpace(t.Class) != "", p+"class", "required")
		default:
			v.Addf(p+"on", "unknown trigger kind %.32q", string(t.On))
		}
		v.Check(t.ToLevel >= 1 && t.ToLevel <= len(l.Steps), p+"to_level", "no step at that level")
	}
	return v.Err("complaint.Ladder")
}

// Due returns the escalation level due for c: the highest ToLevel of the
// triggers that hold (0 when none does), a reason for each of them in
// trigger order, and who to notify: the Notify lists of the steps above
// c's current level up to the level due, in order and without repeats
// (empty when c is already there). It assumes l is valid.
func (l Ladder) Due(c *Complaint, sla SLA, facts EscalationFacts) (level int, reasons, notify []string) {
	for _, t := range l.Triggers {
		var reason string
		switch t.On {
		case OnBreach:
			for _, target := range slaTargets {
				if t.Target != "" && t.Target != target {
					continue
				}
				if st := sla.Get(target); st.Tracked && (st.State == calendar.StateBreached || st.State == calendar.StateMissed) {
					reason = fmt.Sprintf("%s target breached", target)
					break
				}
			}
		case OnSeverity:
			if c.severity >= t.Severity {
				reason = fmt.Sprintf("severity %s", c.severity)
			}
		case OnRepeat:
			if facts.RepeatCount >= t.MinRepeat {
				reason = fmt.Sprintf("%d complaints by the customer (at least %d)", facts.RepeatCount, t.MinRepeat)
			}
		case OnCustomerClass:
			if facts.Class == t.Class {
				reason = fmt.Sprintf("customer class %.64s", t.Class)
			}
		}
		if reason == "" {
			continue
		}
		reasons = append(reasons, fmt.Sprintf("%s → level %d", reason, t.ToLevel))
		level = max(level, t.ToLevel)
	}
	for _, s := range l.Steps {
		if s.Level > c.escalation && s.Level <= level {
			for _, n := range s.Notify {
				if !slices.Contains(notify, n) {
					notify = append(notify, n)
				}
			}
		}
	}
	return level, reasons, notify
}

// ApplyEscalation raises c to the level l says is due (see [Ladder.Due]),
// one [Complaint.Escalate] per level, never lowering it. Each escalation's
// reason names the step's level and role, the reasons the level is due and
// who the step notifies, followed by ch.Reason when given, all cut to
// [MaxReasonLen] runes;
// the audit trail and the complaint.escalated events thus record them.
// It returns the level reached and who to notify. Either every escalation
// happens or none does: an invalid ladder or change (crm.ErrInvalid), or a
// complaint that is not open (crm.ErrInvalidTransition), leaves c
// unchanged.
func ApplyEscalation(c *Complaint, l Ladder, sla SLA, facts EscalationFacts, ch Change) (level int, notify []string, err error) {
	var v crm.Validator
	v.Merge("ladder", l.Validate())
	validateChange(&v, ch)
	if err := v.Err("complaint.ApplyEscalation"); err != nil {
		return c.escalation, nil, err
	}
	due, reasons, notify := l.Due(c, sla, facts)
	if due <= c.escalation {
		return c.escalation, nil, nil
	}
	d := c.Clone()
	for d.escalation < due {
		s := l.Steps[d.escalation] // level d.escalation+1
		var b strings.Builder
		fmt.Fprintf(&b, "escalation ladder: level %d (%s): %s", s.Level, s.Role, strings.Join(reasons, "; "))
		if len(s.Notify) > 0 {
			fmt.Fprintf(&b, "; notify %s", strings.Join(s.Notify, ", "))
		}
		if r := strings.TrimSpace(ch.Reason); r != "" {
			b.WriteString("; ")
			b.WriteString(r)
		}
		step := ch
		step.Reason = cutRunes(b.String(), MaxReasonLen)
		if err := d.Escalate(step); err != nil {
			return c.escalation, nil, fmt.Errorf("complaint: apply escalation %s: %w", c.id, err)
		}
	}
	*c = *d
	return c.escalation, notify, nil
}

// cutRunes returns s cut to at most n runes.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
