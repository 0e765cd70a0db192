# usergroups — run `make help` for the targets.

GO ?= go
BIN ?= bin/usergroups

.DEFAULT_GOAL := help

# The targets print what a reader evals (make demo-tokens): no "Entering directory".
MAKEFLAGS += --no-print-directory

.PHONY: help run demo-tokens test generate check-generate lint build migration migration-hash bench bench-compare

help: ## List the targets with what each does
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: ## Serve the API with demo data on embedded SQLite at http://127.0.0.1:8080/graphql
	$(USERGROUPS) serve --demo --dev

# The command behind run and demo-tokens; the README's test points it at a
# binary it built once.
USERGROUPS ?= $(GO) run ./cmd/usergroups

demo-tokens: ## Print a read and write API token per demo role as export TOKEN_<ROLE>=… lines (for the README)
	@$(USERGROUPS) token demo

# checkptr (on by default under -race) instruments every unsafe pointer
# conversion; the pure-Go SQLite driver is built on them and runs twice as slow
# with it. Our own code uses no unsafe, and the race detector stays on.
RACEFLAGS ?= -race -gcflags=all=-d=checkptr=0

test: ## Run every test with the race detector (also on PostgreSQL when USERGROUPS_TEST_DATABASE is set)
	$(GO) test $(RACEFLAGS) -count=1 ./...

generate: ## Regenerate ent, the entgql schema and gqlgen code, then tidy go.mod
	$(GO) generate .
	$(GO) mod tidy

check-generate: generate ## Fail if generated code or go.mod differ from what is committed
	@git diff --exit-code || (echo "generated code is stale: run make generate and commit" >&2; exit 1)
	@test -z "$$(git status --porcelain --untracked-files=all -- ent graph go.mod go.sum)" || \
		(echo "generation left untracked files:" >&2; git status --porcelain -- ent graph >&2; exit 1)

lint: ## Run go vet and check gofmt
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || (echo "gofmt needed on:" >&2; gofmt -l . >&2; exit 1)

build: ## Build the binary into bin/usergroups
	$(GO) build -o $(BIN) ./cmd/usergroups

# The PostgreSQL server on which `make migration` replays the migrations, in a
# throwaway schema it drops afterwards.
MIGRATION_DEV_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable

migration: ## Write the next migration for each dialect after an ent schema change: make migration NAME=add_something
	@test -n "$(NAME)" || (echo "usage: make migration NAME=add_something" >&2; exit 2)
	$(GO) run ./cmd/migrations -name "$(NAME)" -dev-url "$(MIGRATION_DEV_URL)"

migration-hash: ## Rewrite migrations/*/atlas.sum after editing a migration by hand
	$(GO) run ./cmd/migrations -hash

# The PostgreSQL server the benchmarks load their data sets into (a schema
# per data set, dropped afterwards).
BENCH_DATABASE ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
BENCH_FLAGS ?=

bench: ## Run the benchmark scenarios (about 10 minutes) and write BENCHMARKS.md
	$(GO) run ./cmd/bench -postgres "$(BENCH_DATABASE)" -out BENCHMARKS.md $(BENCH_FLAGS)

bench-compare: ## Compare S1–S3 with PostGraphile v5 (installs Node 22 and PostGraphile from npm into a temporary folder) into BENCHMARKS-postgraphile.md
	$(GO) run ./cmd/bench -postgres "$(BENCH_DATABASE)" -only POSTGRAPHILE -sizes 20x20 -out BENCHMARKS-postgraphile.md $(BENCH_FLAGS)
