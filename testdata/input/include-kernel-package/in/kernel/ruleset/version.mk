# Test tree written for kpkg-lint: asked by the ruleset for the kernel's version,
# from the kernel source tree, so it reads the kernel's own Makefile.
include Makefile

print_version:
	@echo "$(VERSION).$(PATCHLEVEL).$(SUBLEVEL)$(EXTRAVERSION)"
