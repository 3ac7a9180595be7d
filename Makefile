# floorcoach: one hand-written makefile. `make run` and `make test` install
# what is missing first (see `deps`).
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
DATADIR = $(PREFIX)/share/floorcoach
MANDIR = $(PREFIX)/share/man/man1

CC ?= cc
PKGS = portaudio-2.0 espeak-ng pocketsphinx sphinxbase libconfig speexdsp
# Debian packages: to build and run, and (in addition) to test and benchmark.
DEB_RUN = build-essential pkg-config portaudio19-dev libespeak-ng-dev espeak-ng \
          libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us libconfig-dev \
          libspeexdsp-dev libasound2-plugins
DEB_TEST = sox pulseaudio pulseaudio-utils valgrind clang libclang-rt-14-dev sphinxtrain chromium \
           pocketsphinx sphinxbase-utils \
           python3 procps

WARN = -Wall -Wextra -Wshadow -Wconversion -Wstrict-prototypes -Wmissing-prototypes \
       -Wformat=2 -Wundef -Wpointer-arith -Wvla
ifneq ($(CI),)
WERROR = -Werror
endif
CFLAGS ?= -O2 -g
# Library headers are -isystem: their own warnings are not ours.
PKG_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags $(PKGS) 2>/dev/null))
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(WERROR) \
             $(CFLAGS) $(PKG_CFLAGS) -DFC_DATADIR='"$(DATADIR)"' -MMD -MP
LDLIBS = $(PKG_LIBS) -lm -lpthread

SRC := $(wildcard src/*.c)
OBJ := $(SRC:src/%.c=build/%.o)
LIBOBJ := $(filter-out build/main.o,$(OBJ))
TESTS := $(patsubst tests/%.c,build-asan/tests/%,$(wildcard tests/test_*.c))
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ASAN_OBJ := $(SRC:src/%.c=build-asan/%.o)
ASAN_LIBOBJ := $(filter-out build-asan/main.o,$(ASAN_OBJ))

.PHONY: all run test check-deps deps test-deps bench install uninstall clean format fuzz fuzz-build soak

all: floorcoach

floorcoach: $(OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $(OBJ) $(LDLIBS)

build/%.o: src/%.c | build
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build-asan/%.o: src/%.c | build-asan
	$(CC) $(ALL_CFLAGS) $(SAN) -c -o $@ $<

build-asan/tests/%: tests/%.c $(ASAN_LIBOBJ) | build-asan
	$(CC) $(ALL_CFLAGS) $(SAN) -Isrc -o $@ $< $(ASAN_LIBOBJ) $(LDLIBS)

build-asan/floorcoach: $(ASAN_OBJ)
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $(ASAN_OBJ) $(LDLIBS)

build build-asan:
	mkdir -p $@ $@/tests

# Installs missing Debian packages: apt-get when root, otherwise prints the
# exact command and stops.
deps:
	@sh tests/deps.sh $(DEB_RUN)

test-deps:
	@sh tests/deps.sh $(DEB_RUN) $(DEB_TEST)

run: deps
	@$(MAKE) --no-print-directory all
	./floorcoach run $(ROUTINE) $(ARGS)

test: test-deps
	@$(MAKE) --no-print-directory all build-asan/floorcoach $(TESTS)
	@sh tests/run.sh

bench: test-deps
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/routines $(DESTDIR)$(MANDIR)
	install -m 755 floorcoach $(DESTDIR)$(BINDIR)/floorcoach
	install -m 644 routines/*.cfg $(DESTDIR)$(DATADIR)/routines/
	cp -R voices $(DESTDIR)$(DATADIR)/
	install -m 644 src/floorcoach.1 $(DESTDIR)$(MANDIR)/floorcoach.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/floorcoach $(DESTDIR)$(MANDIR)/floorcoach.1
	rm -rf $(DESTDIR)$(DATADIR)

# Fuzzing (clang's libFuzzer): each target runs FUZZ_SECONDS with the seed
# corpus in tests/fuzz/seeds/; crashes land in tests/fuzz/regress/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
FUZZ_OBJ := $(filter-out build-fuzz/main.o,$(SRC:src/%.c=build-fuzz/%.o))
FUZZ_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 $(PKG_CFLAGS) \
              -DFC_DATADIR='"$(DATADIR)"' -fsanitize=address,undefined -fno-omit-frame-pointer

build-fuzz/%.o: src/%.c | build-fuzz
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ) | build-fuzz
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -Isrc -o $@ $< $(FUZZ_OBJ) $(LDLIBS)

build-fuzz:
	mkdir -p $@

fuzz-build: $(FUZZ_BINS)

fuzz: test-deps
	@$(MAKE) --no-print-directory fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# A simulated two-hour file-mode session: memory, descriptors, replies.
soak: all
	sh bench/soak.sh

format:
	clang-format -i src/*.c src/*.h tests/*.c

clean:
	rm -rf build build-asan build-fuzz floorcoach

-include $(OBJ:.o=.d) $(ASAN_OBJ:.o=.d)
