#!/usr/bin/env bash
# install-memsafe.sh: builds the memsafe toolkit of this checkout and installs it, as the
# composite action (action.yml) and the nightly's history job need it. Installed, not run
# from its build tree: a project adopted with `memsafe init` finds memsafe's CMake
# package beside the installed tool.
#
#   tools/install-memsafe.sh <build-dir> <prefix>    the tool is then <prefix>/bin/memsafe
#
# The toolkit alone (no libraries, so no libsodium), Release. tools/install-deps.sh
# installs what it needs.
set -euo pipefail

usage() { echo "USAGE: tools/install-memsafe.sh <build-dir> <prefix>" >&2; exit 2; }
if (($# != 2)) || [[ -z $1 || -z $2 ]]; then usage; fi
source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

cmake -S "$source_dir" -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMEMSAFE_BUILD_LIBRARIES=OFF
cmake --build "$1"
cmake --install "$1" --prefix "$2"
