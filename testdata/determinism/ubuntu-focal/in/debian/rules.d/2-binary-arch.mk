# Per-flavour configure and build steps.
.SECONDARY :

$(stampdir)/stamp-prepare-tree-%: target_flavour = $*
$(stampdir)/stamp-prepare-tree-%:
	install -d $(builddir)/build-$* $(stampdir)
	cat $(DEBIAN)/config/config.common.ubuntu > $(builddir)/build-$*/.config
	sed -i -e 's/^CONFIG_VERSION_SIGNATURE=.*/CONFIG_VERSION_SIGNATURE="Ubuntu $(release)-$(revision)-$* $(release)"/' $(builddir)/build-$*/.config
	$(kmake) O=$(builddir)/build-$* $(conc_level) olddefconfig
	touch $@

$(stampdir)/stamp-build-%: target_flavour = $*
$(stampdir)/stamp-build-%: $(stampdir)/stamp-prepare-tree-%
	$(kmake) O=$(builddir)/build-$* $(conc_level) bzImage modules
	touch $@
