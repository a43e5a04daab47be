// Command withpg runs a command with a throwaway PostgreSQL server: it
// starts one (as the storage/postgres tests do), names its connection
// string in an environment variable, runs the command, stops the server
// and exits with the command's status. CI uses it to run the examples
// against PostgreSQL:
//
//	go run ./storage/postgres/internal/pgtest/withpg -env CRM_EXAMPLE_POSTGRES_DSN -- go test ./examples/...
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

func main() {
	env := flag.String("env", "CRM_EXAMPLE_POSTGRES_DSN", "the environment variable that carries the connection string")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: withpg [-env NAME] -- command [args...]")
		os.Exit(2)
	}
	os.Exit(run(*env, flag.Args()))
}

func run(env string, args []string) int {
	dsn, stop, err := pgtest.Serve()
	if err != nil {
		fmt.Fprintln(os.Stderr, "withpg: no PostgreSQL server:", err)
		return 1
	}
	defer func() {
		if err := stop(); err != nil {
			fmt.Fprintln(os.Stderr, "withpg: stopping the server:", err)
		}
	}()
	// An interrupt reaches the child (same process group); the server is
	// stopped once it has exited.
	signal.Ignore(os.Interrupt, syscall.SIGTERM)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), env+"="+dsn)
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "withpg:", err)
		return 1
	}
	return 0
}
