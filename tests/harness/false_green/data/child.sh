#!/bin/sh
# Run by the script-child test (hp script): runs hp on a data file. The test script
# points it at script-bug.txt to plant the bug.
exec "$1" file "$(dirname "$0")/script-ok.txt"
