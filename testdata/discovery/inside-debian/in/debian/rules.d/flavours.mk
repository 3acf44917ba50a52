# Test tree written for kpkg-lint.
flavours = generic
