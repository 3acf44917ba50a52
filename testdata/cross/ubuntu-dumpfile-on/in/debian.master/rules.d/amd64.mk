build_arch	= x86
flavours	= generic
no_dumpfile	= true
