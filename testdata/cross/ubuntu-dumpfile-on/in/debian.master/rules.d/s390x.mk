build_arch	= s390
flavours	= generic
