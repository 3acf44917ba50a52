# Test tree written for kpkg-lint only.
# Stamps are intermediate files, but make must not delete them.
.SECONDARY :

build_O       = O=$(builddir)/build-$*
hdrs_pkg_name = $(src_pkg_name)-headers-$(abi_release)
hdrdir        = $(CURDIR)/debian/$(hdrs_pkg_name)-$*/usr/src/$(hdrs_pkg_name)-$*
pkgimg        = $(src_pkg_name)-image-$(abi_release)-$*
pkgdir        = $(CURDIR)/debian/$(pkgimg)
bldimg        = $(build_image)

$(stampdir)/stamp-prepare-tree-%: target_flavour = $*
$(stampdir)/stamp-prepare-tree-%:
	@echo "== $@"
	install -d $(stampdir) $(builddir)/build-$*
	cp $(DEBIAN)/config/$(arch)/config.$* $(builddir)/build-$*/.config
	$(kmake) $(build_O) $(conc_level) olddefconfig
	touch $@

$(stampdir)/stamp-build-%: target_flavour = $*
$(stampdir)/stamp-build-%: $(stampdir)/stamp-prepare-tree-%
	@echo "== $@"
	$(kmake) $(build_O) $(conc_level) $(bldimg) modules
	touch $@

$(stampdir)/stamp-install-%: target_flavour = $*
$(stampdir)/stamp-install-%: $(stampdir)/stamp-build-%
	@echo "== $@"
	install -d $(pkgdir)/boot
	install -m600 $(builddir)/build-$*/$(kernel_file) $(pkgdir)/boot/$(install_file)-$(abi_release)-$*
	$(kmake) $(build_O) $(conc_level) INSTALL_MOD_PATH=$(pkgdir) INSTALL_MOD_STRIP=1 modules_install $(vdso)
	install -d $(hdrdir)
	cp $(builddir)/build-$*/.config $(hdrdir)/.config
	$(kmake) O=$(hdrdir) -j1 syncconfig prepare scripts
	touch $@

binary-%: $(stampdir)/stamp-install-%
	dh_installdocs -p$(pkgimg)
	dh_compress -p$(pkgimg)
	dh_fixperms -p$(pkgimg) -X/boot/
	dh_installdeb -p$(pkgimg)
	$(lockme) dh_gencontrol -p$(pkgimg)
	dh_md5sums -p$(pkgimg)
	dh_builddeb -p$(pkgimg)
