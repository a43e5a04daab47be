package crm_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

func TestValidationErrorUnwrapsToErrInvalid(t *testing.T) {
	t.Parallel()
	var v crm.Validator
	require.NoError(t, v.Err("op"), "no problems, no error")
	v.Check(false, "name", "must not be empty")
	v.Addf("emails[1]", "duplicate of %d", 0)
	v.Check(true, "never", "recorded")
	err := fmt.Errorf("wrapped: %w", v.Err("customer.New"))

	require.ErrorIs(t, err, crm.ErrInvalid)
	require.NotErrorIs(t, err, crm.ErrNotFound)
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "customer.New", ve.Op)
	require.Equal(t, []crm.FieldError{{Path: "name", Problem: "must not be empty"}, {Path: "emails[1]", Problem: "duplicate of 0"}}, ve.Fields)
	require.True(t, ve.Has("emails[1]"))
	require.False(t, ve.Has("never"))
	require.Equal(t, "wrapped: customer.New: invalid input: name: must not be empty; emails[1]: duplicate of 0", err.Error())
}

func TestValidatorErrCopiesFields(t *testing.T) {
	t.Parallel()
	var v crm.Validator
	v.Addf("a", "x")
	var ve *crm.ValidationError
	require.ErrorAs(t, v.Err("op"), &ve)
	v.Addf("b", "y")
	require.Len(t, ve.Fields, 1, "an error already returned must not change when the validator goes on")
}

func TestValidatorMerge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		prefix string
		err    error
		want   []crm.FieldError
	}{
		{"nil adds nothing", "x", nil, nil},
		{"validation error fields are prefixed", "owner", crm.Invalid("op", "id", "bad"), []crm.FieldError{{Path: "owner.id", Problem: "bad"}}},
		{"empty path takes the prefix", "owner", crm.Invalid("op", "", "bad"), []crm.FieldError{{Path: "owner", Problem: "bad"}}},
		{"no prefix keeps the path", "", crm.Invalid("op", "id", "bad"), []crm.FieldError{{Path: "id", Problem: "bad"}}},
		{"other errors become one problem", "p", errors.New("boom"), []crm.FieldError{{Path: "p", Problem: "boom"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v crm.Validator
			v.Merge(tt.prefix, tt.err)
			err := v.Err("op")
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tt.want, ve.Fields)
		})
	}
}

func TestTransitionError(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("op: %w", &crm.TransitionError{Machine: "lead", From: "new", To: "converted", Reason: "not qualified"})
	require.ErrorIs(t, err, crm.ErrInvalidTransition)
	require.NotErrorIs(t, err, crm.ErrInvalid)
	var te *crm.TransitionError
	require.ErrorAs(t, err, &te)
	require.Equal(t, "new", te.From)
	require.Equal(t, "op: lead: transition new -> converted not allowed: not qualified", err.Error())
}

func TestDerivedSentinels(t *testing.T) {
	t.Parallel()
	require.ErrorIs(t, crm.ErrCurrencyMismatch, crm.ErrInvalid)
	require.ErrorIs(t, crm.ErrDivisionByZero, crm.ErrInvalid)
	require.NotErrorIs(t, crm.ErrCurrencyMismatch, crm.ErrDivisionByZero)
}
