package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The residential example is documentation: it must keep running, keep
// telling the story of DOMAIN.md §4 and print the same report every time.
func TestResidential(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	s := out.String()
	for _, want := range []string{
		"Wed 06-17 09:15 call_centre    B3-1601 roof             critical Zhang Wei  policy urgent leaks ack by 06-17 10:15, resolve by 06-18 16:15",
		"Thu 06-18 16:00 phone          B3-1502 service_attitude medium   Li Na      policy standard     ack by 06-20 11:00",
		"Thu 06-18 16:15 breached     resolution     B3-1601 roof",
		"escalated B3-1601 roof             level 0 -> 2 (team_lead), notify service-desk, lead.wu",
		"escalated B3-1502 service_attitude level 0 -> 3 (department_head), notify service-desk, lead.wu, head.sun",
		"risk leaks-per-building: 4 complaints on project:P1/building:B3, owner risk.he, open",
		"evidence: B3-1502 window; B3-1801 roof; B3-1702 roof; B3-1601 roof",
		"risk repeat-complainer: 3 complaints on Li Na",
		"still to answer: Wang Qiang, Chen Jing, Zhang Wei",
		"still to answer: nobody: every owner has had an answer",
		"resolved once for the group: B3-1801 roof, B3-1702 roof, B3-1601 roof (remedy repair, root cause roof_membrane)",
		"risk leaks-per-building is mitigated:",
		"B5-0602 crack            Zhao Min: owner not convinced the crack is harmless; reopened",
		"B5-0602 crack closed again after 1 reopen; decision accepted: true",
		"reopen B3-1502 cleaning on 07-06? refused: closed -> reopened, reopen window",
		"B3-1502 window           score 11.76 category depth 3",
		"roof                            n=3 ack 30m/35m resolve 23h/23h (median/p90)",
		"resolution SLA  57% reopen  14% hand-overs 2 escalated 4 CSAT 3.9 (n=7)",
		"project:P1/building:B3          n=6",
		"complaint.created              8",
	} {
		require.Contains(t, s, want)
	}

	// The owner's view of the work order lacks the internal entries the
	// staff view shows.
	staff, rest, ok := strings.Cut(s, "what Li Na sees")
	require.True(t, ok)
	owner, _, ok := strings.Cut(rest, "\n5. ")
	require.True(t, ok)
	require.Contains(t, staff, "internal Sill sealant cracked; installer batch W-17")
	require.Contains(t, owner, "verified            Water test passed")
	require.NotContains(t, owner, "installer batch W-17")
	require.NotContains(t, owner, "cost centre")

	var again bytes.Buffer
	require.NoError(t, run(context.Background(), &again))
	require.Equal(t, s, again.String(), "the run is reproducible")
}
