# sockcore — see README.md. `make install` and `make test` are the two set-up
# commands; both install what they need through `make deps`.
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  := $(DESTDIR)$(PREFIX)/bin
MANDIR  := $(DESTDIR)$(PREFIX)/share/man/man1
GO      ?= go
# The Go release every build and test uses: go1.27.3, which the go command
# fetches from the module proxy on first use (about 76 MB). go1.26.8 still
# builds the code, but govulncheck finds standard-library vulnerabilities
# in it (crypto/tls, crypto/x509, net/http) fixed only in later releases.
# A machine's own GOTOOLCHAIN=local in go.env would ignore go.mod's
# toolchain line, hence the export. GOTOOLCHAIN=local make ... builds with
# the installed Go (an offline packager's choice).
GOTOOLCHAIN ?= go1.27.3
export GOTOOLCHAIN
# Tools present in cmd/; each is a standalone binary.
TOOLS   := $(notdir $(wildcard cmd/*))
# The release number is the VERSION file; the commit comes from the COMMIT
# file that `make dist` puts in the source tarball, else from git (a build
# outside both says "unknown").
VERSION := $(shell cat VERSION)
COMMIT  := $(shell cat COMMIT 2>/dev/null || { c=$$(git rev-parse --short=12 HEAD 2>/dev/null) && { git diff --quiet HEAD || c=$$c-dirty; echo $$c; }; } || echo unknown)
# Reproducible builds: every timestamp in a package or tarball is the commit's
# time (the SOURCE_DATE_EPOCH file in the source tarball, else git).
SOURCE_DATE_EPOCH ?= $(shell cat SOURCE_DATE_EPOCH 2>/dev/null || git log -1 --format=%ct 2>/dev/null || echo 0)
export SOURCE_DATE_EPOCH
# -trimpath and an empty build id keep paths and per-build ids out of the binaries.
DATE    := $(shell date -u -d @$(SOURCE_DATE_EPOCH) +%Y-%m-%d)
LDFLAGS := -s -w -buildid= -X github.com/sockcore/sockcore/internal/cli.Version=$(VERSION) -X github.com/sockcore/sockcore/internal/cli.Commit=$(COMMIT) -X github.com/sockcore/sockcore/internal/cli.Date=$(DATE)
# make deb and make dist write here.
DISTDIR ?= dist
# sniff links libpcap for its filter compiler; every other tool is static.
CGO_TOOLS := sniff

.PHONY: all build deps install man deb dist test unit integration vmtest vmtest-all bench lint vulncheck clean fuzz soak corpus

all: build

deps:
	@scripts/deps.sh

build:
	@mkdir -p bin
	@set -e; for t in $(TOOLS); do \
		cgo=0; case " $(CGO_TOOLS) " in *" $$t "*) cgo=1;; esac; \
		echo "go build bin/$$t (CGO_ENABLED=$$cgo)"; \
		CGO_ENABLED=$$cgo $(GO) build -trimpath -buildvcs=false -ldflags '$(LDFLAGS)' -o bin/$$t ./cmd/$$t; \
	done

man: build
	@mkdir -p man
	@set -e; for t in $(TOOLS); do bin/$$t --man-page > man/$$t.1; done

install: deps build man
	install -d $(BINDIR) $(MANDIR)
	@set -e; for t in $(TOOLS); do \
		install -m 0755 bin/$$t $(BINDIR)/$$t; \
		install -m 0644 man/$$t.1 $(MANDIR)/$$t.1; \
		echo "installed $(BINDIR)/$$t and $(MANDIR)/$$t.1"; \
	done
	@if [ "$(SMOKE)" = 0 ]; then echo "install: smoke test skipped (SMOKE=0)"; else scripts/smoke.sh $(BINDIR); fi

# A Debian package of the suite ($(DISTDIR)/sockcore_VERSION_ARCH.deb) built
# with dpkg-deb; byte-identical for the same commit.
deb: build man
	@scripts/mkdeb.sh $(DISTDIR)

# The source tarball ($(DISTDIR)/sockcore-VERSION.tar.gz) with vendored
# modules: builds with GOFLAGS=-mod=vendor GOPROXY=off.
dist:
	@scripts/mkdist.sh $(DISTDIR)

# Tier 1 (any user), tier 2 (root, network namespaces, real peers), tier 3
# (kernel VM). Under CI=true a skipped tier 2 or 3 fails the run.
test: deps lint unit integration vmtest-all

unit:
	$(GO) test -race -count=1 -timeout 30m ./pkg/... ./internal/... ./cmd/... ./bench/...

integration: build
	@scripts/integration.sh

vmtest: build
	@scripts/vmtest.sh

vmtest-all: build
	@KERNELS="6.1 6.12" scripts/vmtest.sh

# Every fuzz target for FUZZTIME each (default 10s); the long campaign is
# FUZZTIME=10m make fuzz. See scripts/fuzz.sh for FUZZJOBS and FUZZ.
fuzz:
	@scripts/fuzz.sh

# The soaks, each for SOAK (default 10m) with the tools' RSS, descriptors
# and threads sampled each second (internal/testenv/soak.go): echod under
# mixed TCP, UDP and UNIX load; sniff -w rotating its files under a UDP
# flood (root); the canrelay tunnel in the kernel VM (a SOAK past 20m needs
# a larger VMTEST_TIMEOUT). make test runs each for 60 s, the tunnel's in
# the VM tier.
SOAK ?= 10m
soak: build
	SOCKCORE_SOAK=$(SOAK) SOCKCORE_BIN=$(CURDIR)/bin $(GO) test -count=1 -p 1 -run '^TestSoak$$' -v -timeout 0 ./integration/echo ./integration/sniff
	SOCKCORE_SOAK=$(SOAK) VMTEST_PACKAGES=./integration/vm/can VMTEST_ARGS='-test.run=^TestTunnelSoak$$' scripts/vmtest.sh

# sniff against tcpdump 4.99.3 on two corpora kept outside the project:
# tcpdump's regression captures and Wireshark's test captures, fetched from
# Debian's source tarballs into .cache/extcorpus (scripts/extcorpus.sh).
corpus: build
	@scripts/extcorpus.sh

bench: deps build
	@bench/run.sh

# staticcheck at a pinned version, through the module proxy (pinned here
# rather than as a go.mod tool line, which would add its dependencies to the
# module's go.sum). govulncheck reads a database indexed from the
# golang.org/x/vulndb module (scripts/vulncheck.sh): no network but the proxy.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

# Part of lint: no reachable vulnerability in the modules or the standard
# library of GOTOOLCHAIN.
vulncheck:
	@scripts/vulncheck.sh

lint:
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null; git ls-files -o --exclude-standard '*.go' 2>/dev/null)); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@$(GO) mod tidy -diff >/dev/null || { echo "go mod tidy would change go.mod/go.sum (go mod tidy -diff shows how): commit the tidy result"; exit 1; }
	@scripts/vulncheck.sh

clean:
	rm -rf bin man $(DISTDIR)
