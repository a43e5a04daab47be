package csvio

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

// The shapes of a package's Mapping, Policy, Progress and ImportOptions.

type testMapping struct{ Layout Layout }

func (m testMapping) Validate() error {
	var v crm.Validator
	testFormat().Check(&v, m.Layout)
	return v.Err("testcsv.Mapping")
}

type testPolicy uint8

const (
	testAllOrNothing testPolicy = iota
	testSkipInvalid
)

type testProgress struct {
	Rows     int
	Stored   int
	Rejected int
	Elapsed  time.Duration
}

type testOptions struct {
	Tenant      crm.TenantID
	Mapping     testMapping
	Policy      testPolicy
	Change      crm.Change
	Clock       crm.Clock
	IDs         crm.IDGenerator
	BatchSize   int
	MaxRejected int
	Progress    func(testProgress)
}

func TestCheckOptions(t *testing.T) {
	t.Parallel()
	clock := crm.NewManualClock(at)
	good := func() testOptions {
		return testOptions{Tenant: "t1", Mapping: testMapping{layout()}, Change: crm.Change{Actor: "importer"}}
	}
	cases := []struct {
		name  string
		edit  func(*testOptions)
		paths []string
		check func(*testing.T, testOptions)
	}{
		{"defaults", func(*testOptions) {}, nil, func(t *testing.T, o testOptions) {
			require.Equal(t, crm.SystemClock{}, o.Clock)
			require.False(t, o.Change.At.IsZero(), "At from the clock")
			require.Equal(t, 2, o.BatchSize)
			require.Equal(t, 3, o.MaxRejected)
		}},
		{"given", func(o *testOptions) {
			o.Clock, o.Policy, o.BatchSize, o.MaxRejected = clock, testSkipInvalid, 4, 9
		}, nil, func(t *testing.T, o testOptions) {
			require.Equal(t, at, o.Change.At, "At from the given clock")
			require.Equal(t, Batching{SkipInvalid: true, Size: 4, MaxRejected: 9}, Options[testMapping, testPolicy, testProgress](o).Batching())
		}},
		{"a given At stays", func(o *testOptions) { o.Clock = clock; o.Change.At = at.Add(time.Hour) }, nil, func(t *testing.T, o testOptions) {
			require.Equal(t, at.Add(time.Hour), o.Change.At)
		}},
		{"every problem, in order", func(o *testOptions) {
			o.Tenant = ""
			o.Mapping.Layout.Columns = nil
			o.Change.Actor = ""
			o.Policy = 2
			o.BatchSize = 5
			o.MaxRejected = -1
		}, []string{"tenant", "mapping.columns", "change.actor", "policy", "batch_size", "max_rejected"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := good()
			tc.edit(&o)
			n, err := CheckOptions(testFormat(), Options[testMapping, testPolicy, testProgress](o))
			if tc.paths == nil {
				require.NoError(t, err)
				tc.check(t, testOptions(n))
				return
			}
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, "testcsv.ImportOptions", ve.Op)
			var got []string
			for _, fe := range ve.Fields {
				got = append(got, fe.Path)
			}
			require.Equal(t, tc.paths, got, "%v", err)
		})
	}
}

func TestOptionsBatchingAndProgress(t *testing.T) {
	t.Parallel()
	o := Options[testMapping, testPolicy, testProgress]{Policy: testAllOrNothing, BatchSize: 2}
	require.Equal(t, Batching{Size: 2}, o.Batching())
	require.Nil(t, o.ProgressFunc())
	var got []testProgress
	o.Progress = func(p testProgress) { got = append(got, p) }
	o.ProgressFunc()(Progress{Rows: 3, Stored: 2, Rejected: 1, Elapsed: time.Second})
	require.Equal(t, []testProgress{{Rows: 3, Stored: 2, Rejected: 1, Elapsed: time.Second}}, got)
}
