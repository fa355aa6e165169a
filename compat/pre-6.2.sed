# SPDX-License-Identifier: GPL-2.0
#
# What the driver's code needs changed, not shimmed, for kernels before
# 6.2 (6.2 and 6.3 are refused), applied by the top-level Makefile to a
# copy of the driver's .c and .h files, as the backports project adapts a
# driver with semantic patches. The Makefile fails the build if a line
# these expressions are for is left as it was.
#
# 6.4: 43a7206b0963 ("driver core: class: make class_register() take a
# const *"): before it, class_register() writes into the class, which
# a const object cannot take (6.1's device_create() takes a non-const
# one too).
s/^\(static \)\{0,1\}const struct class /\1struct class /
s/^extern const struct class /extern struct class /
# 6.2: ff62b8e6588f ("driver core: make struct class.devnode() take a
# const *") and 6.3: a9b12f8b4e33 ("driver core: make struct
# device_type.devnode() take a const *").
s/^\(static char \*[a-z_]*devnode\)(const struct device \*/\1(struct device */
