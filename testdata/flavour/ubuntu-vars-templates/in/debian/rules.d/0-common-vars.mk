# Variables shared by every arch and flavour (kpkg-lint test tree).
changelog := $(DEBIAN)/changelog
src_pkg_name := $(shell dpkg-parsechangelog -l$(changelog) -SSource)
full_version := $(shell dpkg-parsechangelog -l$(changelog) -SVersion)
release := $(firstword $(subst -, ,$(full_version)))
revision := $(lastword $(subst -, ,$(full_version)))
abinum := $(firstword $(subst ., ,$(revision)))
abi_release := $(release)-$(abinum)

builddir := $(CURDIR)/debian/build
stampdir := $(CURDIR)/debian/stamps
prev_abidir := $(CURDIR)/$(DEBIAN)/abi/$(arch)
abidir := $(CURDIR)/$(DEBIAN)/__abi.current/$(arch)

tools_pkg_name := $(src_pkg_name)-tools-$(abi_release)

# $(call custom_override,build_image,generic) prefers build_image_generic.
custom_override = $(or $($(1)_$(2)),$($(1)))

kmake = $(MAKE) ARCH=$(build_arch) CROSS_COMPILE=$(CROSS_COMPILE)
