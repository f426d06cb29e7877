# Minqing's build and test entry points. `make test` is what CI runs.
GO ?= go
# Go 1.26.10 carries security fixes (crypto/x509, net/http) missing from the
# machine's Go 1.26.8; the go command fetches it from the module proxy.
export GOTOOLCHAIN ?= go1.26.10

.PHONY: test build check deps

# Every test, with the race detector; needs redis-server on PATH (make deps).
test: deps check
	$(GO) test -race -count=1 ./...
	MINQING_TEST_REDIS=miniredis $(GO) test -race -count=1 ./store/

build:
	$(GO) build -o minqing .

# gofmt and go vet must be clean.
check:
	@out=$$(gofmt -l . | grep -v '^vendor/'); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Debian packages the tests need: Redis, a CJK font and DejaVu for the cards
# and the chart, poppler-utils to read the printed PDF back, zbar-tools
# (zbarimg) to read the cards' QR codes with a second decoder, Chromium for
# the simulator's browser test. Installed only when something is missing.
PACKAGES = redis-server fonts-droid-fallback fonts-dejavu-core poppler-utils zbar-tools chromium
deps:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
