# Test tree written for kpkg-lint only.
#
# dpkg-buildpackage running a parallel make under fakeroot has been known
# to crash fakeroot part way through.  So when the buildpackage target
# starts a nested package build it asks dpkg for one job and, if fakeroot
# is the root command, hands down the build options minus parallel=.
# The kernel compile lines further down take their -j from $(do_parallel).
ifeq ($(strip $(root_cmd)),-rfakeroot)
  SERIAL_BUILD_OPTIONS := $(filter-out parallel=%,$(DEB_BUILD_OPTIONS))
else
  SERIAL_BUILD_OPTIONS := $(DEB_BUILD_OPTIONS)
endif

.PHONY: build buildpackage clean

build: debian/stamp/build/kernel

buildpackage: debian/stamp/build/buildpackage

debian/stamp/conf/kernel-conf:
	@test -f .config || { echo "No .config found, configure the kernel first" >&2; exit 1; }
	@test -d debian/stamp/conf || mkdir -p debian/stamp/conf
	@touch $@

debian/stamp/build/kernel: debian/stamp/conf/kernel-conf
	@test -d debian/stamp/build || mkdir -p debian/stamp/build
	$(MAKE) $(do_parallel) $(EXTRAV_ARG) $(FLAV_ARG) ARCH=$(KERNEL_ARCH) $(CROSS_ARG) $(target)
	$(MAKE) $(do_parallel) $(EXTRAV_ARG) $(FLAV_ARG) ARCH=$(KERNEL_ARCH) $(CROSS_ARG) modules
	@touch $@

debian/stamp/build/buildpackage: debian/stamp/conf/kernel-conf
	@test -d debian/stamp/build || mkdir -p debian/stamp/build
	DEB_BUILD_OPTIONS="$(SERIAL_BUILD_OPTIONS)" dpkg-buildpackage $(strip $(root_cmd)) -us -uc -j1 -k"$(pgp)" -m"$(maintainer) <$(email)>"
	@touch $@

clean:
	test ! -f .config || cp -pf .config config.precious
	$(MAKE) ARCH=$(KERNEL_ARCH) mrproper
	test ! -f config.precious || mv -f config.precious .config
	rm -rf debian/stamp
