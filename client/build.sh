#!/bin/sh
# Build the native client (nomia-client.c) beside this script, when a C compiler is here (`npm ci` runs this
# from `prepare`). Without one nothing is built and `nomia` runs the Node CLI as before.
cd "$(dirname "$0")" || exit 0
command -v cc >/dev/null 2>&1 || exit 0
# Built under a temporary name and renamed: a client in use, or another build at once, never sees half a file.
if cc -O2 -Wall -Wextra -o "nomia-client.$$" nomia-client.c; then
  mv -f "nomia-client.$$" nomia-client
else
  rm -f "nomia-client.$$"
  echo "nomia: the native client did not build; \`nomia\` runs the Node CLI (slower to start)" >&2
fi
exit 0
