package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// The quickstart is documentation: it must keep running and keep telling
// the story the README promises.
func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	s := out.String()
	for _, want := range []string{
		"2026-11-26  birthday   Wang Fang 40th birthday by chen.lei",
		"mature without a contract? refused: growth -> mature, a signed contract is required",
		"owner    zhou.min -> chen.lei by manager (Zhou Min moves to the Shenzhen office)",
		"Bright Star Appliances Ltd   push_hard          key account: true",
		"Wang Fang ~ Fang Wang: score 0.90 (phone, name)",
		"Fang Wang is now a tombstone pointing to Wang Fang: true",
		"customer.merged              1",
	} {
		require.Contains(t, s, want)
	}
	var again bytes.Buffer
	require.NoError(t, run(context.Background(), &again))
	require.Equal(t, s, again.String(), "the run is reproducible")
}
