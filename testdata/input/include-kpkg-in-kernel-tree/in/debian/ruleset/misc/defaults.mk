# Defaults the site configuration may override.
root_cmd ?= fakeroot
CONCURRENCY_LEVEL ?=
