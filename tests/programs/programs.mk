# tests/programs/programs.mk: real programs from Debian's source packages, built unmodified with
# their own build systems and x86_64-hermit-gcc, for tests/integration/test_programs.py.
# `make programs` (or programs-NAME) builds them under build/programs/NAME; nothing is committed.
# Each is fetched once (its upstream release: Debian's patches rework some build systems for
# Debian's shared libraries), configured again when the compiler or the headers change, and
# relinked by its own Makefile when Hermit's libraries change.
PROGRAMS_DIR := $(BUILD)/programs
PROGRAMS := zlib lua5.4 sqlite3 civetweb
.PHONY: programs $(PROGRAMS:%=programs-%)
programs: $(PROGRAMS:%=programs-%)
$(foreach p,$(PROGRAMS),$(eval programs-$(p): $(PROGRAMS_DIR)/$(p)/.built))

# Per program: the Debian version, how to configure it, which of its targets are Hermit images
# and how its own make builds them.
VERSION_zlib := 1.2.13
CONFIGURE_zlib := CC=$(abspath $(HERMIT_CC)) ./configure --static
IMAGES_zlib := example minigzip
MAKE_zlib := example minigzip
# Lua's own Makefile, its POSIX platform (Linux distributions add only dlopen and readline).
VERSION_lua5.4 := 5.4.4
CONFIGURE_lua5.4 := true
IMAGES_lua5.4 := src/lua src/luac
MAKE_lua5.4 := posix CC="$(abspath $(HERMIT_CC)) -std=gnu99"
# SQLite's configure as for any static build (no Tcl extension for the target; its tclsh on the
# host makes the amalgamation). config.sub predates Hermit's name: x86_64-elf says "cross".
VERSION_sqlite3 := 3.40.1
SQLITE_CONFIGURE_FLAGS := --disable-shared --disable-load-extension --disable-tcl
CONFIGURE_sqlite3 := ./configure --host=x86_64-elf CC=$(abspath $(HERMIT_CC)) $(SQLITE_CONFIGURE_FLAGS)
IMAGES_sqlite3 := sqlite3 speedtest1
MAKE_sqlite3 := sqlite3 speedtest1
# civetweb's CMake build with Hermit's module as the toolchain file, as Debian configures it
# (its tests would fetch a unit test framework).
VERSION_civetweb := 1.15
CONFIGURE_civetweb := cmake -S . -B hermit -DCMAKE_BUILD_TYPE=Release -DCIVETWEB_BUILD_TESTING=OFF \
	-DCMAKE_TOOLCHAIN_FILE=$(abspath $(SYSROOT)/share/HermitCore-Application.cmake) -DHERMIT_PREFIX=$(abspath $(BUILD))
IMAGES_civetweb := hermit/src/civetweb
MAKE_civetweb := -C hermit civetweb-c-executable

# Kept, not intermediate: a fetch or a configure is not repeated for nothing.
.SECONDARY: $(foreach p,$(PROGRAMS),$(PROGRAMS_DIR)/src/$(p)/.debian-version $(PROGRAMS_DIR)/$(p)/.configured)
PROGRAM_CC_FILES := $(HERMIT_CC) $(SYSROOT)/lib/hermit.specs $(HEADERS_STAMP)

$(PROGRAMS_DIR)/src/%/.debian-version: kernel/toolchain/fetch-debian-source.sh
	kernel/toolchain/fetch-debian-source.sh --upstream $* $(VERSION_$*) $(@D) $(BUILD)/debian-apt
	touch $@

# A fresh copy of the source is configured: configure scripts cache what the compiler offers.
$(PROGRAMS_DIR)/%/.configured: $(PROGRAMS_DIR)/src/%/.debian-version $(PROGRAM_CC_FILES) | $(HERMIT_SDK)
	rm -rf $(@D) && cp -a $(PROGRAMS_DIR)/src/$* $(@D)
	cd $(@D) && $(CONFIGURE_$*) >configure.log 2>&1 || { tail -n 30 $(@D)/configure.log; exit 1; }
	touch $@

$(PROGRAMS_DIR)/%/.built: $(PROGRAMS_DIR)/%/.configured $(HERMIT_SDK)
	cd $(@D) && rm -f $(IMAGES_$*) && $(MAKE) $(MAKE_$*)
	touch $@

# The same SQLite built for the host by the same configure, for bench/sqlite.py's comparison.
$(PROGRAMS_DIR)/sqlite3-host/.built: $(PROGRAMS_DIR)/src/sqlite3/.debian-version
	rm -rf $(@D) && cp -a $(PROGRAMS_DIR)/src/sqlite3 $(@D)
	cd $(@D) && ./configure $(SQLITE_CONFIGURE_FLAGS) >configure.log 2>&1 || { tail -n 30 $(@D)/configure.log; exit 1; }
	$(MAKE) -C $(@D) speedtest1
	touch $@

# speedtest1 in the guest and on the host, side by side (bench/sqlite.py says what it measures).
.PHONY: bench-sqlite
bench-sqlite: all programs-sqlite3 $(PROGRAMS_DIR)/sqlite3-host/.built
	$(PYTHON) bench/sqlite.py
