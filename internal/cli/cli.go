// Package cli is minqing's command layer: each subcommand parses its flags,
// loads the config and calls the program (package app) or a supporting
// package. Run is what main calls; tests call it too.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/minqing/minqing/internal/app"
	"github.com/minqing/minqing/internal/config"
)

const usage = `usage: minqing <command> [flags]

commands:
  run       run the bot: first asks Telegram who the bot is (getMe; a rejected token or another
            bot's telegram.username stops it); long polling, or a webhook (telegram.mode);
            reminders, digests and retention on their schedules; /healthz and /metrics on
            http.listen
  demo      the offline simulator in a browser [-listen ADDR], or a scripted week in the
            terminal [-script]; needs no token, Redis or network; with -config, in the file's
            county, time zone, language, SLAs and limits (not its telegram, redis, http or log)
  import    import the roster: -cadres FILE -households FILE (.csv in UTF-8 or GBK, or .xlsx);
            a bad row fails the whole import, naming file, line and field; a workbook of several
            sheets needs -sheet NAME (both files) or -cadres-sheet / -households-sheet NAME;
            all or nothing at any size; prints what changed (-dry-run: prints it, writes nothing)
  cards     write the households' cards: -format csv|pdf|png [-o FILE] (csv: one link a line,
            to standard output without -o; pdf: A4 sheets of ten cards; png: one file per card
            into the folder -o) [-village NAME] [-cadre ID] [-household ID] [-lang zh|en];
            -rotate -household ID gives a lost card a new code (the old one stops working);
            files are readable by their owner only, CSV in UTF-8 with a BOM; an existing
            file is replaced only with -force
  invites   write the cadres' and leaders' invite links as CSV [-o FILE] [-force] [-cadre ID];
            -rotate -cadre ID gives a new invite (the old link stops working)
  unbind    cut accounts off without a re-import (a lost phone): -account TELEGRAM_ID (one
            account), -household ID (all of a card's accounts) or -cadre ID (an official's)
  digest    print the week's digest: counts, the response, resolution, satisfaction and on-time
            rates, per unit or per cadre and village, the longest late, categories
            [-week 2026-W48] (default: the week so far) [-unit NAME] (default: the county)
            [-lang zh|en]; -send queues it for the leaders (of -unit, or all) instead
  diary     write the visits' diary (民情日记): one row per visit and per note, with the
            requests recorded and their states: -o FILE.xlsx|FILE.csv [-cadre ID] [-unit NAME]
            [-from YYYY-MM-DD] [-to YYYY-MM-DD] (default: the last 30 days) [-lang zh|en]
  export    write everything stored about a household, its visits too, as JSON: -household ID [-o FILE]
  forget    erase a household everywhere (PIPL): -household ID

every command takes -config FILE (default config.yaml; demo: its built-in settings unless
-config is given); minqing <command> -h lists its flags; import, cards and invites need the
secret the codes are derived from: $MINQING_CARDS_SECRET (or cards.secret), at least 32
characters, e.g. from openssl rand -hex 32
`

// Run dispatches a subcommand and returns the exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmds := map[string]func(context.Context, []string, io.Writer) error{
		"run": cmdRun, "demo": cmdDemo, "import": cmdImport, "cards": cmdCards, "invites": cmdInvites, "digest": cmdDigest,
		"export": cmdExport, "forget": cmdForget, "unbind": cmdUnbind, "diary": cmdDiary,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "minqing: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err := cmd(ctx, args[1:], stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 2
		}
		fmt.Fprintf(stderr, "minqing %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// flags makes a flag set with the common -config flag.
func flags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	path := fs.String("config", "config.yaml", "configuration file")
	return fs, path
}

// parse parses a subcommand's flags; an argument left after them is an
// error (a flag after it would be silently ignored).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: every option is a flag (-name value), given before any other argument", fs.Arg(0))
	}
	return nil
}

// parseOpen parses a subcommand's flags, runs check (may be nil) on them,
// then loads the config and connects to Redis.
func parseOpen(ctx context.Context, fs *flag.FlagSet, path *string, args []string, check func() error) (*app.Main, error) {
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	if check != nil {
		if err := check(); err != nil {
			return nil, err
		}
	}
	return open(ctx, *path)
}

// open loads the config and connects to Redis.
func open(ctx context.Context, path string) (*app.Main, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	m := &app.Main{Config: cfg}
	if err := m.Open(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

func cmdRun(ctx context.Context, args []string, _ io.Writer) error {
	fs, path := flags("run")
	m, err := parseOpen(ctx, fs, path, args, nil)
	if err != nil {
		return err
	}
	defer m.Close()
	return m.Run(ctx)
}
