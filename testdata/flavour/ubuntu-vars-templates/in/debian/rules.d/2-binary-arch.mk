# Arch dependent build and binary targets (kpkg-lint test tree).

$(stampdir)/stamp-build-%:
	@mkdir -p $(builddir)/build-$* $(stampdir)
	$(kmake) O=$(builddir)/build-$* $(call custom_override,build_image,$*) modules
	@touch $@

$(stampdir)/stamp-build-perarch:
	@mkdir -p $(builddir)/tools-perarch $(stampdir)
ifeq ($(do_tools_perf),true)
	$(kmake) O=$(builddir)/tools-perarch $(defconfig)
	$(MAKE) -C tools/perf O=$(builddir)/tools-perarch/perf
endif
ifeq ($(do_tools_bpftool),true)
	$(MAKE) -C tools/bpf/bpftool OUTPUT=$(builddir)/tools-perarch/
endif
	@touch $@

binary-perarch: $(stampdir)/stamp-build-perarch
	dh_installdirs -p$(tools_pkg_name) usr/lib/$(tools_pkg_name)
	cp $(builddir)/tools-perarch/perf/perf debian/$(tools_pkg_name)/usr/lib/$(tools_pkg_name)/
	dh_gencontrol -p$(tools_pkg_name)
	dh_builddeb -p$(tools_pkg_name)

binary-%: $(stampdir)/stamp-build-%
	install -D -m 600 $(builddir)/build-$*/$(call custom_override,kernel_file,$*) \
		debian/linux-image-$(abi_release)-$*/boot/$(call custom_override,install_file,$*)-$(abi_release)-$*
	mkdir -p debian/linux-tools-$(abi_release)-$*/usr/lib/linux-tools/$(abi_release)-$*
	ln -sf ../../$(tools_pkg_name)/perf \
		debian/linux-tools-$(abi_release)-$*/usr/lib/linux-tools/$(abi_release)-$*/perf
	dh_gencontrol -plinux-image-$(abi_release)-$* -plinux-tools-$(abi_release)-$*
	dh_builddeb -plinux-image-$(abi_release)-$* -plinux-tools-$(abi_release)-$*

.PHONY: binary-perarch
