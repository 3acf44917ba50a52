# Test tree written for kpkg-lint only.
# Package names and build-option handling shared by every target.

DEB_HOST_ARCH      ?= $(shell dpkg-architecture -qDEB_HOST_ARCH)
DEB_BUILD_ARCH     ?= $(shell dpkg-architecture -qDEB_BUILD_ARCH)
DEB_HOST_GNU_TYPE  ?= $(shell dpkg-architecture -qDEB_HOST_GNU_TYPE)

KERNELRELEASE := $(shell cat include/config/kernel.release 2>/dev/null)

i_package := $(INT_STEM)-image-$(KERNELRELEASE)
h_package := $(INT_STEM)-headers-$(KERNELRELEASE)

ifneq ($(DEB_HOST_ARCH),$(DEB_BUILD_ARCH))
  CROSS_COMPILE ?= $(DEB_HOST_GNU_TYPE)-
endif

# parallel=N from dpkg-buildpackage becomes -jN for this make.  The token
# is then dropped again: a nested dpkg-buildpackage that still saw it
# would force -j into every sub-make behind our back.
ifneq (,$(filter parallel=%,$(DEB_BUILD_OPTIONS)))
  NUMJOBS := $(patsubst parallel=%,%,$(filter parallel=%,$(DEB_BUILD_OPTIONS)))
  MAKEFLAGS += -j$(NUMJOBS)
  DEB_BUILD_OPTIONS := $(filter-out parallel=%,$(DEB_BUILD_OPTIONS))
endif
