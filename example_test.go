package crm_test

import (
	"errors"
	"fmt"

	"github.com/crmkit/crm"
)

// Validation problems are collected field by field and come back as one
// error that matches crm.ErrInvalid.
func ExampleValidator() {
	var v crm.Validator
	v.Check(false, "name", "must not be empty")
	v.Merge("tenant", crm.TenantID("").Validate())
	err := v.Err("signup")

	fmt.Println(errors.Is(err, crm.ErrInvalid))
	var ve *crm.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			fmt.Println(f)
		}
	}
	// Output:
	// true
	// name: must not be empty
	// tenant: must not be empty
}

// A refused state change says from where to where, and matches
// crm.ErrInvalidTransition.
func ExampleTransitionError() {
	err := fmt.Errorf("move: %w", &crm.TransitionError{Machine: "customer lifecycle", From: "churned", To: "active"})
	var te *crm.TransitionError
	fmt.Println(errors.Is(err, crm.ErrInvalidTransition), errors.As(err, &te), te.From, te.To)
	// Output: true true churned active
}
