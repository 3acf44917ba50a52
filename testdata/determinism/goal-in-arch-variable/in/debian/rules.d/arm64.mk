build_arch = arm64
header_arch = arm64
defconfig = defconfig
build_image = Image.gz
