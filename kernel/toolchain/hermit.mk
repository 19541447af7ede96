# hermit.mk: include from your own Makefile to build Hermit apps outside the tree.
#   HERMIT_PREFIX ?= /opt/hermit          (or the build/ directory of a Hermit checkout)
#   include $(HERMIT_PREFIX)/x86_64-hermit/share/hermit.mk
#   app: app.c
#   	$(HERMIT_CC) $(HERMIT_CFLAGS) $^ -o $@ -lpthread
#   run: app
#   	$(HERMIT_PROXY) ./app
HERMIT_PREFIX ?= /opt/hermit
HERMIT_CC := $(HERMIT_PREFIX)/bin/x86_64-hermit-gcc
HERMIT_PROXY := $(HERMIT_PREFIX)/bin/proxy
HERMIT_CFLAGS ?= -O2 -g
