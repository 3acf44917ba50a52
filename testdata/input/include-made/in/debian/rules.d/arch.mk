# Test tree written for kpkg-lint: generated makefile fragments.
debian/rules.d/%.gen.mk: debian/rules.d/%.list
	sed -e 's/^/flavours += /' $< > $@
