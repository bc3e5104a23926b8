# ask2live — common tasks. The README's two commands are `make run` and `make test`.

GO      ?= go
NPM     ?= npm
BIN     ?= bin/ask2live
# Fuzzing runs a count of new inputs, not a time: with a time limit, a busy
# machine makes go test report the deadline itself as a failure.
FUZZTIME ?= 10000x
WEB_SRC := $(shell find web/src web/index.html web/package.json web/vite.config.* -type f 2>/dev/null)

.PHONY: run build web test test-go test-web test-e2e lint fmt bench clean vulncheck

## run: build the binary (and the web app if needed) and start it on the embedded defaults.
## The shell execs the binary, so Ctrl-C reaches the server itself: it shuts down and make exits 0.
run: build
	exec ./$(BIN)

## build: one binary with the web app inside
build: web/dist/index.html
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/ask2live

web/dist/index.html: $(WEB_SRC)
	@if [ -f web/package.json ]; then \
		$(NPM) --prefix web ci --no-audit --no-fund && $(NPM) --prefix web run build; \
	else echo "no web app sources; the server will say the UI is not built"; fi

## web: rebuild the web app
web:
	$(NPM) --prefix web ci --no-audit --no-fund
	$(NPM) --prefix web run build

## vulncheck: govulncheck against a snapshot of the Go vulnerability database (docs/SECURITY.md)
vulncheck:
	bash .ci/vulncheck

## test: everything CI runs — lint, Go tests with the race detector, web tests, browser tests
test: lint test-go test-web test-e2e

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

test-go:
	$(GO) test -race -timeout 15m ./...
	@# Name the database and multi-node suites in the output, so a log shows
	@# that PostgreSQL, MySQL and Redis really ran (go test hides passing subtests).
	@out=$$(mktemp); $(GO) test -race -count=1 -v -run 'TestConcurrentWishesAndVotes|TestRestartKeepsData|TestLifecycle|TestTwoNodesOneOrder|TestTwoNodesOneHost|TestVoiceAcrossNodes|TestBadInputCorpus' \
		./store/ ./app/ ./httpapi/ ./live/ ./mediaroute/ > $$out 2>&1; status=$$?; \
		grep -E -- '--- (PASS|FAIL|SKIP)|bad inputs' $$out; [ $$status -eq 0 ] || cat $$out; rm -f $$out; exit $$status
	@# The fuzz targets' seeds ran above; each also gets a short run of new
	@# inputs (FUZZTIME each, under a minute in all on a quiet machine).
	$(GO) test -run='^$$' -fuzz='^FuzzTextRule$$' -fuzztime=$(FUZZTIME) .
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeBody$$' -fuzztime=$(FUZZTIME) ./httpapi/
	$(GO) test -run='^$$' -fuzz='^FuzzHandlers$$' -fuzztime=$(FUZZTIME) ./httpapi/
	$(GO) test -run='^$$' -fuzz='^FuzzRequestURL$$' -fuzztime=$(FUZZTIME) ./httpapi/
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeCommand$$' -fuzztime=$(FUZZTIME) ./live/

test-web:
	@if [ -f web/package.json ]; then \
		$(NPM) --prefix web ci --no-audit --no-fund && $(NPM) --prefix web test; \
	fi

test-e2e:
	@if [ -f e2e/package.json ]; then $(MAKE) build && $(NPM) --prefix e2e ci --no-audit --no-fund && $(NPM) --prefix e2e test; fi

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin web/dist/assets web/dist/index.html
