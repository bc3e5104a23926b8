// Command ask2live runs the live Q&A server (see --help), and the
// operator's tools: version, copy-data, backup, restore, admin.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/ask2live/ask2live/app"
)

func main() {
	if len(os.Args) > 1 && app.IsTool(os.Args[1]) {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := app.RunTool(ctx, os.Args[1], os.Args[2:], os.Stdout)
		stop()
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "ask2live %s: %v\n", os.Args[1], err)
			os.Exit(1)
		}
		return
	}
	cfg, err := app.ParseConfig(os.Args[1:], os.Getenv, os.Stdout)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ask2live:", err)
		os.Exit(2)
	}
	log := app.NewLogger(cfg, os.Stderr)
	// Password hashes run on low-priority threads, each holding one of the
	// runtime's processors while it runs: give them processors of their
	// own, so a burst of log-ins never leaves the live rooms without one
	// (the kernel still gives the cores to the rest first).
	if cfg.HashWorkers <= 0 {
		cfg.HashWorkers = runtime.GOMAXPROCS(0)
	}
	runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + cfg.HashWorkers)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, a second one kills the process at once.
		<-ctx.Done()
		stop()
	}()
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		log.Error("start-up failed", "err", err)
		os.Exit(1)
	}
	if err := a.Run(ctx); err != nil {
		log.Error("stopped with an error", "err", err)
		os.Exit(1)
	}
}
