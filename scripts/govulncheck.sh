#!/usr/bin/env bash
# Runs govulncheck on the project with a vulnerability database built
# locally from golang.org/x/vulndb, fetched through the Go module proxy:
# this machine reaches the proxy but not vuln.go.dev.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=-mod=mod
go install golang.org/x/vuln/cmd/govulncheck@v1.9.0
vulndb=$(go mod download -json golang.org/x/vulndb@latest | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
db=$(mktemp -d)
(cd "$vulndb" && go run ./cmd/indexdb -vulns data/osv -out "$db")
"$(go env GOPATH)/bin/govulncheck" -db "file://$db" ./...
