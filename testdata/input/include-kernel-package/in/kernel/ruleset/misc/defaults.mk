# Test tree written for kpkg-lint: ruleset defaults.
ROOT_CMD ?= fakeroot
VERSION_MK = $(DEBDIR)/ruleset/version.mk
kversion = $(shell $(MAKE) --no-print-directory -sf $(VERSION_MK) print_version)
