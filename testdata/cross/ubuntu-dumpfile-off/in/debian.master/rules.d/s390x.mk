build_arch	= s390
flavours	= generic
no_dumpfile	= true
