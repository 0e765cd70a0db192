# usergroups — run `make help` for the targets.

GO ?= go
BIN ?= bin/usergroups

.DEFAULT_GOAL := help

# The targets print what a reader evals (make demo-tokens): no "Entering directory".
MAKEFLAGS += --no-print-directory

.PHONY: help run demo-tokens test generate check-generate lint lint-schema lint-schema-prune schema-diff build migration migration-hash bench bench-compare soak explorer-assets typed-client web check-web screenshots

help: ## List the targets with what each does
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: ## Serve the API with demo data on embedded SQLite at http://127.0.0.1:8080/graphql
	$(USERGROUPS) serve --demo --dev $(ARGS)

# The command behind run and demo-tokens; the README's test points it at a
# binary it built once.
USERGROUPS ?= $(GO) run ./cmd/usergroups

demo-tokens: ## Print a read and write API token per demo role as export TOKEN_<ROLE>=… lines (for the README)
	@$(USERGROUPS) token demo

# checkptr (on by default under -race) instruments every unsafe pointer
# conversion; the pure-Go SQLite driver is built on them and runs twice as slow
# with it. Our own code uses no unsafe, and the race detector stays on.
RACEFLAGS ?= -race -gcflags=all=-d=checkptr=0

test: lint-schema ## Lint the schema, then run every test with the race detector (also on PostgreSQL when USERGROUPS_TEST_DATABASE is set, and against Redis when USERGROUPS_TEST_REDIS is)
	$(GO) test $(RACEFLAGS) -count=1 ./...

# Under the race detector the pure-Go SQLite driver's own code runs about ten
# times slower (internal/workflow: 15 s without it, 190 s with it), while on
# PostgreSQL the database work is in another process. CI therefore runs the
# whole suite under the detector on PostgreSQL, and on SQLite runs it plainly
# (make test RACEFLAGS=) plus this target.
test-races: ## Run the concurrency tests (named *Race* or *Concurrent*) and the change broker under the race detector
	$(GO) test $(RACEFLAGS) -count=1 -run 'Race|Concurrent' ./...
	$(GO) test $(RACEFLAGS) -count=1 ./internal/broker

generate: ## Regenerate ent, the entgql schema and gqlgen code, then tidy go.mod
	$(GO) generate .
	$(GO) mod tidy

check-generate: generate ## Fail if generated code or go.mod differ from what is committed
	@git diff --exit-code || (echo "generated code is stale: run make generate and commit" >&2; exit 1)
	@test -z "$$(git status --porcelain --untracked-files=all -- ent graph go.mod go.sum)" || \
		(echo "generation left untracked files:" >&2; git status --porcelain -- ent graph >&2; exit 1)

lint: ## Run go vet, staticcheck (pinned in go.mod as a tool) and check gofmt
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@test -z "$$(gofmt -l .)" || (echo "gofmt needed on:" >&2; gofmt -l . >&2; exit 1)

# graphql-schema-linter (pinned in internal/tools/schemalint, run through npx)
# with the rules of .graphql-schema-linterrc; any finding fails (there is
# no .graphql-lint-baseline any more: its findings were all fixed).
lint-schema: ## Lint schema.graphql: fails on any finding (skipped without node, unless USERGROUPS_SCHEMA_LINT=required)
	$(GO) run ./internal/tools/schemalint

lint-schema-prune: ## Drop the fixed findings from .graphql-lint-baseline (it never gains one)
	$(GO) run ./internal/tools/schemalint -prune

# The schema at BASE is its committed schema.graphql or, for a commit from
# before there was one, the SDL printed from its graph/*.graphqls as
# go generate prints today's (internal/tools/sdl -from).
schema-diff: ## List the schema changes since a commit, breaking ones first: make schema-diff BASE=<git ref>
	@test -n "$(BASE)" || (echo "usage: make schema-diff BASE=<git ref>, e.g. BASE=main" >&2; exit 2)
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	if git cat-file -e "$(BASE):schema.graphql" 2>/dev/null; then \
		git show "$(BASE):schema.graphql" > "$$tmp/base.graphql"; \
	else \
		echo "schema-diff: $(BASE) has no schema.graphql; printing its graph/*.graphqls" >&2; \
		git archive "$(BASE)" -- 'graph/*.graphqls' | tar -x -C "$$tmp"; \
		$(GO) run ./internal/tools/sdl -from "$$tmp/graph" -o "$$tmp/base.graphql"; \
	fi; \
	npx --yes --prefer-offline --loglevel=error @graphql-inspector/cli@7.0.0 diff "$$tmp/base.graphql" schema.graphql

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

# The soak runs on the same PostgreSQL server as the benchmarks and writes
# its two sections (and the goals) into BENCHMARKS.md, leaving the others.
SOAK_DURATION ?= 10m
SOAK_FLAGS ?=

soak: ## Soak two replicas with 5,000 subscribers under steady load (SOAK_DURATION, default 10m) and splice the verdicts into BENCHMARKS.md
	$(GO) run ./cmd/bench -postgres "$(BENCH_DATABASE)" -only SOAK -soak-duration $(SOAK_DURATION) -splice -out BENCHMARKS.md $(SOAK_FLAGS)

# npm ci runs again only when the lock file changed since the last install
# (a fresh clone, as in CI, always installs).
NPM_CI = cmp -s package-lock.json node_modules/.installed-lock || \
	{ npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.installed-lock; }

explorer-assets: ## Rebuild GraphiQL's embedded assets (internal/explorer/assets) from the pinned npm packages
	cd internal/explorer/web && $(NPM_CI) && node build.mjs

web: ## Rebuild the approval board's embedded assets (internal/board/assets) from internal/board/web/src
	cd internal/board/web && $(NPM_CI) && node build.mjs

check-web: web ## Fail if the approval board's built assets differ from what is committed
	git diff --exit-code -- internal/board/assets

screenshots: ## Rewrite the approval board's screenshots in docs/images (needs Chromium)
	USERGROUPS_SCREENSHOTS=$(CURDIR)/docs/images $(GO) test -count=1 -run Screenshot ./internal/board/

typed-client: ## Generate the typed client for README.md's GraphQL documents from schema.graphql and check it with tsc --strict
	cd examples/typed-client && $(NPM_CI) && npm run --silent check
