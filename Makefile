# kimsim — build, run, test, bench.  `make run` and `make test` install the
# Debian packages they need when pkg-config cannot find them.

CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
PKGS    := gsl libconfig
DEBS    := build-essential pkg-config libgsl-dev libconfig-dev libcmocka-dev

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT     ?= -O2 -g
CFLAGS  ?=
CFLAGS  += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) $(WARN) -pthread
LDLIBS  += -pthread

# The version in --version and every manifest: git describe at build time.
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1.0)
CFLAGS  += -DKIMSIM_VERSION='"$(VERSION)"'

# make MPI=1: build-mpi/kimsim with OpenMPI (mpirun -np K kimsim run ...).
ifeq ($(MPI),1)
CC      := mpicc
CFLAGS  += -DKIMSIM_MPI=1
BUILD   := build-mpi
DEBS    += openmpi-bin libopenmpi-dev
endif

# pkg-config is asked only after the packages are there (see deps).
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

LIB_SRC := $(wildcard sim/*.c models/*.c scenarios/*.c analysis/*.c) \
           $(filter-out cli/main.c,$(wildcard cli/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BIN     := $(BUILD)/kimsim

.PHONY: all deps test-deps run test unit clitest bench asan valgrind clean install uninstall fuzz FORCE
all: deps $(BIN)

# Installs the Debian packages when pkg-config does not find the libraries.
deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! command -v $(CC) >/dev/null 2>&1 \
	   || ! pkg-config --exists $(PKGS) cmocka; then \
	  echo "kimsim: installing $(DEBS)"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(DEBS) >/dev/null; \
	fi

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

# Objects that print the version are rebuilt when it changes.
VERSION_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(shell grep -l KIMSIM_VERSION cli/*.c analysis/*.c 2>/dev/null))
$(VERSION_OBJ): $(BUILD)/version
$(BUILD)/version: FORCE
	@mkdir -p $(BUILD)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@
FORCE:

$(BUILD)/libkimsim.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/cli/main.o $(BUILD)/libkimsim.a
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS) -lm

$(BUILD)/tests/%: tests/%.c $(BUILD)/libkimsim.a | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -o $@ $< $(BUILD)/libkimsim.a \
	  $(CMOCKA_LIBS) $(PKG_LIBS) $(LDLIBS) -lm

run: all
	./$(BIN) run scenarios/default.cfg --force

# Every cmocka binary, then the command-line tests (they use the binary).
# What the tests need beyond the build: gnuplot and fonts for the report
# tests, python3 for reading their PNG and XML (headless Chromium is
# optional: .ci/run installs it, the browser check is skipped without it).
TEST_DEBS := gnuplot-nox fonts-dejavu-core python3
test-deps:
	@if ! command -v gnuplot >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1 \
	   || [ ! -d /usr/share/fonts/truetype/dejavu ]; then \
	  echo "kimsim: installing $(TEST_DEBS)"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(TEST_DEBS) >/dev/null; \
	fi

test: all test-deps $(TEST_BIN)
	@KIMSIM=$(BIN) BUILD=$(BUILD) sh tests/run.sh $(TEST_BIN)

bench: all
	@sh bench/bench.sh $(BIN)

asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  LDLIBS="-fsanitize=address,undefined" test

valgrind: all $(TEST_BIN)
	@KIMSIM=$(BIN) BUILD=$(BUILD) VALGRIND="valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite --suppressions=tests/valgrind.supp" \
	  sh tests/run.sh $(TEST_BIN)

# make fuzz [FUZZ_SECONDS=60]: libFuzzer harnesses of the scenario loader
# and the trace reader (clang), each run FUZZ_SECONDS on the seed corpus;
# fails on any crash, leak, timeout or sanitizer report (tests/fuzz/run.sh).
FUZZ_SECONDS ?= 60
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh

# The binary, the man page, the shipped scenarios and the documentation;
# DESTDIR stages the tree (packaging, tests/cli/report.sh).
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/kimsim/scenarios \
	  $(DESTDIR)$(PREFIX)/share/doc/kimsim $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/kimsim
	install -m 644 kimsim.1 $(DESTDIR)$(PREFIX)/share/man/man1/kimsim.1
	install -m 644 scenarios/*.cfg $(DESTDIR)$(PREFIX)/share/kimsim/scenarios/
	install -m 644 $(wildcard README.md) $(wildcard docs/*.md) $(DESTDIR)$(PREFIX)/share/doc/kimsim/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/kimsim $(DESTDIR)$(PREFIX)/share/man/man1/kimsim.1
	rm -rf $(DESTDIR)$(PREFIX)/share/kimsim $(DESTDIR)$(PREFIX)/share/doc/kimsim

clean:
	rm -rf build build-asan build-mpi build-fuzz

-include $(LIB_OBJ:.o=.d) $(TEST_BIN:=.d) $(BUILD)/cli/main.d
