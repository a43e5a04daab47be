package enum_test

import (
	"strings"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
	"github.com/stretchr/testify/require"
)

type color uint8

var colors = enum.New[color]("color", "red", "green", "blue")

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want color
		ok   bool
	}{
		{"red", 1, true},
		{" Green ", 2, true},
		{"BLUE", 3, true},
		{"", 0, false},
		{"purple", 0, false},
		{"red,green", 0, false},
		{strings.Repeat("r", 1000), 0, false},
		{"re\x00d", 0, false},
	}
	for _, tt := range tests {
		got, err := colors.Parse(tt.in)
		if !tt.ok {
			require.ErrorIs(t, err, crm.ErrInvalid, "%q", tt.in)
			require.Zero(t, got)
			require.LessOrEqual(t, len(err.Error()), 200, "a hostile value is not echoed in full")
			continue
		}
		require.NoError(t, err, "%q", tt.in)
		require.Equal(t, tt.want, got)
	}
}

func TestValidStringMarshal(t *testing.T) {
	t.Parallel()
	require.Equal(t, []color{1, 2, 3}, colors.Values())
	for _, c := range colors.Values() {
		require.True(t, colors.Valid(c))
		b, err := colors.Marshal(c)
		require.NoError(t, err)
		back, err := colors.Parse(string(b))
		require.NoError(t, err)
		require.Equal(t, c, back, "names round-trip")
		require.Equal(t, string(b), colors.String(c))
	}
	for _, bad := range []color{0, 4, 255} {
		require.False(t, colors.Valid(bad))
		_, err := colors.Marshal(bad)
		require.ErrorIs(t, err, crm.ErrInvalid)
		require.Contains(t, colors.String(bad), "color(")
	}
}
