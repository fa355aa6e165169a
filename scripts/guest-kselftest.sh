#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of test.sh: run the installed kselftests the way
# "make kselftest TARGETS=synchmess" runs them.
cd /kselftest || exit 1
./run_kselftest.sh
