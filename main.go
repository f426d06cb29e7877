// Command minqing is the 民情 contact-card bot: households reach their
// cadres through Telegram, cadres answer and commit to deadlines, leaders
// see what is open and late. See README.md. The program lives in
// internal/app, its subcommands in internal/cli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/minqing/minqing/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
