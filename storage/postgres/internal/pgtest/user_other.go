//go:build !unix

package pgtest

import "os/exec"

// osUser is unused outside unix: the binaries run as the current user.
type osUser struct{}

func currentRunAs() (*osUser, error)  { return nil, nil }
func (u *osUser) own(string) error    { return nil }
func (u *osUser) apply(cmd *exec.Cmd) {}

// alive cannot tell outside unix: never reap.
func alive(int) bool { return true }
