package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/minqing/minqing/internal/config"
	"github.com/minqing/minqing/internal/demo"
)

func cmdDemo(ctx context.Context, args []string, stdout io.Writer) error {
	fs, path := flags("demo")
	listen := fs.String("listen", "127.0.0.1:8080", "address of the simulator page")
	script := fs.Bool("script", false, "play a scripted week in the terminal and exit")
	if err := parse(fs, args); err != nil {
		return err
	}
	settings, err := demoSettings(fs, *path, stdout)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	w, err := demo.Start(ctx, log, settings)
	if err != nil {
		return err
	}
	defer w.Close()
	if *script {
		return w.PlayWeek(ctx, stdout)
	}
	return w.Serve(ctx, *listen, stdout)
}

// demoSettings loads the file of -config when it was given (nil when not:
// the demo's built-in settings), and says what the demo takes from it.
func demoSettings(fs *flag.FlagSet, path string, stdout io.Writer) (*config.Config, error) {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "config" })
	if !given {
		return nil, nil
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "demo: county %s, time zone, language, SLAs, quiet hours, holidays and limits from %s; "+
		"its telegram, redis, http and log settings do not apply (the demo has its own emulator and in-process Redis)\n",
		cfg.County, path)
	return cfg, nil
}
