# tests/programs/programs.mk: real programs from Debian's source packages, built unmodified with
# their own build systems and x86_64-hermit-gcc, for tests/integration/test_programs.py.
# `make programs` (or programs-NAME) builds them under build/programs/NAME; nothing is committed.
# Each is fetched once (its upstream release: Debian's patches rework some build systems for
# Debian's shared libraries), configured again when the compiler or the headers change, and
# relinked by its own Makefile when Hermit's libraries change.
PROGRAMS_DIR := $(BUILD)/programs
PROGRAMS := zlib
.PHONY: programs $(PROGRAMS:%=programs-%)
programs: $(PROGRAMS:%=programs-%)
$(foreach p,$(PROGRAMS),$(eval programs-$(p): $(PROGRAMS_DIR)/$(p)/.built))

# Per program: the Debian version, how to configure it, which of its targets are Hermit images
# and how its own make builds them.
VERSION_zlib := 1.2.13
CONFIGURE_zlib := CC=$(abspath $(HERMIT_CC)) ./configure --static
IMAGES_zlib := example minigzip
MAKE_zlib := example minigzip

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
