"""Canary: a Python-driven test that loads the project's instrumented library.

python3 python_library_canary.py overflow|race|valgrind-overflow LIBRARY CHILD

First it loads LIBRARY through ctypes and starts CHILD, an instrumented program, which
must run with the test's own settings: under "overflow" (AddressSanitizer) CHILD leaks
and must fail for it; under "race" (ThreadSanitizer) and "valgrind-overflow" it must
exit 0. A child that ran
with the interpreter's preload or options exits 3 here, before the planted bug, and the
canary is not caught. Then it calls the library's planted bug, which the sanitizer must
report at its line.
"""
import ctypes
import subprocess
import sys


def main():
    mode, library_path, child = sys.argv[1:4]
    library = ctypes.CDLL(library_path)
    child_run = subprocess.run([child, "leak" if mode == "overflow" else "clean"], check=False)
    child_ok = child_run.returncode != 0 if mode == "overflow" else child_run.returncode == 0
    if not child_ok:
        print(f"the child exited {child_run.returncode}: it did not run with the test's own settings")
        return 3
    if mode in ("overflow", "valgrind-overflow"):
        library.memsafe_python_canary_overflow(8)
    else:
        library.memsafe_python_canary_race()
    return 0


if __name__ == "__main__":
    sys.exit(main())
