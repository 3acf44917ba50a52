# Test tree written for kpkg-lint only.
# Variables shared by every arch and flavour.

COMMA := ,
empty :=
SPACE := $(empty) $(empty)

src_pkg_name := $(shell dpkg-parsechangelog -l$(DEBIAN)/changelog -SSource)
pkg_version  := $(shell dpkg-parsechangelog -l$(DEBIAN)/changelog -SVersion)
release      := $(shell echo $(pkg_version) | sed -e 's/-.*//')
revision     := $(shell echo $(pkg_version) | sed -e 's/^[^-]*-//')
abinum       := $(firstword $(subst .,$(SPACE),$(revision)))
uploadnum    := $(patsubst $(abinum).%,%,$(revision))
abi_release  := $(release)-$(abinum)

builddir := $(CURDIR)/debian/build
stampdir := $(CURDIR)/debian/stamps

DEB_HOST_GNU_TYPE  := $(shell dpkg-architecture -qDEB_HOST_GNU_TYPE)
DEB_BUILD_GNU_TYPE := $(shell dpkg-architecture -qDEB_BUILD_GNU_TYPE)
ifneq ($(DEB_HOST_GNU_TYPE),$(DEB_BUILD_GNU_TYPE))
  CROSS_COMPILE ?= $(DEB_HOST_GNU_TYPE)-
endif

gcc ?= gcc-13
HOSTCC ?= $(gcc)

# Honour parallel=N; people also pass the options comma separated.
ifneq (,$(filter parallel=%,$(subst $(COMMA), ,$(DEB_BUILD_OPTIONS))))
  CONCURRENCY_LEVEL := $(subst parallel=,,$(filter parallel=%,$(subst $(COMMA), ,$(DEB_BUILD_OPTIONS))))
endif
ifeq ($(CONCURRENCY_LEVEL),)
  CONCURRENCY_LEVEL := $(shell getconf _NPROCESSORS_ONLN 2>/dev/null)
  ifeq ($(CONCURRENCY_LEVEL),)
    CONCURRENCY_LEVEL := 1
  endif
endif
conc_level = -j$(CONCURRENCY_LEVEL)

kmake = make ARCH=$(build_arch) CROSS_COMPILE=$(CROSS_COMPILE) HOSTCC=$(HOSTCC) CC=$(CROSS_COMPILE)$(gcc) \
	KERNELVERSION=$(abi_release)-$(target_flavour) CONFIG_DEBUG_SECTION_MISMATCH=y \
	KBUILD_BUILD_VERSION="$(uploadnum)" LOCALVERSION= localver-extra= CFLAGS_MODULE="-DPKG_ABI=$(abinum)"

# flavours are built side by side and all append to debian/files
lockme = flock -w 60 $(CURDIR)/debian/.LOCK
