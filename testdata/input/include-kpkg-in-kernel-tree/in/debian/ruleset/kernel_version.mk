# Prints the version of the kernel tree make runs in: its top-level Makefile
# holds VERSION, PATCHLEVEL and SUBLEVEL.
include Makefile

debian_VERSION:
	@echo "$(VERSION).$(PATCHLEVEL).$(SUBLEVEL)$(EXTRAVERSION)"
.PHONY: debian_VERSION
