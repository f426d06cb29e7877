package cli

import (
	"context"
	"io"
	"log/slog"
	"os"

	"github.com/minqing/minqing/internal/demo"
)

func cmdDemo(ctx context.Context, args []string, stdout io.Writer) error {
	fs, _ := flags("demo")
	listen := fs.String("listen", "127.0.0.1:8080", "address of the simulator page")
	script := fs.Bool("script", false, "play a scripted week in the terminal and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	w, err := demo.Start(ctx, log)
	if err != nil {
		return err
	}
	defer w.Close()
	if *script {
		return w.PlayWeek(ctx, stdout)
	}
	return w.Serve(ctx, *listen, stdout)
}
