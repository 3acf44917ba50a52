# Test tree written for kpkg-lint: the build target.
build: .config
	$(MAKE) $(if $(CONCURRENCY_LEVEL),-j$(CONCURRENCY_LEVEL)) bzImage modules
