package complaint_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/complaint"
)

func testLadder() complaint.Ladder {
	return complaint.Ladder{
		Steps: []complaint.Step{
			{Level: 1, Role: "owner", Notify: []string{"owner"}},
			{Level: 2, Role: "team_lead", Notify: []string{"lead-wang", "owner"}},
			{Level: 3, Role: "department_head", Notify: []string{"head-zhao"}},
			{Level: 4, Role: "executive", Notify: []string{"ceo"}},
		},
		Triggers: []complaint.Trigger{
			{On: complaint.OnBreach, Target: complaint.TargetResolution, ToLevel: 3},
			{On: complaint.OnBreach, ToLevel: 2},
			{On: complaint.OnSeverity, Severity: complaint.Critical, ToLevel: 3},
			{On: complaint.OnRepeat, MinRepeat: 3, ToLevel: 2},
			{On: complaint.OnCustomerClass, Class: "key_account", ToLevel: 4},
		},
	}
}

func slaWith(states map[complaint.SLATarget]calendar.State) complaint.SLA {
	var s complaint.SLA
	set := func(ts *complaint.TargetStatus, t complaint.SLATarget) {
		if st, ok := states[t]; ok {
			ts.Tracked, ts.State = true, st
		}
	}
	set(&s.Acknowledge, complaint.TargetAcknowledge)
	set(&s.FirstResponse, complaint.TargetFirstResponse)
	set(&s.NextUpdate, complaint.TargetNextUpdate)
	set(&s.Resolution, complaint.TargetResolution)
	return s
}

func TestLadderDue(t *testing.T) {
	t.Parallel()
	l := testLadder()
	require.NoError(t, l.Validate())
	high := newComplaint(t) // severity High, level 0
	critical := func() *complaint.Complaint {
		in := validInput()
		in.Severity = complaint.Critical
		c, err := complaint.New(in, chg(0))
		require.NoError(t, err)
		return c
	}()
	atTwo, m := at(t, complaint.Investigating)
	require.NoError(t, atTwo.Escalate(chg(m+1)))
	require.NoError(t, atTwo.Escalate(chg(m+2)))
	tests := []struct {
		name    string
		c       *complaint.Complaint
		sla     complaint.SLA
		facts   complaint.EscalationFacts
		level   int
		reasons int
		notify  []string
	}{
		{"nothing due", high, slaWith(map[complaint.SLATarget]calendar.State{complaint.TargetResolution: calendar.StateWarning}), complaint.EscalationFacts{RepeatCount: 2}, 0, 0, nil},
		{"untracked breach state ignored", high, complaint.SLA{Resolution: complaint.TargetStatus{Evaluation: calendar.Evaluation{State: calendar.StateBreached}}}, complaint.EscalationFacts{}, 0, 0, nil},
		{"any breach", high, slaWith(map[complaint.SLATarget]calendar.State{complaint.TargetAcknowledge: calendar.StateMissed}), complaint.EscalationFacts{}, 2, 1, []string{"owner", "lead-wang"}},
		{"resolution breach", high, slaWith(map[complaint.SLATarget]calendar.State{complaint.TargetResolution: calendar.StateBreached}), complaint.EscalationFacts{}, 3, 2, []string{"owner", "lead-wang", "head-zhao"}},
		{"severity", critical, complaint.SLA{}, complaint.EscalationFacts{}, 3, 1, []string{"owner", "lead-wang", "head-zhao"}},
		{"repeat", high, complaint.SLA{}, complaint.EscalationFacts{RepeatCount: 3}, 2, 1, []string{"owner", "lead-wang"}},
		{"class", high, complaint.SLA{}, complaint.EscalationFacts{Class: "key_account"}, 4, 1, []string{"owner", "lead-wang", "head-zhao", "ceo"}},
		{"already at two: notify only above", atTwo, complaint.SLA{}, complaint.EscalationFacts{RepeatCount: 5, Class: "key_account"}, 4, 2, []string{"head-zhao", "ceo"}},
		{"already at two, two due: nobody", atTwo, complaint.SLA{}, complaint.EscalationFacts{RepeatCount: 5}, 2, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			level, reasons, notify := l.Due(tt.c, tt.sla, tt.facts)
			require.Equal(t, tt.level, level)
			require.Len(t, reasons, tt.reasons)
			require.Equal(t, tt.notify, notify)
		})
	}
}

func TestApplyEscalation(t *testing.T) {
	t.Parallel()
	l := testLadder()
	t.Run("raises to the due level, recording who is notified", func(t *testing.T) {
		t.Parallel()
		c, m := at(t, complaint.Investigating)
		ch := chg(m + 1)
		ch.Reason = "nightly check"
		level, notify, err := complaint.ApplyEscalation(c, l, complaint.SLA{}, complaint.EscalationFacts{Class: "key_account"}, ch)
		require.NoError(t, err)
		require.Equal(t, 4, level)
		require.Equal(t, 4, c.EscalationLevel())
		require.Equal(t, []string{"owner", "lead-wang", "head-zhao", "ceo"}, notify)
		audit := c.PendingAudit()
		require.Len(t, audit, 4)
		require.Equal(t, "escalation ladder: level 4 (executive): customer class key_account → level 4; notify ceo; nightly check", audit[3].Reason)
		require.Equal(t, "escalation ladder: level 1 (owner): customer class key_account → level 4; notify owner; nightly check", audit[0].Reason)
		require.Len(t, c.Events(), 4)

		// Never down: a lower due level changes nothing.
		level, notify, err = complaint.ApplyEscalation(c, l, complaint.SLA{}, complaint.EscalationFacts{RepeatCount: 9}, chg(m+2))
		require.NoError(t, err)
		require.Equal(t, 4, level)
		require.Nil(t, notify)
		require.Len(t, c.PendingAudit(), 4)
	})
	t.Run("a long reason is cut", func(t *testing.T) {
		t.Parallel()
		c, m := at(t, complaint.Investigating)
		ch := chg(m + 1)
		ch.Reason = strings.Repeat("投", complaint.MaxReasonLen)
		_, _, err := complaint.ApplyEscalation(c, l, complaint.SLA{}, complaint.EscalationFacts{RepeatCount: 3}, ch)
		require.NoError(t, err)
		require.Equal(t, 2, c.EscalationLevel())
		got := c.PendingAudit()[0].Reason
		require.Equal(t, complaint.MaxReasonLen, utf8.RuneCountInString(got))
		require.True(t, strings.HasPrefix(got, "escalation ladder: level 1 (owner): 3 complaints by the customer (at least 3) → level 2; notify owner; 投投"), got)
	})

	refusals := []struct {
		name   string
		status complaint.Status
		ladder complaint.Ladder
		ch     func(m int) complaint.Change
		is     error
	}{
		{"invalid ladder", complaint.Investigating, complaint.Ladder{}, chg, crm.ErrInvalid},
		{"no actor", complaint.Investigating, l, func(m int) complaint.Change { ch := chg(m); ch.Actor = ""; return ch }, crm.ErrInvalid},
		{"reason too long", complaint.Investigating, l, func(m int) complaint.Change {
			ch := chg(m)
			ch.Reason = strings.Repeat("x", complaint.MaxReasonLen+1)
			return ch
		}, crm.ErrInvalid},
		{"closed complaint", complaint.Closed, l, chg, crm.ErrInvalidTransition},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, m := at(t, tt.status)
			before := c.Record()
			level, notify, err := complaint.ApplyEscalation(c, tt.ladder, complaint.SLA{}, complaint.EscalationFacts{Class: "key_account"}, tt.ch(m+1))
			require.ErrorIs(t, err, tt.is)
			require.Equal(t, 0, level)
			require.Nil(t, notify)
			require.Equal(t, before, c.Record())
			require.Empty(t, c.PendingAudit())
		})
	}
}

func TestLadderValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edit  func(l *complaint.Ladder)
		paths []string
	}{
		{"no steps", func(l *complaint.Ladder) { l.Steps, l.Triggers = nil, nil }, []string{"steps"}},
		{"too many steps", func(l *complaint.Ladder) {
			l.Steps = nil
			for i := range complaint.MaxEscalationLevel + 1 {
				l.Steps = append(l.Steps, complaint.Step{Level: i + 1, Role: "r"})
			}
		}, []string{"steps"}},
		{"level gap", func(l *complaint.Ladder) { l.Steps[2].Level = 4 }, []string{"steps[2].level"}},
		{"level order", func(l *complaint.Ladder) { l.Steps[0].Level, l.Steps[1].Level = 2, 1 }, []string{"steps[0].level", "steps[1].level"}},
		{"role", func(l *complaint.Ladder) { l.Steps[1].Role = " " }, []string{"steps[1].role"}},
		{"notify", func(l *complaint.Ladder) { l.Steps[1].Notify = []string{"a", ""} }, []string{"steps[1].notify[1]"}},
		{"kind", func(l *complaint.Ladder) { l.Triggers[0].On = "moon" }, []string{"triggers[0].on"}},
		{"target", func(l *complaint.Ladder) { l.Triggers[0].Target = "lunch" }, []string{"triggers[0].target"}},
		{"severity", func(l *complaint.Ladder) { l.Triggers[2].Severity = 0 }, []string{"triggers[2].severity"}},
		{"repeat", func(l *complaint.Ladder) { l.Triggers[3].MinRepeat = 0 }, []string{"triggers[3].min_repeat"}},
		{"class", func(l *complaint.Ladder) { l.Triggers[4].Class = "" }, []string{"triggers[4].class"}},
		{"level missing", func(l *complaint.Ladder) { l.Triggers[1].ToLevel = 5 }, []string{"triggers[1].to_level"}},
		{"level zero", func(l *complaint.Ladder) { l.Triggers[1].ToLevel = 0 }, []string{"triggers[1].to_level"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := testLadder()
			tt.edit(&l)
			err := l.Validate()
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.True(t, errors.As(err, &ve))
			for _, p := range tt.paths {
				require.True(t, ve.Has(p), "want %s in %v", p, err)
			}
		})
	}
}

func TestLadderJSON(t *testing.T) {
	t.Parallel()
	l := testLadder()
	b, err := json.Marshal(l)
	require.NoError(t, err)
	require.Contains(t, string(b), `"severity":"critical"`)
	var back complaint.Ladder
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, l, back)
	require.NoError(t, back.Validate())
}
