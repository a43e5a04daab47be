package postgres

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// FuzzAssetPath checks the stored asset-path encoding: every asset round
// trips, a prefix's range holds exactly the paths of the assets below it,
// and decoding any string never panics.
func FuzzAssetPath(f *testing.F) {
	for _, s := range []string{"", "project", "P1", "%", "_", `\`, "/", ":", "\x01", "\x02", "\x01\x02", "中文", "a\x02b"} {
		f.Add(s, "B3", "unit")
	}
	f.Fuzz(func(t *testing.T, kind, id, third string) {
		// Decoding arbitrary text never panics.
		_, _ = decodeAsset(kind + id + third)

		a := complaint.Asset{{Kind: kind, ID: id}, {Kind: third, ID: id + kind}}
		if a.Validate() != nil {
			return
		}
		enc := encodeAsset(a)
		got, err := decodeAsset(enc)
		require.NoError(t, err)
		require.Equal(t, a, got)

		// The one-level prefix's range holds the two-level path, and a
		// different first level never falls inside it.
		lo, hi := assetRange(a[:1])
		require.True(t, strings.HasPrefix(enc, lo))
		require.True(t, lo <= enc && enc < hi, "a path below the prefix lies in its range")
		other := complaint.Asset{{Kind: kind, ID: id + "x"}}
		if other.Validate() == nil {
			oe := encodeAsset(other)
			require.False(t, lo <= oe && oe < hi, "a sibling %q lies outside the range of %q", other, a[:1])
		}
	})
}

// FuzzComplaintCursors checks that the complaint, risk and audit cursors
// round trip and that parsing any string never panics nor yields a zero key.
func FuzzComplaintCursors(f *testing.F) {
	f.Add("", int64(1))
	f.Add("not a cursor", int64(42))
	f.Add(idCursorString(curAudit, crm.MustParseID("0195f0a4-7b2c-7d3e-8f40-123456789abc")), int64(1<<40))
	f.Fuzz(func(t *testing.T, s string, seq int64) {
		const op = "fuzz"
		if id, err := parseIDCursor(op, curComplaints, s); err == nil && s != "" {
			require.False(t, id.IsZero())
			require.Equal(t, s, idCursorString(curComplaints, id))
		}
		if n, err := parseSeqCursor(op, s); err == nil && s != "" {
			require.Positive(t, n)
			require.Equal(t, s, seqCursorString(n))
		}
		if seq > 0 {
			n, err := parseSeqCursor(op, seqCursorString(seq))
			require.NoError(t, err)
			require.Equal(t, seq, n)
		}
	})
}
