# Vitrine: `make run` sets up and runs the daemon on the demo; `make test` sets up and runs every test.
SWIFT ?= swift
CONFIG ?= config/vitrine.yaml
# Debian packages the build and the tests need (see README).
APT_PACKAGES = libcmark-dev libsystemd-dev libpango1.0-dev libcairo2-dev fonts-noto-core fonts-noto-cjk libhyphen-dev hyphen-en-us \
	hyphen-ru liblz4-dev libsqlite3-dev pkg-config tzdata tmux chromium python3 systemd-container debootstrap \
	qemu-system-x86 qemu-utils python3-pil bc libmpv-dev ffmpeg libgdk-pixbuf-2.0-dev libqrencode-dev zbar-tools libdrm-dev libxxhash-dev \
	libsodium-dev libarchive-dev prometheus faketime ansible-core binutils lintian man-db bash-completion zsh fish
BIN = .build/debug/vitrine

.PHONY: setup build run check docs manual test faults bench bench-check bench-idle bench-render bench-push bench-startup \
	bench-footprint bench-film bench-scale bench-screens bench-browsers bench-bundle release release-static install deb system-test clean

setup:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: setup
	$(SWIFT) build

# The daemon on the demo: pages rotate in this terminal until Ctrl-C (the log goes to a file it names).
run: build
	$(BIN) check --config $(CONFIG)
	@echo "Dashboard: http://127.0.0.1:8080/   kiosk screen: http://127.0.0.1:8080/screens/kiosk"
	$(BIN) run --config $(CONFIG)

check: build
	$(BIN) check --config $(CONFIG)

# The tables of keys in the docs, printed from the declarations the readers use (a test fails when they differ).
DOCS_WITH_KEYS = docs/configuration.md docs/exhibits.md $(wildcard plugins/*/README.md)
docs: build
	$(BIN) reference --update $(DOCS_WITH_KEYS)

# One suite at a time: the daemon, browser and HTTP suites time real processes and sockets, and two cores shared by
# all of them at once make those timings flaky.
# The release build the system tests package, and their Debian root (deploy/test/root.sh, downloads), are made
# meanwhile at the lowest priority (SCHED_IDLE): they take the processor only while the suites wait on sockets,
# browsers and clocks, so their timings are not disturbed. system.sh waits for the root (a lock) or builds it.
test: setup
	$(SWIFT) build --build-tests
	@chrt --idle 0 nice -n 19 $(MAKE) --no-print-directory release-static > .build/release-static.log 2>&1 & \
	release=$$!; \
	chrt --idle 0 deploy/test/root.sh > .build/root.log 2>&1 & \
	$(SWIFT) test --skip-build --no-parallel; tests=$$?; \
	wait $$release || { tail -30 .build/release-static.log; exit 1; }; \
	exit $$tests
	deploy/test/system.sh

# The fault suite at full size (10,000 damaged configurations and exhibits, 1,000 SIGHUPs under 200 streams, lost
# devices, 20 kill -9 restarts, a simulated week); `make test` runs the same cases in a short mode.
faults: setup
	$(SWIFT) build --build-tests
	VITRINE_FAULTS=full $(SWIFT) test --skip-build --no-parallel --filter VitrineFaultTests

release: setup
	$(SWIFT) build -c release

# What is installed and packaged: the release build with the Swift runtime linked in (Debian libraries only).
STATIC_BIN = .build-static/release/vitrine
release-static: setup
	$(SWIFT) build -c release --static-swift-stdlib --product vitrine --scratch-path .build-static

# vitrine(1), written from the command-line definitions by swift-argument-parser's manual generator (its
# GenerateManual plugin, run on the debug build) and dated with the commit; install and deb put it in place.
MANUAL = .build/plugins/GenerateManual/outputs/vitrine/vitrine.1
manual: build
	$(SWIFT) package plugin generate-manual --configuration debug \
		--date "$$(deploy/version.sh | cut -d' ' -f3 | cut -dT -f1)" \
		--authors 'Vitrine developers<vitrine@example.org>'

# FHS install (DESTDIR-aware): the program stamped with its version, manual pages, shell completions. Enables
# nothing. INSTALL_BIN=path installs another build of the program.
PREFIX ?= /usr
INSTALL_BIN ?= $(STATIC_BIN)
install: $(if $(filter $(STATIC_BIN),$(INSTALL_BIN)),release-static) manual
	deploy/install.sh "$(DESTDIR)" "$(PREFIX)" "$(INSTALL_BIN)" "$(MANUAL)"

# The Debian package and its debug symbols, in dist/ (dpkg-deb; removal keeps /etc/vitrine, the content and the
# play log; lintian finds nothing to report). VITRINE_VERSION=... gives it another version (deploy/version.sh).
deb: $(if $(filter $(STATIC_BIN),$(INSTALL_BIN)),release-static) manual
	deploy/deb/build.sh "$(INSTALL_BIN)" dist "$(MANUAL)"

# The package users install (release build, Swift runtime linked in) under a real systemd (systemd-nspawn, a Debian
# 12 root cached in .build/system), then on a real framebuffer in a QEMU guest; the last steps of `make test`. Need
# root (skipped with a message otherwise). `deploy/test/system.sh .build/debug/vitrine` packages a debug build.
system-test: setup
	deploy/test/system.sh

clean:
	rm -rf .build

# Every benchmark in one run (start-up, reload, render, push, footprint next to Chromium); docs/benchmarks.md.
bench: setup
	bench/all.sh

# Three screens at work for 60 s next to headless Chromium showing the kiosk page (docs/benchmarks.md).
bench-footprint: setup
	bench/footprint-three.sh 60

# `vitrine check` over 1,000 generated exhibits, release build (results in docs/benchmarks.md).
bench-film: setup
	bench/film.sh 30

bench-check: setup
	bench/check-1000.sh

# An idle daemon over 60 s: CPU share and resident memory (results in docs/benchmarks.md).
bench-idle: setup
	bench/idle.sh 60

# 1080p page layout+paint and crossfade frame, each against one frame memcpy (results in docs/benchmarks.md).
bench-render: setup
	$(SWIFT) build -c release --product vitrine-bench
	.build/release/vitrine-bench config/exhibits

# exec to READY=1 (demo and 1,000 exhibits) and SIGHUP to READY=1, on a real NOTIFY_SOCKET (docs/benchmarks.md).
bench-startup: setup
	bench/startup-reload.sh 7

# Check, start-up, reload with one file changed and memory at 1,000, 5,000 and 10,000 exhibits, with their growth.
bench-scale: setup
	bench/scale-exhibits.sh 3

# 1, 4 and 16 1080p framebuffer screens on one daemon: CPU and memory while pages change, and their growth.
bench-screens: setup
	bench/scale-screens.sh 30

# 500, 2,000 and 5,000 kiosk browsers on one screen: delivery p50/p99 and memory per browser, and their growth.
bench-browsers: setup
	bench/scale-browsers.sh 5

# Signed content bundles: create and install over 1,000 exhibits and a 512 MiB recording, next to tar and b2sum.
bench-bundle: setup
	bench/bundle.sh 1000 512

# 2,000 kiosk browsers on one screen: delay from page change to delivery, memory per client (docs/benchmarks.md).
bench-push: setup
	bench/push.sh 2000 5
