# dubstage - a mixing language for film and TV sound.
#
#   make          build build/dubstage (assumes the libraries are installed)
#   make demo     install what is missing, build, make the demo media, render it
#   make test     install what is missing, build, run every test
#   make bench    install what is missing, build, run the benchmark
#   make asan     the whole suite under AddressSanitizer + UBSan

CC      ?= cc
PKGS     = lua5.4 sndfile soxr portaudio-2.0
OPT     ?= -O2
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
CFLAGS  += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) -g -ffp-contract=off $(WARN) \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -I.
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lreadline -lm -lpthread
B       ?= build
VERSION  = 0.1.0
STDLIB_DIR = $(CURDIR)/stdlib
CFLAGS  += -DDS_VERSION='"$(VERSION)"' -DDS_STDLIB_DIR='"$(STDLIB_DIR)"'

LIB_SRC  = $(wildcard dsp/*.c) $(wildcard vm/*.c)
APP_SRC  = $(wildcard repl/*.c)
TEST_SRC = $(wildcard tests/unit/test_*.c)
TOOL_SRC = $(wildcard tests/tools/*.c)
LIB_OBJ  = $(LIB_SRC:%.c=$(B)/%.o)
APP_OBJ  = $(APP_SRC:%.c=$(B)/%.o)
TESTS    = $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)
TOOLS    = $(TOOL_SRC:tests/tools/%.c=$(B)/tools/%)

all: $(B)/dubstage $(B)/dubstage-rtcheck $(TESTS) $(TOOLS)

# DSP loops need the vectoriser's full cost model (gcc's -O2 only
# vectorises loops of known trip count): -O3 for dsp/ only.
$(B)/dsp/%.o: CFLAGS += -O3

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/libdubstage.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/dubstage: $(APP_OBJ) $(B)/libdubstage.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(APP_OBJ) $(B)/libdubstage.a $(LDLIBS)

# The realtime tests' build: the same program with tests/rtcheck/malloc_trap.c
# linked in, which aborts when the audio callback allocates (ARCHITECTURE.md
# property 4; vm/rtcheck.h marks the callback).
$(B)/dubstage-rtcheck: $(APP_OBJ) $(B)/libdubstage.a $(B)/tests/rtcheck/malloc_trap.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(APP_OBJ) $(B)/tests/rtcheck/malloc_trap.o $(B)/libdubstage.a $(LDLIBS)

$(B)/tests/%: tests/unit/%.c tests/check.h tests/unit/render_util.h $(B)/libdubstage.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libdubstage.a $(LDLIBS)

# libebur128 is only the reference the loudness meter is checked and timed
# against; nothing in the program links it.
$(B)/tests/test_loudness $(B)/tools/loudness_bench: LDLIBS += -lebur128

$(B)/tools/%: tests/tools/%.c $(B)/libdubstage.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libdubstage.a $(LDLIBS)

deps:
	@scripts/install-deps.sh all

demo: deps
	@$(MAKE) --no-print-directory all
	scripts/make-demo-media.sh
	$(B)/dubstage render scripts/demo.lua

test: deps
	@$(MAKE) --no-print-directory all
	tests/run.sh

bench: deps
	@$(MAKE) --no-print-directory all
	tests/bench/run.sh

asan:
	@scripts/install-deps.sh all
	@$(MAKE) --no-print-directory B=build-asan OPT="-O1 -fsanitize=address,undefined -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" all
	DUBSTAGE=build-asan/dubstage BUILD=build-asan DUBSTAGE_SANITIZED=1 tests/run.sh

clean:
	rm -rf build build-asan

.PHONY: all deps demo test bench asan clean
-include $(LIB_OBJ:.o=.d) $(APP_OBJ:.o=.d)
