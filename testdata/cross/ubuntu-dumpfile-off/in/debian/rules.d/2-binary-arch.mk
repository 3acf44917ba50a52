# Binary packages of one flavour (test tree for kpkg-lint).
install-%:
	install -d $(pkgdir)/boot
	# makedumpfile is only mentioned in this comment line of the recipe
ifeq ($(no_dumpfile),)
	makedumpfile -g $(pkgdir)/boot/vmcoreinfo-$* \
		-x $(builddir)/build-$*/vmlinux
	chmod 0600 $(pkgdir)/boot/vmcoreinfo-$*
endif

binary-arch: install-generic
