// The target that owns the unit tests' precompiled GoogleTest header (see
// CMakeLists.txt); it has no code of its own.
