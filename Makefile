# Minqing's build and test entry points. `make test` is what CI runs.
GO ?= go

.PHONY: test build check deps

# Every test, with the race detector; needs redis-server on PATH (make deps).
test: deps check
	$(GO) test -race -count=1 ./...

build:
	$(GO) build -o minqing .

# gofmt and go vet must be clean.
check:
	@out=$$(gofmt -l . | grep -v '^vendor/'); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Installs redis-server from Debian's packages when it is missing.
deps:
	@command -v redis-server >/dev/null 2>&1 || { \
		echo "installing redis-server"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq redis-server; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq redis-server; fi; }
