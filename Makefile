# pi-forge — the two commands that matter: `make run` and `make test`.

GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/pi-forge/pi-forge/internal/buildinfo.version=$(VERSION)
STATICCHECK ?= $(shell command -v staticcheck 2>/dev/null || echo $(shell $(GO) env GOPATH)/bin/staticcheck)
GOTEST_FLAGS ?= -race -timeout 15m

.PHONY: build run test test-go lint web web-check web-test interop-deps docs bench container-test e2e clean

## build: a static binary with the web UI embedded, in bin/pi-forge
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/pi-forge ./cmd/pi-forge

## run: start pi-forge with its defaults (http://127.0.0.1:3000, data in ~/.pi-forge)
run:
	$(GO) run ./cmd/pi-forge

## test: everything CI runs — lint, the web build (fails if web/dist is stale), web unit tests, Go tests with -race, browser tests
test: lint web-check web-test interop-deps test-go e2e

test-go:
	$(GO) test $(GOTEST_FLAGS) ./...

## lint: gofmt, go vet, staticcheck, and tsc for the web UI
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...
	cd web && npm ci --no-audit --no-fund --silent && npx tsc --noEmit

## web: rebuild the SPA into web/dist (commit the result)
web:
	cd web && npm ci --no-audit --no-fund --silent && npm run build

## web-check: rebuild web/dist and fail when the committed copy differs
web-check: web
	@if [ -n "$$(git status --porcelain -- web/dist)" ]; then \
		echo "web/dist is stale: run 'make web' and commit web/dist"; git status --short -- web/dist | head -20; exit 1; fi

web-test:
	cd web && npm test

## interop-deps: the real pi CLI and Node 22, for interop tests
interop-deps:
	cd interop && npm ci --no-audit --no-fund --silent

## e2e: browser tests in headless Chromium against the real binary and the fake LLM
e2e:
	@if [ -f web/e2e/run.mjs ]; then cd web && node e2e/run.mjs; else echo "no browser tests yet"; fi

## docs: regenerate docs/configuration.md from the option table
docs:
	$(GO) run ./internal/config/gendoc docs/configuration.md

## bench: Go benchmarks and the scripted ones under bench/ (numbers go in docs/performance.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	@for s in bench/*.sh; do [ -x "$$s" ] && "$$s"; done; true

## container-test: build the image and smoke-test it (needs a Docker engine; see docs/containers.md)
container-test:
	./scripts/container-smoke.sh

clean:
	rm -rf bin
